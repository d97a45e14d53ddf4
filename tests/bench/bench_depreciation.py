"""Depreciation benchmark: the engine alone (pure functions, no database or server).

    .venv/bin/python -m tests.bench.bench_depreciation [--quick]

- the book value of one asset as of a date mid-life, for every method, on a profile made
  afresh each time so the cache of a profile's yearly amounts never helps (the cost of
  valuing an asset not valued before), target under 5 ms; and the same profile again (warm);
- a monthly schedule over a 10-year life (120 periods), for every method;
- the worst case the API takes: a 100-year life, declining then straight line by days, as of
  a date near its end."""
import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from app.finance.depreciation import METHODS, Profile, book_value, schedule

BOOK_VALUE_TARGET_MS = 5.0


def make(method: str, n: int, **fields) -> Profile:
    extra = {"units_of_production": {"units": [Decimal(1000 + n % 7)] * 10,
                                     "total_units": Decimal(12000), "units_period": "year"},
             "declining_balance": {"factor": Decimal("1.5")}}.get(method, {})
    # A cost of its own for each n: a new profile, as for an asset valued the first time.
    base = {"cost": Decimal(25_000) + Decimal(n) / 100, "salvage": Decimal(1_000),
            "method": method, "life_months": 120, "start": date(2024, 5, 17),
            "convention": "mid_quarter", "fiscal_year_start": 4}
    return Profile(**base | extra | fields)


def timed(work, repeats: int) -> float:
    """The median milliseconds of work(i) over `repeats` calls."""
    times = []
    for i in range(repeats):
        began = time.perf_counter()
        work(i)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main(quick: bool = False) -> int:
    repeats = 200 if quick else 2_000
    as_of = date(2029, 8, 20)
    figures = []
    for method in METHODS:
        cold = timed(lambda i, m=method: book_value(make(m, i), as_of), repeats)
        warm_profile = make(method, -1)
        warm = timed(lambda _i, p=warm_profile: book_value(p, as_of), repeats)
        sched = timed(lambda i, m=method: schedule(make(m, i), "month"), repeats // 10)
        mark = "ok" if cold < BOOK_VALUE_TARGET_MS else "ABOVE TARGET"
        figures.append((method, f"{cold:.3f} ms ({mark}), warm {warm:.3f} ms",
                        f"{sched:.2f} ms"))
    worst = timed(lambda i: book_value(make(
        "declining_then_straight", i, life_months=1200, convention="actual_days"),
        date(2123, 12, 31)), repeats // 10)
    print(f"{'method':<24} {'book value as of a date (new profile)':<40} 10-year monthly schedule")
    for method, value, sched in figures:
        print(f"{method:<24} {value:<40} {sched}")
    mark = "ok" if worst < BOOK_VALUE_TARGET_MS else "ABOVE TARGET"
    print(f"\nbook value, 100-year life, declining then straight by days: {worst:.3f} ms ({mark})")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_depreciation")
    parser.add_argument("--quick", action="store_true", help="200 repeats instead of 2,000")
    raise SystemExit(main(quick=parser.parse_args().quick))
