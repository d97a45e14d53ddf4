"""Stock-takes: the snapshot of what is expected under a location, and the counts against it.
New tables only: the asset table is not rebuilt, so its SQLite search triggers stay.

Revision ID: d9a7a16d1c55
Revises: 8b8867cadb53
"""
import sqlalchemy as sa
from alembic import op

revision = "d9a7a16d1c55"
down_revision = "8b8867cadb53"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stocktake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("expected_count", sa.Integer(), nullable=False),
        sa.Column("found_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["finished_by_id"], ["user.id"],
                                name=op.f("fk_stocktake_finished_by_id_user")),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"],
                                name=op.f("fk_stocktake_location_id_location")),
        sa.ForeignKeyConstraint(["started_by_id"], ["user.id"],
                                name=op.f("fk_stocktake_started_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake")),
    )
    op.create_index(op.f("ix_stocktake_location_id"), "stocktake", ["location_id"])
    op.create_index(op.f("ix_stocktake_status"), "stocktake", ["status"])
    op.create_table(
        "stocktake_expected",
        sa.Column("stocktake_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        # No foreign keys to asset and location: see the model.
        sa.ForeignKeyConstraint(["stocktake_id"], ["stocktake.id"],
                                name=op.f("fk_stocktake_expected_stocktake_id_stocktake")),
        sa.PrimaryKeyConstraint("stocktake_id", "asset_id", name=op.f("pk_stocktake_expected")),
    )
    op.create_table(
        "stocktake_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stocktake_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"],
                                name=op.f("fk_stocktake_count_actor_id_user")),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_stocktake_count_asset_id_asset")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"],
                                name=op.f("fk_stocktake_count_event_id_event")),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"],
                                name=op.f("fk_stocktake_count_location_id_location")),
        sa.ForeignKeyConstraint(["stocktake_id"], ["stocktake.id"],
                                name=op.f("fk_stocktake_count_stocktake_id_stocktake")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_count")),
        # One count per asset per stock-take, however many devices scanned it.
        sa.UniqueConstraint("stocktake_id", "asset_id",
                            name=op.f("uq_stocktake_count_stocktake_id")),
    )


def downgrade():
    op.drop_table("stocktake_count")
    op.drop_table("stocktake_expected")
    op.drop_index(op.f("ix_stocktake_status"), table_name="stocktake")
    op.drop_index(op.f("ix_stocktake_location_id"), table_name="stocktake")
    op.drop_table("stocktake")
