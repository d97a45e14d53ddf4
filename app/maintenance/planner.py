"""The planner: which occurrences of the schedules fall due within a horizon, and the orders
it opens for them through the pipeline (work_order_open), each once. Deciding is set-based
(a handful of queries whatever the number of assets); opening is one event per order.

The orders are opened by the planner's own account, not the schedule's creator: an order is
nobody's decision at the moment it is made, a schedule outlives the person who wrote it (a
deactivated creator must not stop the maintenance), and the event's data names the schedule,
which names its creator, so the trail still says who asked for it. The account cannot sign
in: it is inactive and nobody knows its password."""
import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.assets.models import Asset
from app.auth.models import NOBODY_PASSWORD_HASH, User
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.pipeline import EventIn, apply_event, server_event_id
from app.lifecycle.states import ON_HAND
from app.maintenance.models import CLOSED, WorkOrder, WorkOrderKind
from app.maintenance.schedules import Schedule, ScheduleOccurrence
from app.meters import service as meters
from app.meters.models import Meter, Reading
from app.timeutil import utcnow

PLANNER_EMAIL = "planner@tagtrail.invalid"
# How much of its interval a schedule keeps on an asset of each criticality: all of it
# unless MAINTENANCE_CRITICALITY_FACTORS says otherwise (FLASK_MAINTENANCE_CRITICALITY_FACTORS
# as JSON, e.g. {"critical": 0.5, "high": 0.75}). Off by default: a schedule that says every
# 15,000 km should mean it until the organisation decides its critical assets need more.
FACTORS = {"critical": 1.0, "high": 1.0, "medium": 1.0, "low": 1.0}
CHUNK = 200  # orders opened in one transaction; also the size of an IN (...) list


def planner_user() -> User:
    """The planner's account, made on first use."""
    user = db.session.scalar(sa.select(User).where(User.email == PLANNER_EMAIL))
    if user is None:
        try:
            with db.session.begin_nested():
                user = User(email=PLANNER_EMAIL, name="Maintenance planner", role=Role.MANAGER,
                            password_hash=NOBODY_PASSWORD_HASH, active=False)
                db.session.add(user)
        except IntegrityError:  # another planner made it a moment ago
            user = db.session.scalar(sa.select(User).where(User.email == PLANNER_EMAIL))
    return user


def _factors() -> dict[str, float]:
    """What each criticality keeps of an interval: at most all of it, at least a twentieth."""
    factors = FACTORS | dict(current_app.config.get("MAINTENANCE_CRITICALITY_FACTORS") or {})
    return {str(k): min(1.0, max(0.05, float(v))) for k, v in factors.items()}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def step(schedule: Schedule, base: date, k: int, f: float) -> date:
    """The k-th calendar occurrence after `base`, its interval shortened by `f`."""
    if schedule.every_days:
        return base + timedelta(days=max(1, round(k * schedule.every_days * f)))
    span = (add_months(base, k * schedule.every_months) - base).days
    return base + timedelta(days=max(1, round(span * f)))


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.4g}"


@dataclass
class Due:
    schedule: Schedule
    asset_id: int
    tag: str
    seq: int
    due: date
    reason: str
    due_units: float | None = None
    kind: str = WorkOrderKind.PREVENTIVE


@dataclass
class Plan:
    due: list[Due] = field(default_factory=list)
    overdue: list[tuple[Schedule, str, WorkOrder]] = field(default_factory=list)  # still open
    made: int = 0
    already: int = 0  # made by another planner meanwhile
    refused: list[str] = field(default_factory=list)


@dataclass
class Last:
    seq: int
    due: date
    due_units: float | None
    status: str
    closed_at: datetime | None
    number: str
    order_id: str
    occurrence_id: int
    cleared_at: datetime | None


