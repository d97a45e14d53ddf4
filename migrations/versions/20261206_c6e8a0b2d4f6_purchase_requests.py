"""Purchase requests with their business case, and the approvals each needs.

Revision ID: c6e8a0b2d4f6
Revises: b5d7f9a1c3e5
"""

import sqlalchemy as sa
from alembic import op

revision = "c6e8a0b2d4f6"
down_revision = "b5d7f9a1c3e5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "purchase_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("specification", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("estimated_unit_cost", sa.Numeric(12, 2), nullable=True),
        sa.Column("buy_or_lease", sa.Enum("buy", "lease", name="buyorlease",
                                          native_enum=False, create_constraint=False,
                                          length=32), nullable=False),
        sa.Column("expected_life_months", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("budget_line", sa.String(length=100), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("replaces", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Enum("submitted", "approved", "rejected", "ordered",
                                    "cancelled", name="requeststatus", native_enum=False,
                                    create_constraint=False, length=32), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["model_id"], ["asset_model.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_purchase_request_department_id", "purchase_request", ["department_id"])
    op.create_index("ix_purchase_request_model_id", "purchase_request", ["model_id"])
    op.create_index("ix_purchase_request_status", "purchase_request", ["status"])
    op.create_table(
        "request_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Enum("manager", "finance", name="level", native_enum=False,
                                   create_constraint=False, length=32), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["purchase_request.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "level"),
    )


def downgrade():
    op.drop_table("request_approval")
    op.drop_index("ix_purchase_request_status", table_name="purchase_request")
    op.drop_index("ix_purchase_request_model_id", table_name="purchase_request")
    op.drop_index("ix_purchase_request_department_id", table_name="purchase_request")
    op.drop_table("purchase_request")
