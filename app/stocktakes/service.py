"""Starting, following and closing stock-takes, and reconciling the register with what was
counted. Scans arrive as stocktake_scan events (app/stocktakes/scans.py); every change to an
asset here goes through the lifecycle pipeline. The caller commits."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.assets.models import Asset
from app.auth.models import User
from app.errors import Duplicate, InvalidTransition, NotFound
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_batch, server_event_id
from app.lifecycle.states import PLANNED, AssetStatus
from app.org.models import Location
from app.org.service import descendant_ids
from app.stocktakes.models import (
    Stocktake,
    StocktakeCount,
    StocktakeExpected,
    StocktakeStatus,
)
from app.timeutil import utcnow

E, C = StocktakeExpected, StocktakeCount
NOT_PHYSICAL = PLANNED | {AssetStatus.DISPOSED}  # never expected on a shelf
# Counted in another room than the snapshot's (a scan naming no room counts as found).
MISPLACED = sa.and_(C.location_id.is_not(None), C.location_id != E.location_id)
# Events per transaction, as in a sync batch: a long reconciliation commits as it goes.
COMMIT_EVERY = 500


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
        Asset.location_id.in_(descendant_ids(location)), Asset.status.not_in(NOT_PHYSICAL))
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


def finish(stocktake: Stocktake, *, actor: User) -> Stocktake:
    _must_be_open(stocktake, "finished")
    stocktake.status = StocktakeStatus.FINISHED
    stocktake.finished_at, stocktake.finished_by = utcnow(), actor
    stocktake.found_count = progress(stocktake)[0].found
    return stocktake


def cancel(stocktake: Stocktake, *, actor: User) -> Stocktake:
    _must_be_open(stocktake, "cancelled")
    stocktake.status = StocktakeStatus.CANCELLED
    stocktake.finished_at, stocktake.finished_by = utcnow(), actor
    return stocktake


def _must_be_open(stocktake: Stocktake, verb: str) -> None:
    if stocktake.status is not StocktakeStatus.OPEN:
        raise InvalidTransition(f"Stock-take #{stocktake.id} is {stocktake.status}; only an "
                                f"open one can be {verb}.", {"status": str(stocktake.status)})


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
    """Counted but not in the snapshot; "expected at" is where the register has it now."""
    return (sa.select(*_COLUMNS, sa.literal("unexpected").label("result"), *_COUNTED)
            .select_from(C).join(Asset, Asset.id == C.asset_id)
            .outerjoin(_expected_at, _expected_at.id == Asset.location_id)
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


@dataclass
class Summary:
    """What a bulk action did: applied now, done by an earlier run, or skipped and why."""

    action: str
    applied: int = 0
    already: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (tag, reason)

    def __str__(self) -> str:
        text = f"{self.action}: {self.applied} done"
        if self.already:
            text += f", {self.already} already done before"
        if self.skipped:
            reasons = "; ".join(f"{tag}: {why}" for tag, why in self.skipped[:5])
            more = f" and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
            text += f", {len(self.skipped)} skipped ({reasons}{more})"
        return text + "."


ACTIONS = {"mark_missing_lost": "Mark missing assets lost",
           "move_misplaced": "Move misplaced assets to where they were seen",
           "take_unexpected": "Take unexpected assets into the rooms they were seen in",
           "mark_found": "Mark found the counted assets the register had as missing"}


def reconcile(stocktake: Stocktake, action: str, *, actor: User) -> Summary:
    """Apply one bulk action to a finished stock-take. Its events have ids the server derives
    from the stock-take, the action and the asset, so running it again changes nothing. Commits
    every COMMIT_EVERY events; the caller commits the rest."""
    if action not in ACTIONS:
        raise NotFound(f"Unknown reconciliation {action!r}.", {"action": sorted(ACTIONS)})
    if stocktake.status is not StocktakeStatus.FINISHED:
        raise InvalidTransition("Finish the stock-take before reconciling it: scans may "
                                "still arrive.", {"status": str(stocktake.status)})
    result = {"mark_missing_lost": "missing", "move_misplaced": "misplaced",
              "take_unexpected": "unexpected", "mark_found": "found"}[action]
    # mark_found: counted where expected, but the register says missing.
    rows = lines(stocktake, result, status=AssetStatus.MISSING if action == "mark_found" else None)
    summary = Summary(ACTIONS[action])
    events = []
    for row in rows:
        event_type, data = _event_for(action, row, f"Stock-take #{stocktake.id}")
        if event_type is None:
            summary.skipped.append((row.tag, data["why"]))
            continue
        events.append(EventIn(event_type, row.tag, data, device=f"stocktake-{stocktake.id}",
                              id=server_event_id("reconcile", stocktake.id, action, row.asset_id)))
    for start in range(0, len(events), COMMIT_EVERY):
        if start:
            db.session.commit()  # safe to stop anywhere: a re-run skips what is done
        chunk = events[start:start + COMMIT_EVERY]
        for event, outcome in zip(chunk, apply_batch(chunk, actor=actor), strict=True):
            if outcome.status == "applied":
                summary.applied += 1
            elif outcome.status == "duplicate" or outcome.code == "id_reused":
                summary.already += 1  # by an earlier run (id_reused: another manager's)
            else:
                summary.skipped.append((event.asset, outcome.reason))
    return summary


def _event_for(action: str, row, note: str) -> tuple[str | None, dict]:
    if action == "mark_missing_lost":
        return "mark_lost", {"note": f"{note}: not found."}
    if row.status == AssetStatus.MISSING:  # it turned up after all, where it was seen
        return "mark_found", {"note": note} | ({"location": row.seen_at} if row.seen_at else {})
    if row.seen_at is None:
        return None, {"why": "the scan named no room"}
    return "transfer", {"to_location": row.seen_at, "note": note}




def accuracy_history(location_id: int | None = None, limit: int = 500) -> list[Stocktake]:
    """Finished stock-takes, by location, then oldest first: found / expected over time."""
    stmt = (sa.select(Stocktake).options(so.joinedload(Stocktake.location))
            .where(Stocktake.status == StocktakeStatus.FINISHED)
            .order_by(Stocktake.location_id, Stocktake.finished_at).limit(limit))
    if location_id:
        stmt = stmt.where(Stocktake.location_id == location_id)
    return db.session.scalars(stmt).all()


@dataclass
class NotSeen:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def not_seen_days() -> int:
    return current_app.config["NOT_SEEN_DAYS"]


def not_seen(days: int | None = None, page: int = 1, per_page: int = 50) -> NotSeen:
    """Assets on hand (not planned, not disposed) with no physical event in `days` days,
    never-seen ones first, then the longest unseen."""
    cutoff: datetime = utcnow() - timedelta(days=days or not_seen_days())
    last = (sa.select(Event.asset_id, sa.func.max(Event.occurred_at).label("seen"))
            .where(Event.type.in_(types.physical())).group_by(Event.asset_id).subquery())
    where = (Asset.status.not_in(NOT_PHYSICAL),
             sa.or_(last.c.seen.is_(None), last.c.seen < cutoff))
    stmt = (sa.select(Asset.tag, Asset.name, Asset.status, Location.code.label("location"),
                      Location.name.label("location_name"), last.c.seen)
            .outerjoin(last, last.c.asset_id == Asset.id)
            .outerjoin(Location, Location.id == Asset.location_id).where(*where)
            .order_by(last.c.seen.asc().nulls_first(), Asset.tag)
            .limit(per_page).offset((page - 1) * per_page))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Asset)
                              .outerjoin(last, last.c.asset_id == Asset.id).where(*where))
    return NotSeen(db.session.execute(stmt).all(), total, page, per_page)
