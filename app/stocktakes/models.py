"""A stock-take: what was expected under a location when it started, and what was counted."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.lifecycle.models import Event
from app.org.models import Location
from app.timeutil import utcnow


class StocktakeStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    CANCELLED = "cancelled"


# The moves a stock-take's status may make (app/documents.py); the others are final.
STOCKTAKE_TRANSITIONS = {StocktakeStatus.OPEN: frozenset({StocktakeStatus.FINISHED,
                                                          StocktakeStatus.CANCELLED})}


class Stocktake(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("location.id"), index=True)
    status: so.Mapped[StocktakeStatus] = so.mapped_column(
        str_enum(StocktakeStatus), default=StocktakeStatus.OPEN, index=True)
    started_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    started_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    finished_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    finished_at: so.Mapped[datetime | None]
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    expected_count: so.Mapped[int] = so.mapped_column(default=0)
    found_count: so.Mapped[int | None]  # kept when it ends, for the accuracy history

    location: so.Mapped[Location] = so.relationship()
    started_by: so.Mapped[User] = so.relationship(foreign_keys=[started_by_id])
    finished_by: so.Mapped[User | None] = so.relationship(foreign_keys=[finished_by_id])

    @property
    def accuracy(self) -> float | None:
        if self.found_count is None or not self.expected_count:
            return None
        return self.found_count / self.expected_count


class StocktakeExpected(db.Model):
    """The snapshot taken at the start: each asset that should be found, and where."""

    __tablename__ = "stocktake_expected"

    stocktake_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stocktake.id"),
                                                    primary_key=True)
    # Copied from asset rows in the same INSERT ... SELECT, and neither assets nor places are
    # ever deleted: foreign keys here would only re-check what was just read, and cost
    # PostgreSQL more than half of a 50,000-asset snapshot.
    asset_id: so.Mapped[int] = so.mapped_column(primary_key=True)
    location_id: so.Mapped[int]


class StocktakeCount(db.Model):
    """An asset counted once in a stock-take, however many devices scanned it."""

    __tablename__ = "stocktake_count"
    __table_args__ = (sa.UniqueConstraint("stocktake_id", "asset_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    stocktake_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stocktake.id"))
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"))
    location_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("location.id"))
    event_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("event.id"))
    how: so.Mapped[str] = so.mapped_column(sa.String(16), default="scanned")  # scanned | seen
    # Where the register had the asset when it was counted: reconciliation may move it since.
    register_location_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("location.id"))
    counted_at: so.Mapped[datetime]
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    device: so.Mapped[str] = so.mapped_column(sa.String(100), default="web")

    event: so.Mapped[Event] = so.relationship()


class StocktakeUnknown(db.Model):
    """A code scanned during the walk that names no asset: a label no one registered, or
    another organisation's. Kept for the report; the phone makes its id, so a resend is
    harmless."""

    __tablename__ = "stocktake_unknown"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    stocktake_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stocktake.id"), index=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(200))
    location_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("location.id"))
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    device: so.Mapped[str] = so.mapped_column(sa.String(100), default="web")
    seen_at: so.Mapped[datetime]
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
