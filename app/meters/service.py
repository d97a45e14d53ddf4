"""Meters and readings: making a meter, checking a reading against its neighbours in time,
storing one (a person's, through the pipeline) or a feed's batch (in bulk), and what the
planner and the asset page read back: latest(), series(), projection(), stale meters."""
import bisect
import hashlib
import json
import math
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from app import inputs
from app.assets.models import Asset, tag_key
from app.auth.models import User
from app.errors import BadRequest, DomainError, Duplicate, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import audit, states
from app.lifecycle.pipeline import EventIn, apply_batch, canonical_id
from app.meters.models import Meter, MeterKind, Reading
from app.meters.trend import Projection, project
from app.timeutil import EARLIEST, LATEST, isoformat, parse_datetime, utcnow

MAX_BATCH = 10_000  # readings in one POST /api/v1/readings
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of the server a meter's clock may run
LIMIT = 1e12  # no meter reads more than this, either way: a larger value is a fault
FIT_WINDOW = 1000  # the newest readings since the last reset a projection is fitted to
# Readings sent without an id get one from their content, so a feed that resends a batch
# stores nothing twice.
NAMESPACE = uuid.UUID("6b1f3c0e-5a1d-4c8e-9a57-2f0d3e8b7c41")


def create_meter(asset: Asset, *, name: str, kind: str, unit: str = "",
                 target: float | None = None, stale_after_days: int | None = None) -> Meter:
    """A new meter on `asset`; its name is unique on the asset."""
    name = name.strip()
    if not name:
        raise ValidationFailed("A meter needs a name.", {"name": "required"})
    if asset.status in states.ABSENT:
        raise ValidationFailed(f"{asset.tag} is {asset.status.replace('_', ' ')}: it has no "
                               "meters to read.", {"asset": str(asset.status)})
    if db.session.scalar(sa.select(Meter.id).where(Meter.asset_id == asset.id,
                                                   Meter.name == name)):
        raise Duplicate(f"{asset.tag} has a meter named {name!r} already.", {"name": "taken"})
    meter = Meter(asset=asset, name=name, kind=MeterKind(kind), unit=unit.strip(),
                  target=target, stale_after_days=stale_after_days)
    db.session.add(meter)
    db.session.flush()
    return meter


def meters_of(asset: Asset) -> list[Meter]:
    return db.session.scalars(sa.select(Meter).where(Meter.asset_id == asset.id)
                              .order_by(Meter.name)).all()


def find_meter(asset: Asset, name) -> Meter:
    meter = db.session.scalar(sa.select(Meter).where(Meter.asset_id == asset.id,
                                                     Meter.name == str(name).strip()))
    if meter is None:
        raise NotFound(f"{asset.tag} has no meter named {name!r}.", {"meter": str(name)})
    return meter


class Point(NamedTuple):
    """A reading as the checks and plots use it (a row of series() has the same names)."""

    at: datetime
    value: float
    reset: bool = False


def _db_neighbours(meter_id: int, at: datetime) -> tuple[Point | None, Point | None]:
    """The stored readings just before (or at) `at` and just after it."""
    columns = (Reading.at, Reading.value, Reading.reset)
    before = db.session.execute(sa.select(*columns).where(
        Reading.meter_id == meter_id, Reading.at <= at).order_by(Reading.at.desc())
        .limit(1)).first()
    after = db.session.execute(sa.select(*columns).where(
        Reading.meter_id == meter_id, Reading.at > at).order_by(Reading.at).limit(1)).first()
    return (Point(*before) if before else None), (Point(*after) if after else None)


def _neighbours(meter: Meter, at: datetime) -> tuple[Point | None, Point | None]:
    if meter.last_at is None:
        return None, None
    if at >= meter.last_at:  # the usual case, a reading newer than all: no query
        return Point(meter.last_at, meter.last_value), None
    return _db_neighbours(meter.id, at)


def _when(at: datetime) -> str:
    return isoformat(at)


