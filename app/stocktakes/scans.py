"""What a stock-take scan means: found, misplaced, unexpected or already counted. Called by
the stocktake_scan event handler under the pipeline's chain lock, so two devices scanning
the same asset cannot both count it. A first count brings its count row, stored with the
event. Plain Core selects, read once per batch: a stock-take is tens of thousands of scans."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.assets.models import Asset
from app.dbtypes import MAX_INT
from app.errors import ValidationFailed
from app.extensions import db
from app.lifecycle.models import Event
from app.memo import remember, remembered
from app.org.models import Location
from app.stocktakes.models import (
    Stocktake,
    StocktakeCount,
    StocktakeExpected,
    StocktakeStatus,
    StocktakeUnknown,
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




@dataclass
class _Tally:
    """One asset in one stock-take: counted yet, and where it was expected (None: not)."""
    counted: bool
    expected_at: int | None


def _tally(stocktake_id: int, asset_id: int) -> _Tally:
    return remembered(("tally", stocktake_id, asset_id), lambda: _Tally(*db.session.execute(
        sa.select(
            sa.exists().where(StocktakeCount.stocktake_id == stocktake_id,
                              StocktakeCount.asset_id == asset_id),
            sa.select(StocktakeExpected.location_id).where(
                StocktakeExpected.stocktake_id == stocktake_id,
                StocktakeExpected.asset_id == asset_id).scalar_subquery())).one()))


def prepare(scans: list[tuple[dict, Asset | None]]) -> None:
    """Read the tallies of a batch's scans, (data, asset) each, in two queries instead of
    one per scan. Scans naming no valid stock-take or asset are left to classify()."""
    pairs = {(data["stocktake"], asset.id) for data, asset in scans
             if asset is not None and type(data.get("stocktake")) is int
             and 0 < data["stocktake"] <= MAX_INT}
    if not pairs:
        return
    stocktakes, assets = {s for s, _ in pairs}, {a for _, a in pairs}
    counted = {tuple(row) for row in db.session.execute(
        sa.select(StocktakeCount.stocktake_id, StocktakeCount.asset_id).where(
            StocktakeCount.stocktake_id.in_(stocktakes), StocktakeCount.asset_id.in_(assets)))}
    expected = {(s, a): at for s, a, at in db.session.execute(
        sa.select(StocktakeExpected.stocktake_id, StocktakeExpected.asset_id,
                  StocktakeExpected.location_id).where(
            StocktakeExpected.stocktake_id.in_(stocktakes),
            StocktakeExpected.asset_id.in_(assets)))}
    for pair in pairs:
        remember(("tally", *pair), _Tally(pair in counted, expected.get(pair)))


def classify(asset: Asset, stocktake_id: int, room_code: str | None,
             how: str) -> tuple[dict, list]:
    """The scan's result, to store in the event, and the count row to store with it (none
    when the asset was already counted)."""
    scope = _scope(stocktake_id)
    room = _room(room_code, scope) if room_code else None
    tally = _tally(stocktake_id, asset.id)
    if tally.counted:
        return {"result": "already_counted"}, []
    if tally.expected_at is None:
        result = {"result": "unexpected", "expected_at": _code(asset.location_id)}
    elif room is None or room.id == tally.expected_at:
        result = {"result": "found"}
    else:
        result = {"result": "misplaced", "expected_at": _code(tally.expected_at)}

    def count(event: Event) -> StocktakeCount:
        tally.counted = True  # a rescan later in the same batch finds it counted
        return StocktakeCount(stocktake_id=stocktake_id, asset_id=asset.id,
                              location_id=room.id if room else None, event=event, how=how,
                              register_location_id=asset.location_id,
                              counted_at=event.occurred_at, actor_id=event.actor_id,
                              device=event.device)
    return result, [count]


def record_unknown(stocktake_id: int, *, sighting_id: str, code: str, room_code: str | None,
                   seen_at, actor, device: str) -> bool:
    """Keep a code scanned during the walk that names no asset; False when this sighting
    (the phone's id for it) was kept already. The caller commits."""
    scope = _scope(stocktake_id)
    room = _room(room_code, scope) if room_code else None
    earlier = db.session.get(StocktakeUnknown, sighting_id)
    if earlier is not None:
        if (earlier.stocktake_id, earlier.code) != (stocktake_id, code):
            raise ValidationFailed("This id was already used for another sighting; give each "
                                   "one an id of its own.", {"id": "reused"})
        return False
    db.session.add(StocktakeUnknown(id=sighting_id, stocktake_id=stocktake_id, code=code,
                                    location_id=room.id if room else None, actor_id=actor.id,
                                    device=device, seen_at=seen_at))
    return True
