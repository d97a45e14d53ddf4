"""Purchase orders, their lines, and the receipts that bring the units into the register.

Revision ID: d7f9b1c3e5a7
Revises: c6e8a0b2d4f6
"""

import sqlalchemy as sa
from alembic import op

revision = "d7f9b1c3e5a7"
down_revision = "c6e8a0b2d4f6"
branch_labels = None
depends_on = None


def _status():
    return sa.Enum("draft", "sent", "partly_received", "received", "cancelled",
                   name="orderstatus", native_enum=False, create_constraint=False, length=32)


def upgrade():
    op.create_table(
        "purchase_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("freight", sa.Numeric(12, 2), nullable=False),
        sa.Column("tax", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", _status(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["purchase_request.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_purchase_order_request_id", "purchase_order", ["request_id"])
    op.create_index("ix_purchase_order_status", "purchase_order", ["status"])
    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(12, 2), nullable=False),
        sa.Column("tolerance", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["asset_model.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["purchase_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "line"),
    )
    op.create_table(
        "receipt",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("assets", sa.JSON(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["purchase_order.id"]),
        sa.ForeignKeyConstraint(["received_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_receipt_order_id", "receipt", ["order_id"])


def downgrade():
    op.drop_index("ix_receipt_order_id", table_name="receipt")
    op.drop_table("receipt")
    op.drop_table("order_line")
    op.drop_index("ix_purchase_order_status", table_name="purchase_order")
    op.drop_index("ix_purchase_order_request_id", table_name="purchase_order")
    op.drop_table("purchase_order")
