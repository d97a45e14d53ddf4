"""Books benchmark: the depreciation report over 100,000 assets, and one asset's book value.

    .venv/bin/python -m tests.bench.bench_books [--quick]

On SQLite (a temporary file) and PostgreSQL (a database of its own on the server in
TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test; skipped with a note when
that default is not reachable). 100,000 assets (written in bulk, not through the pipeline) in
4 categories of 5 models each and 10 departments, bought over ten years at costs to the cent
that rarely repeat; profiles on the categories, on 5 models and on 500 single assets, every
method and convention among them. Measured:
- the report for a fiscal year, grouped by department and by category, target under 2 s;
- one asset's book value as of a date (the database reads included), target a median under
  5 ms, with a cold and a warm cache of fractions (the 95th percentile is printed too);
- that the report's total equals the sum of 2,000 assets' own book values (a spot check)."""
import argparse
import random
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import sqlalchemy as sa
from flask_migrate import upgrade

from app.extensions import db
from app.finance import books, report
from app.finance.models import Book
from app.timeutil import utcnow
from tests.bench.databases import make_app, on_each, print_figures

REPORT_TARGET_S = 2.0
VALUE_TARGET_MS = 5.0
SINGLE = 500
METHODS = ["straight_line", "declining_then_straight", "sum_of_years", "double_declining"]
CONVENTIONS = ["full_month", "mid_month", "half_year", "mid_quarter", "actual_days"]


def main(quick: bool = False) -> int:
    n = 20_000 if quick else 100_000
    figures = []
    try:
        on_each("tagtrail-bench-books-", partial(run, n=n), figures)
    finally:
        print_figures(figures)
    return 0


def seed(n: int) -> None:
    upgrade()
    db.engine.dispose()
    tables = db.metadata.tables
    rng = random.Random(15)
    db.session.execute(tables["category"].insert(), [
        {"id": c, "name": f"Category {c}", "holds_data": False} for c in range(1, 5)])
    db.session.execute(tables["asset_model"].insert(), [{
        "id": m, "name": f"Model {m}", "manufacturer": "Acme", "model_number": f"M{m}",
        "category_id": (m - 1) // 5 + 1, "useful_life_months": 48} for m in range(1, 21)])
    db.session.execute(tables["department"].insert(), [
        {"id": d, "code": f"D{d}", "name": f"Department {d}"} for d in range(1, 11)])
    db.session.execute(tables["location"].insert(), [{"id": 1, "code": "S1", "name": "Site 1",
                                                      "kind": "site", "path": "/1/"}])
    now = utcnow()
    first = date(2017, 1, 1)
    for start in range(0, n, 10_000):
        db.session.execute(tables["asset"].insert(), [{
            "tag": f"B{i:06d}", "name": "Thing", "status": "deployed", "criticality": "medium",
            "model_id": rng.randint(1, 20), "location_id": 1, "department_id": rng.randint(1, 10),
            "purchase_cost": Decimal(rng.randint(5_000, 5_000_000)) / 100,
            "purchase_date": first + timedelta(days=rng.randrange(3650)), "version": 0,
            "search_text": f"b{i:06d} thing", "created_at": now, "updated_at": now}
            for i in range(start, min(n, start + 10_000))])
    book = db.session.scalar(sa.select(Book).where(Book.name == "company"))  # the migration's
    profiles = db.metadata.tables["depreciation_profile"]

    def profile(k: int, **target) -> dict:
        return {"book_id": book.id, "category_id": None, "model_id": None, "asset_id": None,
                "method": METHODS[k % 4], "factor": None, "life_months": 36 + 12 * (k % 4),
                "salvage_percent": Decimal(k % 3 * 5), "convention": CONVENTIONS[k % 5],
                "start_from": "purchase", "updated_at": now} | target

    rows = [profile(c, category_id=c) for c in range(1, 5)]
    rows += [profile(m, model_id=m) for m in range(1, 21, 4)]
    ids = db.session.scalars(sa.select(tables["asset"].c.id).order_by(
        tables["asset"].c.id).limit(SINGLE)).all()
    rows += [profile(i, asset_id=i) for i in ids]
    db.session.execute(profiles.insert(), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def run(backend: str, url: str, folder: str, n: int) -> list[tuple]:
    app = make_app(url, folder)
    figures = []
    with app.app_context():
        started = time.perf_counter()
        seed(n)
        print(f"{backend}: {n:,} assets and {SINGLE + 9} profiles in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        for group in report.GROUPS:
            books.fraction.cache_clear()
            timed = []
            for _ in range(3):
                started = time.perf_counter()
                result = report.depreciation_report(2026, group, "company")
                timed.append(time.perf_counter() - started)
                db.session.rollback()
            ok = "ok" if timed[0] < REPORT_TARGET_S else \
                f"OVER the {REPORT_TARGET_S:.0f} s target"
            figures.append((backend, f"report FY2026 by {group} ({result.total.assets:,} "
                                     f"assets)", f"{timed[0]:.2f} s cold, "
                                                 f"{min(timed[1:]):.2f} s warm ({ok})"))
        figures.append(_one_value(backend, n))
        figures.append(_spot_check(backend, result))
        db.session.remove()
        db.engine.dispose()
    return figures


def _one_value(backend: str, n: int) -> tuple:
    rng = random.Random(7)
    books.fraction.cache_clear()
    cold, warm = [], []
    for _ in range(200):
        tag = f"B{rng.randrange(n):06d}"
        for times in (cold, warm):
            started = time.perf_counter()
            books.valuation(books.asset_by_tag(tag), "company", date(2026, 6, 30))
            times.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    p95 = sorted(cold)[int(len(cold) * 0.95)]
    median = statistics.median(cold)
    ok = "ok" if median < VALUE_TARGET_MS else f"OVER the {VALUE_TARGET_MS:.0f} ms target"
    return (backend, "book value of one asset (200 tags)",
            f"median {median:.2f} ms cold, {statistics.median(warm):.2f} ms "
            f"warm ({ok}); p95 {p95:.2f} ms")


def _spot_check(backend: str, result: report.Report) -> tuple:
    """The category report's group for Category 1 against its assets' own book values."""
    line = next(x for x in result.lines if x.group == "Category 1")
    tables = db.metadata.tables
    asset, model = tables["asset"], tables["asset_model"]
    tags = db.session.scalars(sa.select(asset.c.tag).join(model, asset.c.model_id == model.c.id)
                              .where(model.c.category_id == 1,
                                     asset.c.purchase_date <= date(2026, 12, 31))).all()
    total = sum(books.valuation(books.asset_by_tag(t), "company", date(2026, 12, 31)).book_value
                for t in tags)
    same = int(total * 100) == line.book_value
    return (backend, f"report == sum of {len(tags):,} book values (Category 1)",
            "equal" if same else f"DIFFERENT: {total} vs {line.book_value / 100}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20,000 assets")
    main(quick=parser.parse_args().quick)