def _targets(schedules: list[Schedule], only: set[int] | None = None
             ) -> dict[int, list[tuple[int, str, str]]]:
    """Per schedule, its assets on hand: (id, tag, criticality) — the models' in one query
    for all the model schedules; `only` keeps to these asset ids."""
    by_model = defaultdict(list)
    model_ids = {s.model_id for s in schedules if s.model_id}
    asset_ids = {s.asset_id for s in schedules if s.asset_id}
    # The criticality as plain text: 100,000 enum conversions are a tenth of the planning.
    cols = (Asset.id, Asset.tag, sa.type_coerce(Asset.criticality, sa.String).label("crit"),
            Asset.model_id)
    single = {}
    if model_ids:
        stmt = sa.select(*cols).where(Asset.model_id.in_(model_ids), Asset.status.in_(ON_HAND))
        if only is not None:
            stmt = stmt.where(Asset.id.in_(sorted(only)))
        for row in db.session.execute(stmt):
            by_model[row.model_id].append((row.id, row.tag, row.crit))
    for chunk in _chunks(sorted(asset_ids)):
        for row in db.session.execute(sa.select(*cols).where(
                Asset.id.in_(chunk), Asset.status.in_(ON_HAND))):
            single[row.id] = (row.id, row.tag, row.crit)
    return {s.id: (by_model[s.model_id] if s.model_id else
                   [single[s.asset_id]] if s.asset_id in single else []) for s in schedules}


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _lasts(schedule_ids: list[int]) -> dict[tuple[int, int], Last]:
    """The newest occurrence of each (schedule, asset), with its order's status, in one
    query."""
    if not schedule_ids:
        return {}
    occ = ScheduleOccurrence
    newest = (sa.select(occ.schedule_id, occ.asset_id, sa.func.max(occ.seq).label("seq"))
              .where(occ.schedule_id.in_(schedule_ids))
              .group_by(occ.schedule_id, occ.asset_id).subquery())
    rows = db.session.execute(
        sa.select(occ.schedule_id, occ.asset_id, occ.seq, occ.due, occ.due_units, occ.id,
                  occ.cleared_at, WorkOrder.status, WorkOrder.closed_at, WorkOrder.number,
                  WorkOrder.id.label("order_id"))
        .join(newest, sa.and_(newest.c.schedule_id == occ.schedule_id,
                              newest.c.asset_id == occ.asset_id, newest.c.seq == occ.seq))
        .join(WorkOrder, WorkOrder.id == occ.work_order_id))
    return {(r.schedule_id, r.asset_id): Last(r.seq, r.due, r.due_units, r.status, r.closed_at,
                                              r.number, r.order_id, r.id, r.cleared_at)
            for r in rows}


def _meters(schedules: list[Schedule], targets) -> dict[tuple[int, str], Meter]:
    wanted = defaultdict(set)  # meter name -> asset ids
    for s in schedules:
        if s.meter:
            wanted[s.meter].update(t[0] for t in targets[s.id])
    found = {}
    for name, ids in wanted.items():
        for chunk in _chunks(sorted(ids)):
            for meter in db.session.scalars(sa.select(Meter).where(
                    Meter.name == name, Meter.asset_id.in_(chunk))):
                found[(meter.asset_id, name)] = meter
    return found


def _value_at(meter: Meter, moment: datetime) -> float:
    """The meter's value at a moment: its last reading then (0 before the first)."""
    value = db.session.scalar(sa.select(Reading.value).where(
        Reading.meter_id == meter.id, Reading.at <= moment)
        .order_by(Reading.at.desc()).limit(1))
    return float(value) if value is not None else 0.0


def _calendar(schedule: Schedule, last: Last | None, f: float, today: date):
    """The next calendar occurrence: (seq, due, reason)."""
    every = (f"every {schedule.every_days} days" if schedule.every_days else
             f"every {schedule.every_months} month{'s' * (schedule.every_months != 1)}")
    if f < 1:
        every += f" (x{f:g} for its criticality)"
    if schedule.floating:
        if last is not None and last.closed_at is not None:
            done = last.closed_at.date()
            return last.seq + 1, step(schedule, done, 1, f), f"{every}, last done {done}"
        seq = (last.seq if last else 0) + 1
        return seq, step(schedule, schedule.start, 1, f), f"{every}, from {schedule.start}"
    k = (last.seq if last else 0) + 1
    # Missed occurrences (the planner did not run) are not all made: the newest one is.
    while step(schedule, schedule.start, k + 1, f) <= today:
        k += 1
    return k, step(schedule, schedule.start, k, f), f"{every} from {schedule.start}"


def _units(schedule: Schedule, last: Last | None, meter: Meter | None, f: float,
           today: date, base: float | None):
    """The next meter occurrence: (due date or None, due units, reason)."""
    if meter is None or meter.last_value is None:
        return None, None, ""
    every = schedule.every_units * f
    unit = f" {meter.unit}" if meter.unit else ""
    if base is None:  # fixed: every multiple of the interval
        previous = last.due_units if last is not None and last.due_units is not None else 0.0
        target = previous + every
    else:
        target = base + every
    value = meter.last_value
    if value >= target + every:  # several passed unplanned: the newest is the one due
        target = (base or 0.0) + (value - (base or 0.0)) // every * every
    words = f"{_n(value)}{unit}, due at {_n(target)}{unit}"
    if f < 1:
        words += f" (every {_n(every)}{unit}: x{f:g} for its criticality)"
    if value >= target:
        return today, target, words
    guess = meters.projection(meter, target)
    if guess is None or guess.due is None:
        return None, target, words
    return guess.due.date(), target, f"{words}, projected {guess.due.date()}"


