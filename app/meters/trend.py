"""When a counter will reach a value: its rate of use, the projected date, and how sure the
readings make it. Pure arithmetic on (time, value) pairs."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_READINGS = 3
MIN_SPAN = timedelta(days=1)
# Student's t for a two-sided 95% interval, by degrees of freedom (n - 2); 1.96 past 30.
T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26,
       10: 2.23, 12: 2.18, 15: 2.13, 20: 2.09, 25: 2.06, 30: 2.04}
DAY = 86400.0
HORIZON_DAYS = 100 * 365  # further than this is no date anybody plans for


def t95(df: int) -> float:
    if df > 30:
        return 1.96
    return T95[max(k for k in T95 if k <= df)]


@dataclass
class Projection:
    status: str  # "projected" | "not_enough_data" | "not_rising" | "reached"
    message: str  # what the page says, in words
    target: float | None = None
    due: datetime | None = None
    earliest: datetime | None = None  # the 95% interval around `due`
    latest: datetime | None = None  # None with a due date: the fit cannot bound it above
    rate_per_day: float | None = None
    sample: int = 0
    spread_days: float | None = None  # the half-width of the interval, in days

    def as_json(self) -> dict:
        def iso(value):
            return value.isoformat(timespec="seconds") + "Z" if value else None
        return {"status": self.status, "message": self.message, "target": self.target,
                "due": iso(self.due), "earliest": iso(self.earliest), "latest": iso(self.latest),
                "plus_minus_days": self.spread_days, "rate_per_day": self.rate_per_day,
                "sample": self.sample}


def project(points: list[tuple[datetime, float]], target: float) -> Projection:
    """When a counter read at `points` (its readings since its last reset, in time order)
    reaches `target`, with a 95% interval.

    A counter's readings are a running total, so their errors pile up: a line fitted through
    the totals treats neighbouring readings as independent and states an interval far too
    narrow. The model here is usage at a steady rate with day-to-day variation (a random walk
    with drift): the rate is the total used over the time taken, its variance is estimated
    from how unevenly each interval between readings used it, and the interval around the
    date carries both the rate's uncertainty and the variation still to come. Exact readings
    at an exact rate give an interval of zero width."""
    n = len(points)
    if n < MIN_READINGS or points[-1][0] - points[0][0] < MIN_SPAN:
        return Projection("not_enough_data", f"Not enough data: a projection needs at least "
                          f"{MIN_READINGS} readings over a day or more.", target, sample=n)
    origin = points[0][0]
    xs = [(at - origin).total_seconds() / DAY for at, _ in points]
    ys = [value for _, value in points]
    span = xs[-1]
    rate = (ys[-1] - ys[0]) / span
    if ys[-1] >= target:
        return Projection("reached", f"Reached: the last reading ({ys[-1]:g}) is at or past "
                          f"{target:g}.", target, rate_per_day=rate, sample=n)
    if rate <= 0:
        return Projection("not_rising", "Not rising: the readings do not go up, so no date "
                          "can be projected.", target, rate_per_day=rate, sample=n)
    steps = [(xs[i] - xs[i - 1], ys[i] - ys[i - 1]) for i in range(1, n) if xs[i] > xs[i - 1]]
    # Each step's use differs from rate * its length with a variance of sigma2 * its length.
    sigma2 = sum((dy - rate * dx) ** 2 / dx for dx, dy in steps) / max(len(steps) - 1, 1)
    ahead = (target - ys[-1]) / rate  # days from the last reading
    if ahead > HORIZON_DAYS:
        return Projection("not_rising", f"Not within {HORIZON_DAYS // 365} years at "
                          f"{rate:.3g} a day.", target, rate_per_day=rate, sample=n)
    # Var(time to go) ~ (the rate's error carried to the time axis) + (the use still to come).
    remaining = target - ys[-1]
    variance = remaining ** 2 * sigma2 / (rate ** 4 * span) + sigma2 * ahead / rate ** 2
    spread = t95(max(len(steps) - 1, 1)) * math.sqrt(variance)
    x_due = span + ahead
    due = origin + timedelta(days=x_due)
    earliest = origin + timedelta(days=max(x_due - spread, span))
    # Past the horizon the fit does not bound it: the page says so instead of a date.
    latest = origin + timedelta(days=x_due + spread) if ahead + spread <= HORIZON_DAYS else None
    words = (f"About {due:%Y-%m-%d}, ± {spread:.1f} days (95%, from {n} readings over "
             f"{span:.0f} days at {rate:.3g} a day).")
    return Projection("projected", words, target, due, earliest, latest, rate, n, spread)
