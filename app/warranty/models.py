"""An asset's warranty contract, as the last `warranty` event set it (its history is the
events). Assets without one are covered by the register's end date or their model's default."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.dbtypes import MONEY, str_enum
from app.extensions import db
from app.timeutil import utcnow

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


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # sent to the provider
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CREDITED = "credited"  # the provider paid or credited what it accepted


C = ClaimStatus
# The moves a claim's status may make (app/documents.py); rejected and credited are final.
CLAIM_TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    C.DRAFT: frozenset({C.SUBMITTED}),
    C.SUBMITTED: frozenset({C.ACCEPTED, C.REJECTED}),
    C.ACCEPTED: frozenset({C.CREDITED}),
    C.REJECTED: frozenset(),
    C.CREDITED: frozenset(),
}


class WarrantyClaim(db.Model):
    """A claim on an asset's warranty, usually for the work of one order; numbered
    WC-YYYY-NNNNNN and moved through its statuses by `warranty_claim_update` events."""

    __tablename__ = "warranty_claim"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    work_order_id: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("work_order.id"),
                                                            index=True)
    provider: so.Mapped[str] = so.mapped_column(sa.String(200))
    fault: so.Mapped[str] = so.mapped_column(sa.Text)
    status: so.Mapped[ClaimStatus] = so.mapped_column(str_enum(ClaimStatus),
                                                      default=ClaimStatus.DRAFT, index=True)
    amount_claimed: so.Mapped[Decimal | None] = so.mapped_column(MONEY)
    amount_recovered: so.Mapped[Decimal | None] = so.mapped_column(MONEY)
    raised_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    raised_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    asset = so.relationship("Asset")
    work_order = so.relationship("WorkOrder")
    raised_by = so.relationship("User")
