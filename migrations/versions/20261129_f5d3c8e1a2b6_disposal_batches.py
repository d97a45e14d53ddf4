"""Disposal batches: a pickup of several assets under one batch certificate.
A new table only; the assets are linked through their dispose events' data.

Revision ID: f5d3c8e1a2b6
Revises: e4c2b7a91f30
"""
import sqlalchemy as sa
from alembic import op

revision = "f5d3c8e1a2b6"
down_revision = "e4c2b7a91f30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "disposal_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("vendor_certification", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("picked_up_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_disposal_batch_created_by_id_user")),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificate.id"],
                                name=op.f("fk_disposal_batch_certificate_id_certificate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_batch")),
        sa.UniqueConstraint("number", name=op.f("uq_disposal_batch_number")),
    )


def downgrade():
    op.drop_table("disposal_batch")
