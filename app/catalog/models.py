"""Categories and models (a manufacturer's product, with its default useful life)."""
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.dbtypes import MONEY
from app.extensions import db


class Category(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    holds_data: so.Mapped[bool] = so.mapped_column(default=False)  # needs a wipe before disposal

    def __str__(self) -> str:
        return self.name


class AssetModel(db.Model):
    __tablename__ = "asset_model"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    manufacturer: so.Mapped[str] = so.mapped_column(sa.String(100))
    model_number: so.Mapped[str] = so.mapped_column(sa.String(100))
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    category_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("category.id"), index=True)
    useful_life_months: so.Mapped[int] = so.mapped_column(default=48)
    replacement_cost: so.Mapped[Decimal | None] = so.mapped_column(MONEY)  # a new one today
    # The warranty an asset of this model has when nothing else is recorded for it: so many
    # months from its purchase, optionally up to a usage counted by one of its meters.
    warranty_months: so.Mapped[int | None]
    warranty_provider: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    warranty_usage_limit: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(14, 2))
    warranty_usage_meter: so.Mapped[str | None] = so.mapped_column(sa.String(100))

    category: so.Mapped[Category] = so.relationship()

    def __str__(self) -> str:
        return self.name
