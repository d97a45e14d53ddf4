"""Extra codes on assets (pre-printed labels, manufacturers' barcodes); tags unique whatever
their case, since scans ignore case.

Revision ID: 8b8867cadb53
Revises: c3f1a9d2e7b4
"""
import sqlalchemy as sa
from alembic import op

revision = "8b8867cadb53"
down_revision = "c3f1a9d2e7b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "asset_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_asset_code_asset_id_asset")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_code")),
        sa.UniqueConstraint("key", name=op.f("uq_asset_code_key")),
    )
    op.create_index(op.f("ix_asset_code_asset_id"), "asset_code", ["asset_id"])
    op.create_index("uq_asset_tag_upper", "asset", [sa.text("upper(tag)")], unique=True)


def downgrade():
    op.drop_index("uq_asset_tag_upper", table_name="asset")
    op.drop_index(op.f("ix_asset_code_asset_id"), table_name="asset_code")
    op.drop_table("asset_code")
