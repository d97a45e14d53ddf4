"""Books and the depreciation profiles each gives a category, a model or an asset; the
"company" book exists from the start.

Revision ID: e9b1c3d5f7a9
Revises: d8f0a2c4e6b8
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "e9b1c3d5f7a9"
down_revision = "d8f0a2c4e6b8"
branch_labels = None
depends_on = None


def upgrade():
    book = op.create_table(
        "book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book")),
        sa.UniqueConstraint("name", name=op.f("uq_book_name")),
    )
    op.create_table(
        "depreciation_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("factor", sa.Numeric(6, 4), nullable=True),
        sa.Column("life_months", sa.Integer(), nullable=False),
        sa.Column("salvage_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("convention", sa.String(length=32), nullable=False),
        sa.Column("start_from", sa.Enum("purchase", "in_service", "first_deployment",
                                        name="startfrom", native_enum=False,
                                        create_constraint=False, length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN category_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN model_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN asset_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_depreciation_profile_one_target")),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"],
                                name=op.f("fk_depreciation_profile_asset_id_asset")),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"],
                                name=op.f("fk_depreciation_profile_book_id_book")),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"],
                                name=op.f("fk_depreciation_profile_category_id_category")),
        sa.ForeignKeyConstraint(["model_id"], ["asset_model.id"],
                                name=op.f("fk_depreciation_profile_model_id_asset_model")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_depreciation_profile")),
        sa.UniqueConstraint("book_id", "asset_id",
                            name=op.f("uq_depreciation_profile_book_asset")),
        sa.UniqueConstraint("book_id", "category_id",
                            name=op.f("uq_depreciation_profile_book_category")),
        sa.UniqueConstraint("book_id", "model_id",
                            name=op.f("uq_depreciation_profile_book_model")),
    )
    op.create_index(op.f("ix_depreciation_profile_book_id"), "depreciation_profile",
                    ["book_id"])
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(book, [{"name": "company", "created_at": now}])


def downgrade():
    op.drop_index(op.f("ix_depreciation_profile_book_id"), table_name="depreciation_profile")
    op.drop_table("depreciation_profile")
    op.drop_table("book")
