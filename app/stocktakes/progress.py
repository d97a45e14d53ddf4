"""What a stock-take counted, read for its pages, reports and the phone: totals and rooms,
one line per asset with its result, and the accuracy of finished ones over time."""
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.auth.models import User
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus
from app.org.models import Location
from app.stocktakes.models import (
    Stocktake,
    StocktakeCount,
    StocktakeExpected,
    StocktakeStatus,
    StocktakeUnknown,
)

E, C = StocktakeExpected, StocktakeCount
# Counted in another room than the snapshot's (a scan naming no room counts as found).
MISPLACED = sa.and_(C.location_id.is_not(None), C.location_id != E.location_id)


def counts(stocktakes: list[Stocktake]) -> dict[int, tuple[int, int]]:
    """Stock-take id -> (assets counted, of them expected), in one query."""
    rows = db.session.execute(
        sa.select(C.stocktake_id, sa.func.count(C.id), sa.func.count(E.asset_id))
        .outerjoin(E, (E.stocktake_id == C.stocktake_id) & (E.asset_id == C.asset_id))
        .where(C.stocktake_id.in_([s.id for s in stocktakes])).group_by(C.stocktake_id))
    return {sid: (counted, found) for sid, counted, found in rows}


@dataclass
class Tally:
    """Expected and counted assets in one room, or in the whole stock-take."""

    code: str | None = None
    name: str = ""
    expected: int = 0
    found: int = 0  # of the expected, counted anywhere (misplaced ones included)
    misplaced: int = 0  # of the expected, seen in another room
    unexpected: int = 0  # seen here, not in the snapshot

    @property
    def missing(self) -> int:
        return self.expected - self.found

    @property
    def accuracy(self) -> float | None:
        return self.found / self.expected if self.expected else None

    def add(self, other: "Tally") -> None:
        for name in ("expected", "found", "misplaced", "unexpected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def progress(stocktake: Stocktake) -> tuple[Tally, list[Tally]]:
    """The whole stock-take, and each room in it, in two grouped queries."""
    rooms = {loc_id: Tally(code, name) for loc_id, code, name in db.session.execute(
        sa.select(Location.id, Location.code, Location.name)
        .where(Location.path.startswith(stocktake.location.path)).order_by(Location.path))}
    for loc_id, expected, found, misplaced in db.session.execute(
            sa.select(E.location_id, sa.func.count(), sa.func.count(C.id),
                      sa.func.count(sa.case((MISPLACED, 1))))
            .outerjoin(C, (C.stocktake_id == E.stocktake_id) & (C.asset_id == E.asset_id))
            .where(E.stocktake_id == stocktake.id).group_by(E.location_id)):
        room = rooms.setdefault(loc_id, Tally(name="(a place moved out of the scope since)"))
        room.expected, room.found, room.misplaced = expected, found, misplaced
    for loc_id, unexpected in db.session.execute(
            sa.select(C.location_id, sa.func.count())
            .outerjoin(E, (E.stocktake_id == C.stocktake_id) & (E.asset_id == C.asset_id))
            .where(C.stocktake_id == stocktake.id, E.asset_id.is_(None))
            .group_by(C.location_id)):
        rooms.setdefault(loc_id, Tally(name="(no room given)")).unexpected = unexpected
    total = Tally(stocktake.location.code, stocktake.location.name)
    for room in rooms.values():
        total.add(room)
    return total, list(rooms.values())


# One row per asset: what the register expected and what was counted.
_expected_at, _seen_at = so.aliased(Location), so.aliased(Location)
_COLUMNS = (Asset.id.label("asset_id"), Asset.tag, Asset.name, Asset.status,
            _expected_at.code.label("expected_at"), _seen_at.code.label("seen_at"))
_COUNTED = (C.how, C.counted_at,
            sa.func.coalesce(sa.func.nullif(User.name, ""), User.email).label("counted_by"))
RESULTS = ("found", "misplaced", "missing", "unexpected")


def _expected_lines(stocktake_id: int, result: str | None) -> sa.Select:
    outcome = sa.case((C.id.is_(None), "missing"), (MISPLACED, "misplaced"), else_="found")
    stmt = (sa.select(*_COLUMNS, outcome.label("result"), *_COUNTED).select_from(E)
            .join(Asset, Asset.id == E.asset_id)
            .join(_expected_at, _expected_at.id == E.location_id)
            .outerjoin(C, (C.stocktake_id == E.stocktake_id) & (C.asset_id == E.asset_id))
            .outerjoin(_seen_at, _seen_at.id == C.location_id)
            .outerjoin(User, User.id == C.actor_id)
            .where(E.stocktake_id == stocktake_id))
    where = {"missing": C.id.is_(None), "misplaced": MISPLACED,
             "found": sa.and_(C.id.is_not(None), sa.not_(MISPLACED))}
    return stmt.where(where[result]) if result else stmt


def _unexpected_lines(stocktake_id: int) -> sa.Select:
    """Counted but not in the snapshot; "expected at" is where the register had it when it
    was counted (where it has it now, for counts from before that was kept)."""
    registered = sa.func.coalesce(C.register_location_id, Asset.location_id)
    return (sa.select(*_COLUMNS, sa.literal("unexpected").label("result"), *_COUNTED)
            .select_from(C).join(Asset, Asset.id == C.asset_id)
            .outerjoin(_expected_at, _expected_at.id == registered)
            .outerjoin(_seen_at, _seen_at.id == C.location_id)
            .join(User, User.id == C.actor_id)
            .outerjoin(E, (E.stocktake_id == C.stocktake_id) & (E.asset_id == C.asset_id))
            .where(C.stocktake_id == stocktake_id, E.asset_id.is_(None)))


def lines(stocktake: Stocktake, result: str | None = None, limit: int | None = None, *,
          status: AssetStatus | None = None) -> list:
    """Rows (asset_id, tag, name, status, expected_at, seen_at, result, how, counted_at,
    counted_by) by tag: all of them, or those with one result (and one asset status)."""
    if result == "unexpected":
        stmt = _unexpected_lines(stocktake.id).order_by(Asset.tag)
    elif result:
        stmt = _expected_lines(stocktake.id, result).order_by(Asset.tag)
    else:
        both = sa.union_all(_expected_lines(stocktake.id, None),
                            _unexpected_lines(stocktake.id)).subquery()
        stmt = sa.select(both).order_by(both.c.tag)
    if result and status is not None:
        stmt = stmt.where(Asset.status == status)
    return db.session.execute(stmt.limit(limit)).all()


def phone_view(stocktake: Stocktake) -> dict:
    """Everything the phone needs to walk the stock-take offline, as plain rows."""
    expected = db.session.execute(
        sa.select(Asset.tag, Location.code).select_from(E)
        .join(Asset, Asset.id == E.asset_id).join(Location, Location.id == E.location_id)
        .where(E.stocktake_id == stocktake.id)).all()
    outcome = sa.case((E.asset_id.is_(None), "unexpected"), (MISPLACED, "misplaced"),
                      else_="found")
    counted = db.session.execute(
        sa.select(Asset.tag, Location.code, outcome, C.how).select_from(C)
        .join(Asset, Asset.id == C.asset_id).outerjoin(Location, Location.id == C.location_id)
        .outerjoin(E, (E.stocktake_id == C.stocktake_id) & (E.asset_id == C.asset_id))
        .where(C.stocktake_id == stocktake.id)).all()
    return {"rooms": [{"code": r.code, "name": r.name, "expected": r.expected}
                      for r in progress(stocktake)[1] if r.code],
            "expected": [{"tag": t, "location": loc} for t, loc in expected],
            "counted": [{"tag": t, "location": loc, "result": r, "how": h}
                        for t, loc, r, h in counted]}


def accuracy_history(location_id: int | None = None, limit: int = 500) -> list[Stocktake]:
    """Finished stock-takes, by location, then oldest first: found / expected over time."""
    stmt = (sa.select(Stocktake).options(so.joinedload(Stocktake.location))
            .where(Stocktake.status == StocktakeStatus.FINISHED)
            .order_by(Stocktake.location_id, Stocktake.finished_at).limit(limit))
    if location_id:
        stmt = stmt.where(Stocktake.location_id == location_id)
    return db.session.scalars(stmt).all()


@dataclass
class Seen:
    """An asset counted without its label being scanned, and why."""

    reason: str
    photos: list[str]


def seen(stocktake: Stocktake) -> dict[int, Seen]:
    """asset id -> why it was counted as "seen", with its photos, from the counts' events."""
    rows = db.session.execute(
        sa.select(C.asset_id, Event.data).join(Event, Event.id == C.event_id)
        .where(C.stocktake_id == stocktake.id, C.how == "seen"))
    return {asset_id: Seen(data.get("reason", ""), list(data.get("photos") or []))
            for asset_id, data in rows}


def unknown(stocktake: Stocktake) -> list:
    """Codes scanned during the walk that named no asset: (code, room code, who, when)."""
    return db.session.execute(
        sa.select(StocktakeUnknown.code, Location.code.label("room"),
                  sa.func.coalesce(sa.func.nullif(User.name, ""), User.email).label("by"),
                  StocktakeUnknown.seen_at)
        .outerjoin(Location, Location.id == StocktakeUnknown.location_id)
        .join(User, User.id == StocktakeUnknown.actor_id)
        .where(StocktakeUnknown.stocktake_id == stocktake.id)
        .order_by(StocktakeUnknown.seen_at)).all()
