"""When a counter will reach a value: a least-squares line of value over time, its projected
date, and how sure the fit is of it. Pure arithmetic on (time, value) pairs."""
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
    """When the line fitted through `points` (a counter's readings since its last reset, in
    time order) reaches `target`, with a 95% interval from the fit's standard error (inverse
    prediction by the delta method: exact readings give an interval of zero width)."""
    n = len(points)
    if n < MIN_READINGS or points[-1][0] - points[0][0] < MIN_SPAN:
        return Projection("not_enough_data", f"Not enough data: a projection needs at least "
                          f"{MIN_READINGS} readings over a day or more.", target, sample=n)
    origin = points[0][0]
    xs = [(at - origin).total_seconds() / DAY for at, _ in points]
    ys = [value for _, value in points]
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    if ys[-1] >= target:
        return Projection("reached", f"Reached: the last reading ({ys[-1]:g}) is at or past "
                          f"{target:g}.", target, rate_per_day=slope, sample=n)
    if slope <= 0:
        return Projection("not_rising", "Not rising: the readings do not go up, so no date "
                          "can be projected.", target, rate_per_day=slope, sample=n)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    s = math.sqrt(residual / (n - 2)) if n > 2 else 0.0
    x_due = (target - intercept) / slope
    # Var(x*) ~ s^2 / b^2 * (1/n + (x* - mean_x)^2 / Sxx): the fitted line's error at x*,
    # carried through the slope to the time axis.
    spread = t95(n - 2) * s / slope * math.sqrt(1 / n + (x_due - mean_x) ** 2 / sxx)
    if x_due - xs[-1] > HORIZON_DAYS:
        return Projection("not_rising", f"Not within {HORIZON_DAYS // 365} years at "
                          f"{slope:.3g} a day.", target, rate_per_day=slope, sample=n)
    due = origin + timedelta(days=x_due)
    earliest = origin + timedelta(days=max(x_due - spread, xs[-1]))
    # Past the horizon the fit does not bound it: the page says so instead of a date.
    latest = (origin + timedelta(days=x_due + spread)
              if x_due + spread - xs[-1] <= HORIZON_DAYS else None)
    words = (f"About {due:%Y-%m-%d}, ± {spread:.1f} days (95%, from the fit of {n} readings, "
             f"{slope:.3g} a day).")
    return Projection("projected", words, target, due, earliest, latest, slope, n, spread)
