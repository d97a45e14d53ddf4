"""What a stock-take scan means: found, misplaced, unexpected or already counted. Called by
the stocktake_scan event handler under the pipeline's chain lock, so two devices scanning
the same asset cannot both count it. Plain Core selects: a stock-take is tens of thousands
of scans."""
import sqlalchemy as sa

from app.assets.models import Asset
from app.errors import ValidationFailed
from app.extensions import db
from app.memo import remembered
from app.org.models import Location
from app.stocktakes.models import (
    Stocktake,
    StocktakeCount,
    StocktakeExpected,
    StocktakeStatus,
)


def _scope(stocktake_id: int):
    """The open stock-take's (path, name) of its location, or a refusal."""
    row = remembered(("stocktake", stocktake_id), lambda: db.session.execute(
        sa.select(Stocktake.status, Location.path, Location.name)
        .join(Location, Location.id == Stocktake.location_id)
        .where(Stocktake.id == stocktake_id)).first())
    if row is None:
        raise ValidationFailed(f"There is no stock-take #{stocktake_id}.",
                               {"stocktake": "unknown"})
    if row.status != StocktakeStatus.OPEN:
        raise ValidationFailed(f"Stock-take #{stocktake_id} is {row.status}: it counts no "
                               "more scans.", {"stocktake": str(row.status)})
    return row


def _room(code: str, scope):
    code = code.strip()
    room = remembered(("room", code), lambda: db.session.execute(
        sa.select(Location.id, Location.path, Location.name)
        .where(Location.code == code)).first())
    if room is None:
        raise ValidationFailed(f"There is no location with the code {code!r}.",
                               {"location": "unknown location"})
    if not room.path.startswith(scope.path):
        raise ValidationFailed(f"{room.name} is not inside {scope.name}, where this "
                               "stock-take counts.", {"location": "outside"})
    return room


def _code(location_id: int | None) -> str | None:
    if not location_id:
        return None
    return remembered(("location code", location_id), lambda: db.session.scalar(
        sa.select(Location.code).where(Location.id == location_id)))


def classify(asset: Asset, stocktake_id: int, room_code: str | None) -> dict:
    """The scan's result, to store in the event; the count row follows from it."""
    scope = _scope(stocktake_id)
    room = _room(room_code, scope) if room_code else None
    counted, expected_at = db.session.execute(sa.select(
        sa.select(StocktakeCount.id).where(StocktakeCount.stocktake_id == stocktake_id,
                                           StocktakeCount.asset_id == asset.id)
        .scalar_subquery(),
        sa.select(StocktakeExpected.location_id).where(
            StocktakeExpected.stocktake_id == stocktake_id,
            StocktakeExpected.asset_id == asset.id).scalar_subquery())).one()
    if counted:
        return {"result": "already_counted"}
    if expected_at is None:
        return {"result": "unexpected", "expected_at": _code(asset.location_id)}
    if room is None or room.id == expected_at:
        return {"result": "found"}
    return {"result": "misplaced", "expected_at": _code(expected_at)}