def decide(days: int = 14, today: date | None = None) -> Plan:
    """What falls due within `days`, and what is overdue because its previous order is still
    open. Reads, writes nothing."""
    today = today or utcnow().date()
    horizon = today + timedelta(days=days)
    schedules = db.session.scalars(sa.select(Schedule).where(
        Schedule.active.is_(True), Schedule.above.is_(None), Schedule.below.is_(None))
        .order_by(Schedule.id)).all()
    targets = _targets(schedules)
    lasts = _lasts([s.id for s in schedules])
    meter_of = _meters(schedules, targets)
    plan = Plan()
    factors = _factors()
    for schedule in schedules:
        calendar_part = schedule.every_days or schedule.every_months
        lead, every_units = timedelta(days=schedule.lead_days), schedule.every_units
        # Assets of a model mostly share their answer: the same factor and the same last
        # occurrence (fixed) or last completion day (floating) give the same next one.
        known: dict[tuple, tuple] = {}
        for asset_id, tag, criticality in targets[schedule.id]:
            last = lasts.get((schedule.id, asset_id))
            f = factors.get(criticality, 1.0)
            seq, due, reason, units = (last.seq if last else 0) + 1, None, "", None
            if calendar_part:
                key = (f, last.seq if last else 0, last.closed_at.date()
                       if schedule.floating and last and last.closed_at else None)
                if key not in known:
                    known[key] = _calendar(schedule, last, f, today)
                seq, due, reason = known[key]
            if every_units:
                meter = meter_of.get((asset_id, schedule.meter))
                base = None
                if (schedule.floating or calendar_part) and meter is not None:
                    # Whichever came first restarts both: the meter counts on from its
                    # reading when the last order was closed.
                    base = (0.0 if last is None else _value_at(meter, last.closed_at)
                            if last.closed_at is not None else last.due_units or 0.0)
                by_meter, units, words = _units(schedule, last, meter, f, today, base)
                if by_meter is not None and (due is None or by_meter < due):
                    due, reason = by_meter, words
                    seq = (last.seq if last else 0) + 1
            if due is None or due - lead > horizon:
                continue
            if last is not None and last.status not in CLOSED:
                plan.overdue.append((schedule, tag, last))
                continue
            if last is not None and seq <= last.seq:
                continue  # this occurrence is made already
            plan.due.append(Due(schedule, asset_id, tag, seq, due, reason, units))
    return plan


def _open(item: Due, actor: User) -> str:
    """Open one occurrence's order: 'made', 'already' (another planner made it) or the
    pipeline's refusal."""
    ident = server_event_id("schedule", item.schedule.id, item.asset_id, item.seq)
    today = utcnow().date()
    due = max(item.due, today - timedelta(days=365))
    data = {"work_order": ident, "kind": str(item.kind), "title": item.schedule.title,
            "due": due.isoformat(), "reason": item.reason[:300],
            "checklist": list(item.schedule.checklist or []),
            "schedule": item.schedule.id}
    try:
        with db.session.begin_nested():
            outcome = apply_event(EventIn("work_order_open", item.tag, data, id=ident,
                                          device="planner"), actor=actor)
            if outcome.status == "duplicate":
                return "already"
            if outcome.status != "applied":
                raise _Refused(outcome.reason)
            db.session.add(ScheduleOccurrence(
                schedule_id=item.schedule.id, asset_id=item.asset_id, seq=item.seq,
                due=item.due, due_units=item.due_units, work_order_id=ident))
            db.session.flush()  # the unique key answers here, or waits for the other planner
    except IntegrityError:
        return "already"
    except _Refused as exc:
        return str(exc)
    return "made"


class _Refused(Exception):
    pass


def open_all(plan: Plan, items: list[Due]) -> None:
    """Open the orders of `items`, committing every CHUNK: one long transaction would hold
    the chain's lock from every other writer, and its savepoints keep every object made in
    the session, so each flush would get slower. A planner that takes the lock meanwhile
    finds these orders made (the unique key, the event ids)."""
    actor = planner_user()
    for n, item in enumerate(items, start=1):
        result = _open(item, actor)
        if result == "made":
            plan.made += 1
        elif result == "already":
            plan.already += 1
        else:
            plan.refused.append(f"{item.tag} ({item.schedule.title}): {result}")
        if n % CHUNK == 0 and n < len(items):
            db.session.commit()
            audit.lock_chain()  # again, before the next savepoint


