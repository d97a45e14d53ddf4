"""An asset's warranty contract, as the last `warranty` event set it (its history is the
events). Assets without one are covered by the register's end date or their model's default."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db

USAGE = sa.Numeric(14, 2)  # km, hours, pages: up to a trillion, two decimals


class Warranty(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    asset_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), unique=True)
    provider: so.Mapped[str] = so.mapped_column(sa.String(200))
    starts: so.Mapped[date]
    ends: so.Mapped[date] = so.mapped_column(index=True)
    # A usage limit ("up to 100,000 km") is counted by one of the asset's meters, by name.
    usage_limit: so.Mapped[Decimal | None] = so.mapped_column(USAGE)
    usage_meter: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(100))  # contract number
