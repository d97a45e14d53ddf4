"""Meters on assets and their readings, in a table of their own (a feed's batch is one audit
event per asset, not one per reading).

Revision ID: e7a3b5c9d2f1
Revises: 40849ba147b5
"""
import sqlalchemy as sa
from alembic import op

revision = "e7a3b5c9d2f1"
down_revision = "40849ba147b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.Enum("counter", "gauge", name="meterkind", native_enum=False,
                                  create_constraint=False, length=32), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Double(), nullable=True),
        sa.Column("stale_after_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=True),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_meter_asset_id_asset")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter")),
        sa.UniqueConstraint("asset_id", "name", name=op.f("uq_meter_asset_id")),
    )
    op.create_index(op.f("ix_meter_asset_id"), "meter", ["asset_id"], unique=False)
    op.create_table(
        "reading",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("reset", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("batch", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_reading_actor_id_user")),
        sa.ForeignKeyConstraint(["meter_id"], ["meter.id"], name=op.f("fk_reading_meter_id_meter")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading")),
    )
    op.create_index("ix_reading_meter_at", "reading", ["meter_id", "at"], unique=False)
    op.create_index(op.f("ix_reading_batch"), "reading", ["batch"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_reading_batch"), table_name="reading")
    op.drop_index("ix_reading_meter_at", table_name="reading")
    op.drop_table("reading")
    op.drop_index(op.f("ix_meter_asset_id"), table_name="meter")
    op.drop_table("meter")
