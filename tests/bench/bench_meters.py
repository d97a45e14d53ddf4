"""Meters benchmark: readings stored per second through POST /api/v1/readings, and the asset
page with a meter of 10,000 readings.

    .venv/bin/python -m tests.bench.bench_meters [--quick]

On SQLite (a temporary file) and PostgreSQL (a database of its own on the server in
TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test; skipped with a note when
that default is not reachable), in-process with the Flask test client (server time only):
100,000 readings in batches of 10,000 over 100 assets with a counter each (target 5,000
readings/s on SQLite), then the page of an asset whose counter has 10,000 readings, plotted
and paged (target under 100 ms)."""
import argparse
import gc
import statistics
import time
from datetime import timedelta
from functools import partial

from flask_login import FlaskLoginClient
from flask_migrate import upgrade

from app.assets import service as assets
from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.meters import service as meters
from app.org import service as org
from app.timeutil import isoformat, utcnow
from tests.bench.databases import make_app, on_each, print_figures

READINGS_TARGET = 5_000  # readings/s on SQLite
PAGE_TARGET_MS = 100
BATCH = 10_000
ASSETS = 100
PAGE_READINGS = 10_000


def main(quick: bool = False) -> int:
    total = 20_000 if quick else 100_000
    figures = []
    try:
        on_each("tagtrail-bench-meters-", partial(run, total=total), figures)
    finally:
        print_figures(figures)
    return 0


def seed(app) -> tuple[User, str, list[str]]:
    with app.app_context():
        upgrade()
        db.engine.dispose()
        admin = User(email="admin@bench.example", role=Role.ADMIN, password_hash="-")
        db.session.add(admin)
        token = ApiToken.issue(admin, "feed")[1]
        room = org.create_location(code="B-ROOM", name="Plant room").code
        db.session.commit()
        tags = []
        for i in range(ASSETS + 1):
            asset = assets.create_asset({"tag": f"M{i:04d}", "name": "Pump", "location": room},
                                        actor=admin)
            meters.create_meter(asset, name="hours", kind="counter", unit="h",
                                target=1_000_000)
            tags.append(asset.tag)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token, tags[:-1], tags[-1]


def run(backend: str, url: str, folder: str, total: int) -> list[tuple]:
    app = make_app(url, folder)
    token, tags, page_tag = seed(app)
    gc.collect()
    gc.freeze()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    start = utcnow().replace(microsecond=0) - timedelta(days=400)
    per_meter = total // len(tags)
    step = timedelta(days=365) / per_meter
    latencies, stored = [], 0
    n = 0
    while n < per_meter:
        chunk = min(BATCH // len(tags), per_meter - n)
        batch = [{"asset": tag, "meter": "hours", "value": float(k) * 2.5,
                  "at": isoformat(start + step * k)}
                 for k in range(n, n + chunk) for tag in tags]
        began = time.perf_counter()
        reply = client.post("/api/v1/readings", json={"readings": batch}, headers=headers)
        latencies.append(time.perf_counter() - began)
        assert reply.status_code == 200, reply.get_json()
        assert reply.get_json()["stored"] == len(batch), reply.get_json()["results"][:3]
        stored += len(batch)
        n += chunk
    rate = stored / sum(latencies)
    mark = "ok" if backend != "sqlite" or rate >= READINGS_TARGET else "BELOW TARGET"
    figures = [(backend, f"{stored:,} readings, batches of {BATCH:,}",
                f"{rate:,.0f} readings/s ({mark}; batch median "
                f"{statistics.median(latencies) * 1000:.0f} ms)")]
    print(figures[-1], flush=True)

    # One asset's counter with 10,000 readings over a year, and its page.
    page_step = timedelta(days=365) / PAGE_READINGS
    batch = [{"asset": page_tag, "meter": "hours", "value": k * 0.25 + (k % 7) * 0.01,
              "at": isoformat(start + page_step * k)} for k in range(PAGE_READINGS)]
    reply = client.post("/api/v1/readings", json={"readings": batch}, headers=headers)
    assert reply.get_json()["stored"] == PAGE_READINGS
    app.test_client_class = FlaskLoginClient
    with app.app_context():
        viewer = db.session.scalar(db.select(User).where(User.email == "admin@bench.example"))
        browser = app.test_client(user=viewer)
        times = []
        for _ in range(21):
            began = time.perf_counter()
            page = browser.get(f"/admin/assets/{page_tag}")
            times.append(time.perf_counter() - began)
            assert page.status_code == 200 and b'class="meter-plot"' in page.data
        points = page.get_data(as_text=True).split('class="readings" points="')[1]
        shown = points.split('"')[0].count(",")
        median = statistics.median(times[1:]) * 1000
        mark = "ok" if median < PAGE_TARGET_MS else "ABOVE TARGET"
        figures.append((backend, f"asset page, a meter of {PAGE_READINGS:,} readings",
                        f"{median:.0f} ms median ({mark}; {shown} points plotted)"))
        print(figures[-1], flush=True)
        verdict = audit.verify()
        assert verdict.ok, verdict.problem
        db.session.remove()
        db.engine.dispose()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_meters")
    parser.add_argument("--quick", action="store_true", help="20,000 readings")
    raise SystemExit(main(quick=parser.parse_args().quick))
