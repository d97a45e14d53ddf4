"""Warranty: an asset's own contract (provider, dates, usage limit), and a model's default
coverage for assets that have none; and what replacing a model costs (repair or replace).

Revision ID: e5f7a9c1b3d2
Revises: d1edf19bc173
"""
import sqlalchemy as sa
from alembic import op

revision = "e5f7a9c1b3d2"
down_revision = "d1edf19bc173"
branch_labels = None
depends_on = None

MODEL_COLUMNS = {"replacement_cost": lambda: sa.Numeric(12, 2),
                 "warranty_months": sa.Integer, "warranty_provider": lambda: sa.String(200),
                 "warranty_usage_limit": lambda: sa.Numeric(14, 2),
                 "warranty_usage_meter": lambda: sa.String(100)}


def upgrade():
    op.create_table(
        "warranty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("usage_limit", sa.Numeric(14, 2), nullable=True),
        sa.Column("usage_meter", sa.String(length=100), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], ondelete="CASCADE",
                                name=op.f("fk_warranty_asset_id_asset")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty")),
        sa.UniqueConstraint("asset_id", name=op.f("uq_warranty_asset_id")),
    )
    op.create_index(op.f("ix_warranty_ends"), "warranty", ["ends"])
    for name, kind in MODEL_COLUMNS.items():
        op.add_column("asset_model", sa.Column(name, kind(), nullable=True))


def downgrade():
    with op.batch_alter_table("asset_model") as batch_op:
        for name in reversed(MODEL_COLUMNS):
            batch_op.drop_column(name)
    op.drop_index(op.f("ix_warranty_ends"), table_name="warranty")
    op.drop_table("warranty")
