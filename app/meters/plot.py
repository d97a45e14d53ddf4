"""A meter's readings as the numbers of a server-side SVG line: downsampled to a few hundred
points (the lowest and highest of each slice of time, so a spike survives), scaled to the
drawing. The template draws it; nothing here writes markup."""
from dataclasses import dataclass
from datetime import datetime, timedelta

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 28  # room for the axis labels
SLICES = 300  # at most two points each


@dataclass
class Plot:
    line: str  # "x,y x,y ..." for a polyline
    y_low: float
    y_high: float
    start: datetime
    end: datetime
    target_y: float | None = None
    trend: str = ""  # "x1,y1 x2,y2": from the last reading to the projected date, dashed
    shown: int = 0  # points drawn
    width: int = WIDTH
    height: int = HEIGHT


def downsample(points: list, slices: int = SLICES) -> list:
    """At most 2 * slices points: each slice of time keeps its lowest and highest, in order."""
    if len(points) <= 2 * slices:
        return list(points)
    start, span = points[0].at, (points[-1].at - points[0].at) or timedelta(seconds=1)
    buckets: dict[int, list] = {}
    for p in points:
        key = min(int((p.at - start) / span * slices), slices - 1)
        low_high = buckets.get(key)
        if low_high is None:
            buckets[key] = [p, p]
        else:
            if p.value < low_high[0].value:
                low_high[0] = p
            if p.value > low_high[1].value:
                low_high[1] = p
    kept = []
    for key in sorted(buckets):
        low, high = buckets[key]
        kept += sorted({low, high}, key=lambda q: q.at)
    return kept


def plot(points: list, target: float | None = None, due: datetime | None = None) -> Plot | None:
    """The drawing of `points` (oldest first), with the target as a line and the trend to the
    projected date when it falls within the plotted span again."""
    if not points:
        return None
    shown = downsample(points)
    start, end = shown[0].at, shown[-1].at
    values = [p.value for p in shown]
    low, high = min(values), max(values)
    if due is not None and end < due <= end + max(end - start, timedelta(days=1)):
        end_x = due
    else:
        end_x, due = end, None
    if target is not None and (due is not None or low <= target <= high + (high - low)):
        low, high = min(low, target), max(high, target)
    if high == low:
        low, high = low - 1, high + 1
    span = (end_x - start).total_seconds() or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at):
        return LEFT + (at - start).total_seconds() / span * inner_w

    def y(value):
        return TOP + (high - value) / (high - low) * inner_h

    line = " ".join(f"{x(p.at):.1f},{y(p.value):.1f}" for p in shown)
    drawn = Plot(line, low, high, start, end_x, shown=len(shown))
    if target is not None and low <= target <= high:
        drawn.target_y = round(y(target), 1)
    if due is not None:
        last = shown[-1]
        drawn.trend = f"{x(last.at):.1f},{y(last.value):.1f} {x(due):.1f},{y(target):.1f}"
    return drawn
