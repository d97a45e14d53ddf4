"""Books (named sets of accounts) and the depreciation profiles each gives a category, a model
or one asset."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import utcnow

DEFAULT_BOOK = "company"  # always there: made on first use when the table has lost it


class StartFrom(StrEnum):
    """The day an asset's life starts, for one profile."""

    PURCHASE = "purchase"  # the purchase date
    # The day it entered the register (a purchase order's receipt, or its registration):
    # the register keeps no separate in-service date.
    IN_SERVICE = "in_service"
    FIRST_DEPLOYMENT = "first_deployment"  # its first applied check_out, else purchase date


class Book(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    def __str__(self) -> str:
        return self.name


class DepreciationProfile(db.Model):
    """How assets depreciate in one book. It belongs to exactly one of a category, a model or
    an asset; an asset takes its own, else its model's, else its category's.

    Salvage is a percent of cost (0 to 100, to two places): one profile then fits every
    asset it covers whatever each cost, and assets that share it depreciate by the same
    fraction of cost - salvage (what the depreciation report relies on)."""

    __tablename__ = "depreciation_profile"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN category_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN model_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN asset_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_target"),
        sa.UniqueConstraint("book_id", "category_id", name="uq_depreciation_profile_book_category"),
        sa.UniqueConstraint("book_id", "model_id", name="uq_depreciation_profile_book_model"),
        sa.UniqueConstraint("book_id", "asset_id", name="uq_depreciation_profile_book_asset"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    book_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("book.id"), index=True)
    category_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("category.id"))
    model_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset_model.id"))
    asset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset.id"))
    method: so.Mapped[str] = so.mapped_column(sa.String(32))
    factor: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(6, 4))
    life_months: so.Mapped[int]
    salvage_percent: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 2), default=0)
    convention: so.Mapped[str] = so.mapped_column(sa.String(32))
    start_from: so.Mapped[StartFrom] = so.mapped_column(str_enum(StartFrom),
                                                        default=StartFrom.PURCHASE)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    book: so.Mapped[Book] = so.relationship()
    category = so.relationship("Category")
    model = so.relationship("AssetModel")
    asset = so.relationship("Asset")

    @property
    def target(self) -> str:
        """What it belongs to, in words."""
        if self.asset_id:
            return f"asset {self.asset.tag}"
        if self.model_id:
            return f"model {self.model.name}"
        return f"category {self.category.name}"
