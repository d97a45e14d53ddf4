"""Licences (and subscriptions, leases, support contracts) and their seats' assignments.

Revision ID: d8f0a2c4e6b8
Revises: d7f9b1c3e5a7
"""

import sqlalchemy as sa
from alembic import op

revision = "d8f0a2c4e6b8"
down_revision = "d7f9b1c3e5a7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "licence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.Enum("per_user", "per_device", "site", name="licencekind",
                                  native_enum=False, create_constraint=False, length=32),
                  nullable=False),
        sa.Column("contract", sa.Enum("licence", "subscription", "lease", "support",
                                      name="contract", native_enum=False,
                                      create_constraint=False, length=32), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Numeric(12, 2), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_licence_name", "licence", ["name"])
    op.create_index("ix_licence_term_end", "licence", ["term_end"])
    op.create_table(
        "licence_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("(person_id IS NULL) <> (asset_id IS NULL)", name="one_holder"),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"]),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["licence_id"], ["licence.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_licence_assignment_licence_id", "licence_assignment", ["licence_id"])
    op.create_index("ix_licence_assignment_person_id", "licence_assignment", ["person_id"])
    op.create_index("ix_licence_assignment_asset_id", "licence_assignment", ["asset_id"])
    op.create_index("ix_licence_assignment_released_at", "licence_assignment",
                    ["released_at"])


def downgrade():
    for name in ("released_at", "asset_id", "person_id", "licence_id"):
        op.drop_index(f"ix_licence_assignment_{name}", table_name="licence_assignment")
    op.drop_table("licence_assignment")
    op.drop_index("ix_licence_term_end", table_name="licence")
    op.drop_index("ix_licence_name", table_name="licence")
    op.drop_table("licence")
