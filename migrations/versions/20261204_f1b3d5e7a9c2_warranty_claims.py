"""Warranty claims: numbered WC-YYYY-NNNNNN, on an asset and usually one work order, with
their status and what was claimed and recovered.

Revision ID: f1b3d5e7a9c2
Revises: e7a3b5c9d2f1
"""
import sqlalchemy as sa
from alembic import op

revision = "f1b3d5e7a9c2"
down_revision = "e7a3b5c9d2f1"
branch_labels = None
depends_on = None

STATUSES = ("draft", "submitted", "accepted", "rejected", "credited")


def upgrade():
    op.create_table(
        "warranty_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.String(length=36), nullable=True),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("fault", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="claimstatus", native_enum=False,
                                    length=32), nullable=False),
        sa.Column("amount_claimed", sa.Numeric(12, 2), nullable=True),
        sa.Column("amount_recovered", sa.Numeric(12, 2), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_warranty_claim_asset_id_asset")),
        sa.ForeignKeyConstraint(["work_order_id"], ["work_order.id"],
                                name=op.f("fk_warranty_claim_work_order_id_work_order")),
        sa.ForeignKeyConstraint(["raised_by_id"], ["user.id"],
                                name=op.f("fk_warranty_claim_raised_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claim")),
        sa.UniqueConstraint("number", name=op.f("uq_warranty_claim_number")),
    )
    for column in ("asset_id", "work_order_id", "status"):
        op.create_index(op.f(f"ix_warranty_claim_{column}"), "warranty_claim", [column])


def downgrade():
    for column in ("asset_id", "work_order_id", "status"):
        op.drop_index(op.f(f"ix_warranty_claim_{column}"), table_name="warranty_claim")
    op.drop_table("warranty_claim")
