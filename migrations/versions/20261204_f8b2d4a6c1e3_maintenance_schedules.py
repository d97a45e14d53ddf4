"""Maintenance schedules, the occurrences they made (one unique key per schedule, asset and
occurrence, so two planners cannot both make one) and why a scheduled order is due.

Revision ID: f8b2d4a6c1e3
Revises: f1b3d5e7a9c2
"""

import sqlalchemy as sa
from alembic import op

revision = "f8b2d4a6c1e3"
down_revision = "f1b3d5e7a9c2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("every_days", sa.Integer(), nullable=True),
        sa.Column("every_months", sa.Integer(), nullable=True),
        sa.Column("floating", sa.Boolean(), nullable=False),
        sa.Column("meter", sa.String(length=64), nullable=True),
        sa.Column("every_units", sa.Double(), nullable=True),
        sa.Column("above", sa.Double(), nullable=True),
        sa.Column("below", sa.Double(), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(asset_id IS NULL) <> (model_id IS NULL)", name=op.f("ck_schedule_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_schedule_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_schedule_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["asset_model.id"], name=op.f("fk_schedule_model_id_asset_model")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedule_model_id"), ["model_id"], unique=False)

    op.create_table(
        "schedule_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("due_units", sa.Double(), nullable=True),
        sa.Column("work_order_id", sa.String(length=36), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_schedule_occurrence_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedule.id"],
            name=op.f("fk_schedule_occurrence_schedule_id_schedule"),
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_order.id"],
            name=op.f("fk_schedule_occurrence_work_order_id_work_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_occurrence")),
        sa.UniqueConstraint(
            "schedule_id", "asset_id", "seq", name=op.f("uq_schedule_occurrence_schedule_id")
        ),
        sa.UniqueConstraint("work_order_id", name=op.f("uq_schedule_occurrence_work_order_id")),
    )
    with op.batch_alter_table("schedule_occurrence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_occurrence_asset_id"), ["asset_id"], unique=False
        )

    # resolve_fks=False: the asset table its keys refer to is not reflected, nor so its
    # index on upper(tag), which SQLAlchemy cannot reflect.
    with op.batch_alter_table("work_order", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(
            sa.Column("reason", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade():
    # resolve_fks=False: the asset table its keys refer to is not reflected, nor so its
    # index on upper(tag), which SQLAlchemy cannot reflect.
    with op.batch_alter_table("work_order", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("reason")

    with op.batch_alter_table("schedule_occurrence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_occurrence_asset_id"))

    op.drop_table("schedule_occurrence")
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_model_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_asset_id"))

    op.drop_table("schedule")
