"""A meter on an asset, and its readings: a table of their own, since IoT feeds send far more
of them than the audit chain should hold one event each for."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import utcnow


class MeterKind(StrEnum):
    COUNTER = "counter"  # hours, km, pages, cycles: never goes down unless a reset is recorded
    GAUGE = "gauge"  # temperature, vibration: any finite value, any time


class Meter(db.Model):
    __table_args__ = (sa.UniqueConstraint("asset_id", "name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    kind: so.Mapped[MeterKind] = so.mapped_column(str_enum(MeterKind))
    unit: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    # The value a projection looks for when none is given (the next service, a threshold).
    target: so.Mapped[float | None]
    # How long without a reading before the meter is stale; None: from its usual rhythm.
    stale_after_days: so.Mapped[int | None]
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # The newest reading, kept here so a batch checks a counter without a query per meter.
    last_at: so.Mapped[datetime | None]
    last_value: so.Mapped[float | None]

    asset: so.Mapped[Asset] = so.relationship()

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class Reading(db.Model):
    """One value of a meter at a time. The id is the client's (a phone event's id, or the
    feed's), so a resent reading is found again."""

    __table_args__ = (sa.Index("ix_reading_meter_at", "meter_id", "at"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    meter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meter.id"))
    at: so.Mapped[datetime]
    value: so.Mapped[float]
    reset: so.Mapped[bool] = so.mapped_column(default=False)  # the counter started again here
    source: so.Mapped[str] = so.mapped_column(sa.String(8))  # "event" (a person) or "api"
    # What the audit trail holds of it: the id of the person's event, or of the feed's batch
    # (its `readings` events seal the batch's rows), so `flask audit verify` can check it.
    batch: so.Mapped[str] = so.mapped_column(sa.String(36), index=True)
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    meter: so.Mapped[Meter] = so.relationship()
