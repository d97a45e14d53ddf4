"""Planner benchmark: deciding what falls due over 100,000 assets, and opening the orders.

    .venv/bin/python -m tests.bench.bench_planner [--quick]

On SQLite (a temporary file) and PostgreSQL (a database of its own on the server in
TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test; skipped with a note when
that default is not reachable). 100,000 assets of one model and 100,000 completed work orders
(written in bulk, not through the pipeline: that is the register's benchmark), one schedule on
the model and 1,000 schedules on single assets, all falling due within the horizon. Measured apart:
- the planning decision (planner.decide: a few queries, then arithmetic), target under 10 s;
- opening orders, each a work_order_open event through the pipeline with its occurrence row,
  over the first OPENED of the plan, as orders per second and what 100,000 would take (the
  orders already there are what numbering the next one must not scan);
- a second decision once those are open (they are then read as the previous occurrence)."""
import argparse
import time
import uuid
from datetime import timedelta
from functools import partial

import sqlalchemy as sa
from flask_migrate import upgrade

from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.maintenance import planner
from app.maintenance.schedules import Schedule
from app.timeutil import utcnow
from tests.bench.databases import make_app, on_each, print_figures

DECIDE_TARGET_S = 10.0
SINGLE = 1_000  # schedules on one asset each
OPENED = 2_000  # orders opened through the pipeline, to measure the rate


def main(quick: bool = False) -> int:
    n = 20_000 if quick else 100_000
    figures = []
    try:
        on_each("tagtrail-bench-planner-", partial(run, n=n), figures)
    finally:
        print_figures(figures)
    return 0


def seed(n: int) -> None:
    upgrade()
    db.engine.dispose()
    admin = User(email="admin@bench.example", role=Role.ADMIN, password_hash="-")
    db.session.add(admin)
    tables = db.metadata.tables
    db.session.execute(tables["category"].insert(), [{"id": 1, "name": "Pumps",
                                                      "holds_data": False}])
    db.session.execute(tables["asset_model"].insert(), [{
        "id": 1, "name": "Pump P1", "manufacturer": "Acme", "model_number": "P1",
        "category_id": 1, "useful_life_months": 120}])
    db.session.execute(tables["location"].insert(), [{"id": 1, "code": "S1", "name": "Site 1",
                                                      "kind": "site", "path": "/1/"}])
    now = utcnow()
    levels = ["low", "medium", "medium", "high", "critical"]
    for start in range(0, n, 10_000):
        db.session.execute(tables["asset"].insert(), [{
            "tag": f"P{i:06d}", "name": "Pump", "status": "deployed",
            "criticality": levels[i % 5], "model_id": 1, "location_id": 1, "version": 0,
            "search_text": f"p{i:06d} pump", "created_at": now, "updated_at": now}
            for i in range(start, min(n, start + 10_000))])
    db.session.flush()
    today = now.date()
    # Due in 5 days on every asset (and sooner where MAINTENANCE_CRITICALITY_FACTORS says).
    db.session.add(Schedule(title="Quarterly check", model_id=1, every_days=30,
                            start=today - timedelta(days=25), created_by=admin,
                            checklist=["Seals", "Vibration"]))
    ids = db.session.scalars(sa.select(tables["asset"].c.id).order_by(
        tables["asset"].c.id).limit(SINGLE)).all()
    db.session.add_all([Schedule(title="Monthly filter", asset_id=i, every_months=1,
                                 start=today - timedelta(days=25), created_by=admin)
                        for i in ids])
    _done_orders(n, admin, now)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _done_orders(n: int, admin: User, now) -> None:
    """n completed orders numbered this year, written in bulk with no number counter (as in
    a database numbered before the counters), so opening more reads a table of that size."""
    orders = db.metadata.tables["work_order"]
    ids = db.session.scalars(sa.select(db.metadata.tables["asset"].c.id)).all()
    for start in range(0, n, 10_000):
        db.session.execute(orders.insert(), [{
            "id": str(uuid.uuid4()), "number": f"WO-{now.year}-{i + 1:06d}",
            "asset_id": ids[i % len(ids)], "kind": "corrective", "title": "Leak",
            "priority": "normal", "status": "done", "opened_by_id": admin.id,
            "opened_at": now - timedelta(days=30), "closed_at": now - timedelta(days=29)}
            for i in range(start, min(n, start + 10_000))])


def run(backend: str, url: str, folder: str, n: int) -> list[tuple]:
    app = make_app(url, folder)
    figures = []
    with app.app_context():
        started = time.perf_counter()
        seed(n)
        print(f"{backend}: {n:,} assets, {SINGLE + 1:,} schedules and {n:,} done orders in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        queries = _count_queries()
        started = time.perf_counter()
        plan = planner.decide(14)
        took = time.perf_counter() - started
        ok = "ok" if took < DECIDE_TARGET_S else f"OVER the {DECIDE_TARGET_S:.0f} s target"
        figures.append((backend, f"decide: {len(plan.due):,} occurrences due", f"{took:.2f} s "
                        f"({queries():,} queries; {ok})"))
        db.session.rollback()
        audit.lock_chain()
        started = time.perf_counter()
        opened = planner.Plan()
        planner.open_all(opened, plan.due[:OPENED])
        db.session.commit()
        took = time.perf_counter() - started
        assert opened.made == min(OPENED, len(plan.due)), opened.refused[:3]
        rate = opened.made / took
        figures.append((backend, f"open {opened.made:,} orders ({n:,} already there)",
                        f"{rate:,.0f} orders/s; {n / rate:,.0f} s for {n:,}"))
        started = time.perf_counter()
        again = planner.decide(14)
        took = time.perf_counter() - started
        figures.append((backend, f"decide again ({len(again.overdue):,} still open)",
                        f"{took:.2f} s; {len(again.due):,} due"))
        db.session.remove()
        db.engine.dispose()
    return figures


def _count_queries():
    counted = [0]

    @sa.event.listens_for(db.engine, "before_cursor_execute")
    def count(*_args):
        counted[0] += 1
    return lambda: counted[0]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_planner")
    parser.add_argument("--quick", action="store_true", help="20,000 assets")
    raise SystemExit(main(parser.parse_args().quick))
