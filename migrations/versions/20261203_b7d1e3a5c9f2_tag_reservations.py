"""Blank labels reserve their numbers: tag_reservation holds each printed range of the tag
series, so no later print run and no new asset takes them.

Revision ID: b7d1e3a5c9f2
Revises: a4e9c2f7b1d3
"""
import sqlalchemy as sa
from alembic import op

revision = "b7d1e3a5c9f2"
down_revision = "a4e9c2f7b1d3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tag_reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("reserved_by_id", sa.Integer(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reserved_by_id"], ["user.id"],
                                name=op.f("fk_tag_reservation_reserved_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_reservation")),
        sa.UniqueConstraint("prefix", "first", name=op.f("uq_tag_reservation_prefix")),
    )


def downgrade():
    op.drop_table("tag_reservation")
