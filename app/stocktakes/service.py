"""Stock-takes as documents: started for a place (with the snapshot of what should be there),
found, finished and cancelled. Scans arrive as stocktake_scan events (events.py, scans.py);
what was counted is read in progress.py, and reconcile.py changes the register through the
pipeline. The caller commits."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from app import documents
from app.assets.models import Asset
from app.auth.models import User
from app.errors import Duplicate, NotFound
from app.extensions import db
from app.lifecycle.states import ABSENT
from app.org.models import Location
from app.org.service import descendant_ids
from app.stocktakes.models import (
    STOCKTAKE_TRANSITIONS,
    Stocktake,
    StocktakeExpected,
    StocktakeStatus,
)
from app.stocktakes.progress import progress
from app.timeutil import utcnow

E = StocktakeExpected


def start(location: Location, *, actor: User, note: str = "") -> Stocktake:
    """Open a stock-take of `location` and everything under it, with its snapshot."""
    clash = db.session.scalar(sa.select(Stocktake.id).where(
        Stocktake.location_id == location.id, Stocktake.status == StocktakeStatus.OPEN))
    if clash:
        raise Duplicate(f"Stock-take #{clash} of {location.name} is still open.",
                        {"location": "open stock-take", "stocktake": clash})
    stocktake = Stocktake(location=location, started_by=actor, note=note or "",
                          status=StocktakeStatus.OPEN)
    db.session.add(stocktake)
    db.session.flush()
    snapshot = sa.select(sa.literal(stocktake.id), Asset.id, Asset.location_id).where(
        Asset.location_id.in_(descendant_ids(location)), Asset.status.not_in(ABSENT))
    db.session.execute(sa.insert(E).from_select(["stocktake_id", "asset_id", "location_id"],
                                                snapshot))
    stocktake.expected_count = db.session.scalar(
        sa.select(sa.func.count()).where(E.stocktake_id == stocktake.id))
    return stocktake


def get(stocktake_id: int) -> Stocktake:
    stocktake = db.session.get(Stocktake, stocktake_id)
    if stocktake is None:
        raise NotFound(f"There is no stock-take #{stocktake_id}.", {"stocktake": stocktake_id})
    return stocktake


def query(*, status: str = "", location_id: int | None = None) -> sa.Select:
    """Stock-takes, newest first, optionally of one status or one location."""
    stmt = sa.select(Stocktake).options(so.joinedload(Stocktake.location),
                                        so.joinedload(Stocktake.started_by))
    if status in StocktakeStatus.__members__.values():
        stmt = stmt.where(Stocktake.status == status)
    if location_id:
        stmt = stmt.where(Stocktake.location_id == location_id)
    return stmt.order_by(Stocktake.started_at.desc(), Stocktake.id.desc())


def finish(stocktake: Stocktake, *, actor: User) -> Stocktake:
    """Finish an open stock-take: later scans are refused, reconciliation may begin."""
    documents.move(stocktake, StocktakeStatus.FINISHED, STOCKTAKE_TRANSITIONS,
                   what=f"Stock-take #{stocktake.id}", finished_at=utcnow(),
                   finished_by_id=actor.id, found_count=progress(stocktake)[0].found)
    return stocktake


def cancel(stocktake: Stocktake, *, actor: User) -> Stocktake:
    documents.move(stocktake, StocktakeStatus.CANCELLED, STOCKTAKE_TRANSITIONS,
                   what=f"Stock-take #{stocktake.id}", finished_at=utcnow(),
                   finished_by_id=actor.id)
    return stocktake
