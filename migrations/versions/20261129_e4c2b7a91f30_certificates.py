"""Certificates: data-destruction and disposal certificates issued by the pipeline.
A new table only.

Revision ID: e4c2b7a91f30
Revises: d9a7a16d1c55
"""
import sqlalchemy as sa
from alembic import op

revision = "e4c2b7a91f30"
down_revision = "d9a7a16d1c55"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_certificate_asset_id_asset")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"],
                                name=op.f("fk_certificate_event_id_event")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["certificate.id"],
                                name=op.f("fk_certificate_supersedes_id_certificate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("number", name=op.f("uq_certificate_number")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_certificate_supersedes_id")),
    )
    op.create_index(op.f("ix_certificate_asset_id"), "certificate", ["asset_id"])
    op.create_index(op.f("ix_certificate_event_id"), "certificate", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_certificate_event_id"), table_name="certificate")
    op.drop_index(op.f("ix_certificate_asset_id"), table_name="certificate")
    op.drop_table("certificate")