def run(days: int = 14, today: date | None = None, *, thresholds: bool = True) -> Plan:
    """Decide, then open the orders due (and the threshold triggers crossed), committing
    every CHUNK orders; the caller commits the rest."""
    # The chain's lock first, before reading: a second planner waits here until the first
    # has committed, then finds its orders (on SQLite, a reader cannot become a writer later).
    audit.lock_chain()
    plan = decide(days, today)
    open_all(plan, plan.due)
    if thresholds:
        made, refused = evaluate_thresholds(None)
        plan.made += made
        plan.refused += refused
    return plan


# --- threshold triggers ----------------------------------------------------------------------

def _crossed(schedule: Schedule, value: float) -> bool:
    return value > schedule.above if schedule.above is not None else value < schedule.below


def evaluate_thresholds(meter_ids: set[int] | None) -> tuple[int, list[str]]:
    """Raise one predictive order where a meter's latest value is past its schedule's
    threshold: none while the previous one is open, and a new one only once the value has
    been seen back on the right side since (hysteresis). `meter_ids` limits it to meters a
    batch just read (None: all). Cheap: a few queries for the whole batch."""
    stmt = sa.select(Schedule).where(Schedule.active.is_(True), sa.or_(
        Schedule.above.is_not(None), Schedule.below.is_not(None)))
    only = None
    if meter_ids is not None:
        # Only the schedules that can name these meters, and only their assets: a batch on
        # one meter must not read every asset of a model with a threshold.
        read = db.session.execute(sa.select(Meter.asset_id, Meter.name, Asset.model_id)
                                  .join(Asset, Asset.id == Meter.asset_id)
                                  .where(Meter.id.in_(sorted(meter_ids)))).all()
        only = {row.asset_id for row in read}
        stmt = stmt.where(Schedule.meter.in_({row.name for row in read}), sa.or_(
            Schedule.asset_id.in_(only),
            Schedule.model_id.in_({row.model_id for row in read if row.model_id})))
    schedules = db.session.scalars(stmt).all()
    if not schedules:
        return 0, []
    targets = _targets(schedules, only)
    if only is not None:
        targets = {k: [t for t in v if t[0] in only] for k, v in targets.items()}
    found = _meters(schedules, targets)
    if meter_ids is not None:
        found = {k: m for k, m in found.items() if m.id in meter_ids}
        if not found:
            return 0, []
    audit.lock_chain()  # outside the savepoints below; a feed's batch holds it already
    lasts = _lasts([s.id for s in schedules])
    actor, made, refused = None, 0, []
    for schedule in schedules:
        for asset_id, tag, _criticality in targets[schedule.id]:
            meter = found.get((asset_id, schedule.meter))
            if meter is None or meter.last_value is None:
                continue
            value, last = meter.last_value, lasts.get((schedule.id, asset_id))
            crossed = _crossed(schedule, value)
            if last is not None and last.cleared_at is None:
                if not crossed:  # back on the right side: the next crossing counts again
                    db.session.get(ScheduleOccurrence, last.occurrence_id).cleared_at = utcnow()
                continue
            if not crossed or (last is not None and last.status not in CLOSED):
                continue
            unit = f" {meter.unit}" if meter.unit else ""
            side = (f"above {_n(schedule.above)}{unit}" if schedule.above is not None
                    else f"below {_n(schedule.below)}{unit}")
            at = meter.last_at.strftime("%Y-%m-%d %H:%M") if meter.last_at else "now"
            item = Due(schedule, asset_id, tag, (last.seq if last else 0) + 1,
                       utcnow().date(), f"{meter.name} {_n(value)}{unit}, {side} at {at}",
                       value, WorkOrderKind.PREDICTIVE)
            actor = actor or planner_user()
            result = _open(item, actor)
            if result == "made":
                made += 1
            elif result != "already":
                refused.append(f"{tag} ({schedule.title}): {result}")
    return made, refused


READ_KEY = "tagtrail.meters_read"  # session.info: meters a person's reading event read


def reading_kept(meter_id: int) -> None:
    """A person's reading (a `reading` event, from a phone's sync or a page) was kept: its
    meter's thresholds are evaluated once, when the transaction commits, however many
    readings it holds."""
    db.session.info.setdefault(READ_KEY, set()).add(meter_id)


@sa.event.listens_for(so.Session, "before_commit")
def _evaluate_read_meters(session) -> None:
    read = session.info.pop(READ_KEY, None)
    if read and session is db.session():
        evaluate_thresholds(read)


def readings_stored(meter_ids: set[int]) -> None:
    """The hook a feed's batch calls once it has stored readings: once per batch, for the
    meters it read."""
    if meter_ids:
        evaluate_thresholds(meter_ids)
