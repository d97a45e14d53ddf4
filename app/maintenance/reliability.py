"""Reliability figures as the maintenance profession defines them (SMRP best-practice metrics):

- MTBF = operating hours / failures. Only failures count: preventive and other planned work
  is not a failure, however long it stops the asset.
- MTTR = repair hours of those failures / failures, a repair lasting from the stop until the
  asset is back in service.
- Availability = operating hours / (operating hours + downtime hours), downtime of any kind.
- PM compliance = preventive orders completed by their due date / preventive orders due.
- Planned share = planned maintenance hours / all maintenance hours.

Operating hours are the hours each asset was in service in the period (from when it was
registered, up to its retirement) minus its downtime: calendar hours, not an hours meter.
Each figure carries its formula, its inputs and the sample it rests on, and is None with the
reason when the sample is below MINIMUM."""
from dataclasses import dataclass, field
from datetime import date, datetime

MINIMUM_FAILURES = 2  # one failure gives no "between"
MINIMUM_DUE = 3  # preventive orders due, for a compliance figure
HOUR = 3600


@dataclass(frozen=True)
class Stop:
    """A spell of maintenance on one asset: from `stopped` to `back` in service."""

    asset: int
    stopped: datetime
    back: datetime | None  # None: still stopped at the period's end
    failure: bool
    planned: bool  # preventive or predictive work, done on purpose


@dataclass(frozen=True)
class Due:
    """A preventive order that fell due in the period, and when it was completed."""

    due: date
    done: date | None


@dataclass(frozen=True)
class InService:
    asset: int
    since: datetime
    until: datetime | None = None  # retired or disposed


@dataclass
class Figure:
    value: float | None
    formula: str
    inputs: dict
    sample: int
    reason: str | None = None

    def as_json(self) -> dict:
        return {"value": self.value, "formula": self.formula, "inputs": self.inputs,
                "sample": self.sample, "reason": self.reason}


@dataclass
class Report:
    start: datetime
    end: datetime
    assets: int
    figures: dict[str, Figure] = field(default_factory=dict)

    def as_json(self) -> dict:
        figures = {name: figure.as_json() for name, figure in self.figures.items()}
        return {"failures": self.figures["mtbf_hours"].sample,
                **{name: figure.value for name, figure in self.figures.items()},
                "sample": {"assets": self.assets, "from": self.start.isoformat() + "Z",
                           "to": self.end.isoformat() + "Z"},
                "figures": figures}


def _hours(seconds: float) -> float:
    return round(seconds / HOUR, 2)


def _clip(start: datetime, end: datetime | None, lo: datetime, hi: datetime) -> float:
    """Seconds of [start, end) inside [lo, hi)."""
    end = hi if end is None else min(end, hi)
    return max(0.0, (end - max(start, lo)).total_seconds())


def report(service: list[InService], stops: list[Stop], due: list[Due],
           start: datetime, end: datetime) -> Report:
    # Each asset counts from when it entered service (or the period's start) to when it left
    # (or the period's end); its stops count only inside that span.
    spans = {s.asset: (max(s.since, start), min(s.until or end, end)) for s in service}
    in_service = sum(max(0.0, (hi - lo).total_seconds()) for lo, hi in spans.values())

    def down(stop: Stop) -> float:
        lo, hi = spans.get(stop.asset, (start, end))
        return _clip(stop.stopped, stop.back, lo, hi)

    # A stop counts if it overlaps the period, or happened in it without stopping the asset
    # (a failure mended while it kept running).
    inside = [s for s in stops if down(s) > 0 or start <= s.stopped < end]
    downtime = sum(map(down, inside))
    # A failure belongs to the period it happened in; its repair runs until the asset is
    # back (or, if it is not back yet, until the period's end or the asset left service).
    failures = [s for s in inside if s.failure and start <= s.stopped < end]

    def repaired(stop: Stop) -> float:
        back = stop.back or spans.get(stop.asset, (start, end))[1]
        return max(0.0, (back - stop.stopped).total_seconds())

    repair = sum(map(repaired, failures))
    planned = sum(down(s) for s in inside if s.planned)
    operating = max(0.0, in_service - downtime)
    result = Report(start, end, len(service))

    n = len(failures)
    short = None if n >= MINIMUM_FAILURES else (
        f"not enough data: {n} failure{'s' if n != 1 else ''} in the period, "
        f"{MINIMUM_FAILURES} needed")
    result.figures["mtbf_hours"] = Figure(
        None if short else _hours(operating / n), "operating hours / failures",
        {"operating_hours": _hours(operating), "failures": n}, n, short)
    result.figures["mttr_hours"] = Figure(
        None if short else _hours(repair / n), "repair hours of failures / failures",
        {"repair_hours": _hours(repair), "failures": n}, n, short)
    total = operating + downtime
    result.figures["availability"] = Figure(
        round(operating / total, 4) if total else None,
        "operating hours / (operating hours + downtime hours)",
        {"operating_hours": _hours(operating), "downtime_hours": _hours(downtime)},
        len(service), None if total else "no asset was in service in the period")
    on_time = sum(1 for d in due if d.done is not None and d.done <= d.due)
    result.figures["pm_compliance"] = Figure(
        round(on_time / len(due), 4) if len(due) >= MINIMUM_DUE else None,
        "preventive orders done by their due date / preventive orders due",
        {"done_on_time": on_time, "due": len(due)}, len(due),
        None if len(due) >= MINIMUM_DUE else
        f"not enough data: {len(due)} preventive orders due, {MINIMUM_DUE} needed")
    result.figures["planned_share"] = Figure(
        round(planned / downtime, 4) if downtime else None,
        "planned maintenance hours / all maintenance hours",
        {"planned_hours": _hours(planned), "maintenance_hours": _hours(downtime)},
        len(inside), None if downtime else "no maintenance in the period")
    return result