def problem(meter: Meter, point: Point, before: Point | None, after: Point | None) -> str | None:
    """Why `point` cannot be a reading of `meter` between `before` and `after`, or None. A
    counter's reading is at least the one before it and at most the one after it, unless a
    reset lies between (the reading itself, or the one after)."""
    if meter.kind is not MeterKind.COUNTER:
        return None
    if before is not None and not point.reset and point.value < before.value:
        return (f"The counter {meter.name} would go backwards: {point.value:g} at "
                f"{_when(point.at)} is below {before.value:g} at {_when(before.at)}. Send "
                '"reset": true if it was reset.')
    if after is not None and not after.reset and point.value > after.value:
        return (f"The counter {meter.name} would go backwards: {point.value:g} at "
                f"{_when(point.at)} is above {after.value:g}, read later at "
                f"{_when(after.at)}.")
    return None


def check_time(at: datetime, now: datetime | None = None) -> str | None:
    if at > (now or utcnow()) + CLOCK_SKEW:
        return (f"This reading is in the future ({_when(at)}); check the clock of whatever "
                "sent it.")
    return None


def check_value(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "A reading's value is a number."
    if not math.isfinite(value) or abs(value) > LIMIT:
        return f"A reading's value is a finite number of at most {LIMIT:g} either way."
    return None


def check_reading(meter: Meter, point: Point) -> None:
    """Refuse a person's reading that the meter cannot have taken (ValidationFailed)."""
    reason = check_value(point.value) or check_time(point.at)
    if reason is None:
        db.session.flush()  # earlier readings of this transaction count as neighbours
        reason = problem(meter, point, *_neighbours(meter, point.at))
    if reason:
        raise ValidationFailed(reason, {"value": point.value, "at": _when(point.at)})


def _remember(meter: Meter, point: Point) -> None:
    if meter.last_at is None or point.at >= meter.last_at:
        meter.last_at, meter.last_value = point.at, float(point.value)


def keep(meter: Meter, point: Point, *, id: str, actor_id: int, source: str,
         batch: str) -> Reading:
    """The row of a reading already checked; the meter remembers its newest."""
    _remember(meter, point)
    return Reading(id=id, meter=meter, at=point.at, value=float(point.value), reset=point.reset,
                   source=source, actor_id=actor_id, received_at=utcnow(), batch=batch)


# --- batches from feeds --------------------------------------------------------------------

@dataclass
class _Row:
    index: int
    id: str
    tag: str
    meter: str
    point: Point
    meter_id: int | None = None


def _parse(index: int, raw, now: datetime) -> _Row | str:
    if not isinstance(raw, dict):
        return "A reading is a JSON object."
    sent = raw.get("id")
    if sent is not None and canonical_id(sent) is None:
        return "A reading's id is a UUID."
    tag, name = raw.get("asset"), raw.get("meter")
    if not isinstance(tag, str) or not tag.strip() or len(tag) > 64:
        return "Which asset? A reading names its asset's tag."
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        return "Which meter? A reading names its meter."
    # Only these fields are read or stored, so only they need to be text a database takes.
    reason = inputs.text_problem(tag) or inputs.text_problem(name)
    if reason:
        return f"This reading cannot be taken: {reason}."
    value = raw.get("value")
    reason = check_value(value)
    if reason:
        return reason
    try:
        at = parse_datetime(raw["at"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return (f"A reading's at is an ISO 8601 time such as 2026-12-03T09:30:00Z, between "
                f"{EARLIEST.year} and {LATEST.year}.")
    reason = check_time(at, now)
    if reason:
        return reason
    reset = raw.get("reset", False)
    if not isinstance(reset, bool):
        return "reset is true or false."
    point = Point(at, float(value), reset)
    key = f"{tag_key(tag)}/{name.strip()}/{at.isoformat()}/{float(value)!r}/{reset}"
    ident = canonical_id(sent) if sent is not None else str(uuid.uuid5(NAMESPACE, key))
    return _Row(index, ident, tag.strip(), name.strip(), point)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def store_batch(raws: list, *, actor: User, device: str = "api") -> list[dict]:
    """Store a feed's readings in bulk, each judged on its own: stored, duplicate (the same id
    and content again) or rejected with a reason, in the order sent. The audit trail gets one
    `readings` event per asset of the batch, naming how many it stored and their SHA-256.
    The caller commits."""
    if not isinstance(raws, list):
        raise BadRequest('Send {"readings": [...]}: a list of readings.', {"readings": "list"})
    if len(raws) > MAX_BATCH:
        raise BadRequest(f"{len(raws):,} readings in one request; the limit is {MAX_BATCH:,}: "
                         "send them in smaller batches. Nothing was stored.",
                         {"readings": len(raws), "limit": MAX_BATCH})
    audit.lock_chain()  # writers line up here, so each meter's newest reading holds still
    now = utcnow()
    results: list[dict | None] = [None] * len(raws)
    rows: list[_Row] = []
    for index, raw in enumerate(raws):
        parsed = _parse(index, raw, now)
        if isinstance(parsed, str):
            sent = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) \
                and inputs.problem(raw.get("id")) is None else None
            results[index] = _rejected(sent, parsed)
        else:
            rows.append(parsed)
    assets = _assets({tag_key(r.tag) for r in rows})
    meters = _meters([a.id for a in assets.values()])
    stored = _stored([r.id for r in rows])
    refusal = {key: _may_read(asset, actor) for key, asset in assets.items()}
    accepted: dict[int, list[Point]] = defaultdict(list)  # meter id -> this batch's, by time
    kept: dict[str, _Row] = {}
    inserts: list[dict] = []
    received, batch = utcnow(), str(uuid.uuid4())
    for row in sorted(rows, key=lambda r: (r.point.at, r.index)):
        asset = assets.get(tag_key(row.tag))
        meter = meters.get((asset.id, row.meter)) if asset is not None else None
        row.meter_id = meter.id if meter is not None else None
        results[row.index] = _judge(row, asset, meter, refusal, stored, kept, accepted)
        if results[row.index]["status"] == "stored":
            kept[row.id] = row
            bisect.insort(accepted[meter.id], row.point, key=lambda p: p.at)
            _remember(meter, row.point)
            inserts.append({"id": row.id, "meter_id": meter.id, "at": row.point.at,
                            "value": row.point.value, "reset": row.point.reset,
                            "source": "api", "actor_id": actor.id, "received_at": received,
                            "batch": batch})
    if inserts:
        # Core, not the ORM: the rows need none of its bookkeeping, and 10,000 of them in
        # one executemany is most of the point of a batch.
        db.session.execute(sa.insert(Reading.__table__), inserts)
        _summaries(inserts, batch, assets, {m.id: m for m in meters.values()}, actor, device)
        from app.maintenance import planner  # maintenance reads meters: import it late
        planner.readings_stored({r["meter_id"] for r in inserts})  # once per batch
    return results


def _rejected(ident, reason: str) -> dict:
    return {"id": ident, "status": "rejected", "reason": reason}


def _judge(row: _Row, asset, meter, refusal, stored, kept, accepted) -> dict:
    earlier = kept.get(row.id)
    known = stored.get(row.id) if earlier is None else (
        earlier.meter_id, earlier.point.at, earlier.point.value, earlier.point.reset)
    if known is not None:
        if (row.meter_id, row.point.at, row.point.value, row.point.reset) == known:
            return {"id": row.id, "status": "duplicate", "reason": "already stored"}
        return _rejected(row.id, "This reading id was already used by another reading (another "
                         "meter, time or value); give each reading an id of its own.")
    if asset is None:
        return _rejected(row.id, f"There is no asset with the tag {row.tag!r}.")
    if refusal[tag_key(row.tag)]:
        return _rejected(row.id, refusal[tag_key(row.tag)])
    if meter is None:
        return _rejected(row.id, f"{asset.tag} has no meter named {row.meter!r}.")
    # The stored neighbours (the meter remembers this batch's newest too), then the nearer
    # of those and this batch's own, not yet written.
    before, after = _neighbours(meter, row.point.at)
    mine = accepted[meter.id]
    i = bisect.bisect_right(mine, row.point.at, key=lambda p: p.at)
    if i and (before is None or mine[i - 1].at >= before.at):
        before = mine[i - 1]
    if i < len(mine) and (after is None or mine[i].at <= after.at):
        after = mine[i]
    reason = problem(meter, row.point, before, after)
    if reason:
        return _rejected(row.id, reason)
    return {"id": row.id, "status": "stored"}


def _may_read(asset: Asset, actor: User) -> str:
    try:
        states.check("readings", asset.status, actor.role, label="record readings of",
                     past="read")
    except DomainError as exc:
        return exc.message
    return ""


def _assets(keys: set[str]) -> dict[str, Asset]:
    found = {}
    for chunk in _chunks(sorted(keys)):
        for asset in db.session.scalars(sa.select(Asset).where(
                sa.func.upper(Asset.tag).in_(chunk))):
            found[tag_key(asset.tag)] = asset
    return found


def _meters(asset_ids: list[int]) -> dict[tuple[int, str], Meter]:
    found = {}
    for chunk in _chunks(asset_ids):
        for meter in db.session.scalars(sa.select(Meter).where(Meter.asset_id.in_(chunk))):
            found[(meter.asset_id, meter.name)] = meter
    return found


def _stored(ids: list[str]) -> dict[str, tuple]:
    found = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in db.session.execute(sa.select(Reading.id, Reading.meter_id, Reading.at,
                                                Reading.value, Reading.reset)
                                      .where(Reading.id.in_(chunk))):
            found[row.id] = tuple(row[1:])
    return found


def digest(readings: list) -> str:
    """The SHA-256 of stored rows (Readings, or their columns as dicts), in id order: the
    audit event of their batch seals it."""
    def fields(r):
        r = r if isinstance(r, dict) else {c: getattr(r, c) for c in
                                           ("id", "meter_id", "at", "value", "reset")}
        return [r["id"], r["meter_id"], r["at"].isoformat(), repr(float(r["value"])),
                bool(r["reset"])]
    rows = sorted(fields(r) for r in readings)
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


def _summaries(inserts: list[dict], batch: str, assets, meters: dict[int, Meter], actor: User,
               device: str) -> None:
    by_asset: dict[int, list[dict]] = defaultdict(list)
    for reading in inserts:
        by_asset[meters[reading["meter_id"]].asset_id].append(reading)
    tags = {asset.id: asset.tag for asset in assets.values()}
    events = []
    for asset_id, readings in by_asset.items():
        counts: dict[str, int] = defaultdict(int)
        for reading in readings:
            counts[meters[reading["meter_id"]].name] += 1
        ats = [r["at"] for r in readings]
        events.append(EventIn("readings", tags[asset_id], {
            "batch": batch, "count": len(readings), "meters": dict(sorted(counts.items())),
            "first": isoformat(min(ats)), "last": isoformat(max(ats)),
            "sha256": digest(readings)}, device=device))
    for outcome in apply_batch(events, actor=actor):
        if outcome.status != "applied":  # checked per asset above, so never: say so loudly
            raise RuntimeError(f"readings summary not applied: {outcome.reason}")


# --- reading back --------------------------------------------------------------------------

def latest(meter: Meter) -> Reading | None:
    """The meter's newest reading (by the time it was taken), for the planner."""
    return db.session.scalar(sa.select(Reading).where(Reading.meter_id == meter.id)
                             .order_by(Reading.at.desc()).limit(1))


def readings_query(meter: Meter, since: datetime | None = None, until: datetime | None = None):
    """The meter's readings, newest first, between two times: a select to page through."""
    stmt = sa.select(Reading).where(Reading.meter_id == meter.id)
    if since is not None:
        stmt = stmt.where(Reading.at >= since)
    if until is not None:
        stmt = stmt.where(Reading.at < until)
    return stmt.order_by(Reading.at.desc(), Reading.id)


def series(meter: Meter) -> list[Point]:
    """Every reading of the meter as (at, value, reset), oldest first: plain rows, past the
    ORM (the asset page reads 10,000 of them in a few milliseconds)."""
    return db.session.connection().execute(
        sa.select(Reading.at, Reading.value, Reading.reset)
        .where(Reading.meter_id == meter.id).order_by(Reading.at)).all()


def recent(meter: Meter, limit: int = FIT_WINDOW) -> list[Point]:
    """The newest `limit` readings since the meter's last reset (that one included), oldest
    first: what a projection is fitted to and a stale meter is judged by."""
    reset_at = db.session.scalar(sa.select(sa.func.max(Reading.at)).where(
        Reading.meter_id == meter.id, Reading.reset.is_(True)))
    stmt = sa.select(Reading.at, Reading.value, Reading.reset).where(Reading.meter_id == meter.id)
    if reset_at is not None:
        stmt = stmt.where(Reading.at >= reset_at)
    rows = db.session.connection().execute(stmt.order_by(Reading.at.desc()).limit(limit))
    return [Point(*row) for row in rows][::-1]


def _epoch(column):
    """Seconds since 1970 of a stored time, in SQL, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", column)
    return (sa.func.julianday(column) - 2440587.5) * 86400.0


def outline(meter: Meter, slices: int) -> tuple[list[Point], int]:
    """(points to plot, readings in all): every reading when there are few, else the lowest
    and highest of each of `slices` slices of time, worked out by the database, so a plot of
    a long history reads a few hundred rows instead of all of them. The low point is put at
    its slice's first time and the high at its last: exact for a counter, and within a
    slice's width (under a pixel or two) for a gauge."""
    first, last, count = db.session.execute(sa.select(
        sa.func.min(Reading.at), sa.func.max(Reading.at), sa.func.count())
        .where(Reading.meter_id == meter.id)).one()
    if count <= 2 * slices:
        return [Point(*row) for row in series(meter)], count
    origin = (first - datetime(1970, 1, 1)).total_seconds()
    width = (last - first).total_seconds() / slices or 1.0
    raw = sa.func.floor((_epoch(Reading.at) - origin) / width)
    # The first and last reading sit on the edges: rounding must not make a slice of its own.
    bucket = sa.case((raw < 0, 0), (raw > slices - 1, slices - 1), else_=raw).label("bucket")
    rows = db.session.connection().execute(
        sa.select(bucket, sa.func.min(Reading.at), sa.func.max(Reading.at),
                  sa.func.min(Reading.value), sa.func.max(Reading.value))
        .where(Reading.meter_id == meter.id).group_by(bucket).order_by(bucket))
    points = []
    for _, start, end, low, high in rows:
        points.append(Point(start, low))
        if end != start:
            points.append(Point(end, high))
    return points, count


def since_reset(points: list[Point]) -> list[Point]:
    start = max((i for i, p in enumerate(points) if p.reset), default=0)
    return points[start:]


def projection(meter: Meter, target: float | None = None,
               points: list[Point] | None = None) -> Projection | None:
    """When a counter reaches `target` (default: the meter's own), from the trend of its
    readings since the last reset; None for a gauge or with no target. A stale meter gets
    no date: its last trend says nothing of now."""
    target = meter.target if target is None else target
    if meter.kind is not MeterKind.COUNTER or target is None:
        return None
    points = since_reset(recent(meter) if points is None else points)[-FIT_WINDOW:]
    quiet = stale_for(meter, points)
    if quiet is not None:
        return Projection("stale", f"Stale: no reading for {quiet.days} days, longer than "
                          "expected; read the meter before trusting a due date.", target,
                          sample=len(points))
    return project([(p.at, p.value) for p in points], target)


def expected_gap(meter: Meter, points: list[Point]) -> timedelta:
    """How long the meter may go without a reading: its own setting, else three times its
    usual gap between the last readings, and at least a day."""
    if meter.stale_after_days:
        return timedelta(days=meter.stale_after_days)
    recent = points[-21:]
    gaps = [(b.at - a.at) for a, b in zip(recent, recent[1:], strict=False)]
    usual = statistics.median(gaps) if gaps else timedelta(0)
    return max(3 * usual, timedelta(days=1))


def stale_for(meter: Meter, points: list[Point] | None = None,
              now: datetime | None = None) -> timedelta | None:
    """How long the meter has been quiet, if longer than expected; None if it is not."""
    if meter.last_at is None:
        return None  # never read: nothing to go stale
    quiet = (now or utcnow()) - meter.last_at
    if points is None:
        points = [Point(at, 0.0) for at in db.session.scalars(
            sa.select(Reading.at).where(Reading.meter_id == meter.id)
            .order_by(Reading.at.desc()).limit(21))][::-1]
    return quiet if quiet > expected_gap(meter, points) else None


def stale_meters(now: datetime | None = None) -> list[tuple[Meter, timedelta]]:
    """Every meter quiet for longer than expected, the longest quiet first."""
    meters = db.session.scalars(sa.select(Meter).where(Meter.last_at.is_not(None))
                                .order_by(Meter.last_at)).all()
    found = [(m, quiet) for m in meters if (quiet := stale_for(m, now=now)) is not None]
    return sorted(found, key=lambda pair: pair[1], reverse=True)
