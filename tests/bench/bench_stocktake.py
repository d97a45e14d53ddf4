"""Stock-take benchmark: a site with about 50,000 expected assets, 48,000 scans through
POST /api/v1/sync in batches of 500, then the reconciliation. Prints the snapshot time, the
phone's download (GET /api/v1/stocktakes/<id>), scan throughput and reconciliation times, on
SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
Run: python -m tests.bench.bench_stocktake [--assets N]"""
import argparse
import gzip
import os
import random
import time
import uuid

import sqlalchemy as sa
from flask_login import FlaskLoginClient
from flask_migrate import upgrade

from app.assets import not_seen as unseen
from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.extensions import db
from app.org.models import Location
from app.stocktakes import progress, reconciliation, reports, service
from app.timeutil import utcnow
from tests.bench.bench_register import _database, generate
from tests.bench.databases import make_app

# The generated register spreads assets over two sites; about 41.5% of them are on hand at
# site S1, so this many make a site of about 50,000 expected assets.
ASSETS = 121_000
SCANS = int(os.environ.get("BENCH_SCANS", 48_000))
MISPLACED, UNEXPECTED, REPEATS = 500, 300, 200
BATCH = 500
SEED = 11


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_stocktake")
    parser.add_argument("--assets", type=int, default=ASSETS)
    n = parser.parse_args().assets
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    for backend in backends:
        with _database(backend) as (url, folder):
            run(backend, url, folder, n)
    return 0


def timed(label: str, work, unit: str = ""):
    started = time.perf_counter()
    result = work()
    took = time.perf_counter() - started
    print(f"  {label}: {took * 1000:,.0f} ms{unit}", flush=True)
    return result, took


def run(backend: str, url: str, folder: str, n: int) -> None:
    app = make_app(url, folder)
    app.test_client_class = FlaskLoginClient
    from app.stocktakes import api, views  # until create_app registers them
    if "stocktakes" not in app.blueprints:
        app.register_blueprint(views.bp)
        app.register_blueprint(api.bp)
    with app.app_context():
        upgrade()
        db.engine.dispose()
        manager = User(email="manager@bench.example", role=Role.MANAGER, password_hash="-")
        tech = User(email="tech@bench.example", role=Role.TECHNICIAN, password_hash="-")
        db.session.add_all([manager, tech])
        _, token = ApiToken.issue(tech, "bench")
        db.session.commit()
        generate(n, backend, actor_id=manager.id)
        _continue_chain()
        print(f"{backend}: {n:,} assets generated", flush=True)
        site = db.session.scalar(sa.select(Location).where(Location.code == "S1"))
        stocktake, _ = timed("snapshot (INSERT ... SELECT)",
                             lambda: service.start(site, actor=manager))
        db.session.commit()
        print(f"  expected: {stocktake.expected_count:,} assets", flush=True)
        stocktake_id, manager_id = stocktake.id, manager.id
        batches = _scans(stocktake_id, site)
    bearer = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    download(client, stocktake_id, bearer, "before the scans")
    started = time.perf_counter()
    results: dict[str, int] = {}
    for i, batch in enumerate(batches):
        reply = client.post("/api/v1/sync", json={"device_id": f"phone-{i % 4}",
                                                  "events": batch}, headers=bearer)
        assert reply.status_code == 200, reply.json
        for r in reply.json["results"]:
            key = r.get("result") or r["status"]
            results[key] = results.get(key, 0) + 1
    took = time.perf_counter() - started
    print(f"  {SCANS:,} scans via POST /api/v1/sync in batches of {BATCH}: {took:.1f} s, "
          f"{SCANS / took:,.0f} scans/s; results {results}", flush=True)
    download(client, stocktake_id, bearer, "after the scans")
    with app.app_context():
        reconcile(stocktake_id, db.session.get(User, manager_id))


def download(client, stocktake_id: int, bearer: dict, when: str) -> None:
    started = time.perf_counter()
    reply = client.get(f"/api/v1/stocktakes/{stocktake_id}", headers=bearer)
    took = time.perf_counter() - started
    assert reply.status_code == 200, reply.json
    body = reply.data
    print(f"  GET /api/v1/stocktakes/<id> {when}: {took * 1000:,.0f} ms, "
          f"{len(body) / 1024:,.0f} kB raw, {len(gzip.compress(body, 6)) / 1024:,.0f} kB gzip",
          flush=True)


def reconcile(stocktake_id: int, manager: User) -> None:
    stocktake = service.get(stocktake_id)
    timed("finish (progress and found count)", lambda: service.finish(stocktake, actor=manager))
    db.session.commit()

    def lists():
        return {name: len(progress.lines(stocktake, name))
                for name in ("missing", "misplaced", "unexpected")}, progress.progress(stocktake)
    (sizes, _), took_lists = timed("reconciliation lists (missing, misplaced, unexpected + "
                                   "per-room progress)", lists)
    print(f"    {sizes}")
    total = took_lists
    for action in reconciliation.ACTIONS:
        summary, took = timed(action, lambda action=action: reconciliation.reconcile(
            stocktake, action, actor=manager, checkpoint=db.session.commit))
        db.session.commit()
        total += took
        print(f"    {summary.applied:,} applied, {len(summary.skipped):,} skipped "
              f"({summary.applied / took:,.0f} events/s)")
        again, _ = timed(f"{action} again (idempotent)",
                         lambda action=action: reconciliation.reconcile(
                             stocktake, action, actor=manager, checkpoint=db.session.commit))
        db.session.commit()
        assert again.applied == 0, str(again)
    print(f"  reconciliation in all (lists + the three actions): {total:.2f} s")
    timed("CSV report", lambda: reports.csv_text(stocktake))
    timed("PDF report (lists capped at 1,000 rows each)", lambda: reports.pdf(stocktake))
    timed("not seen for 180 days, first page + total", lambda: unseen.not_seen(180))


def _continue_chain() -> None:
    """generate() writes events straight into the table; move the chain head after them."""
    db.session.execute(sa.text(
        "UPDATE chain_head SET seq = (SELECT max(seq) FROM event), "
        "hash = (SELECT hash FROM event ORDER BY seq DESC LIMIT 1)"))
    db.session.commit()


def _scans(stocktake_id: int, site: Location) -> list[list[dict]]:
    """Found in place, misplaced (another room of the site), unexpected (from the other
    site), and repeats of found ones from another device; shuffled into batches."""
    rng = random.Random(SEED)
    expected = db.session.execute(sa.text(
        "SELECT a.tag, l.code FROM stocktake_expected e JOIN asset a ON a.id = e.asset_id "
        "JOIN location l ON l.id = e.location_id WHERE e.stocktake_id = :id ORDER BY a.tag"),
        {"id": stocktake_id}).all()
    rooms = db.session.scalars(sa.select(Location.code).where(
        Location.path.startswith(site.path), Location.kind == "room")).all()
    outside = db.session.scalars(sa.text(
        "SELECT a.tag FROM asset a JOIN location l ON l.id = a.location_id "
        "WHERE l.path NOT LIKE :p AND a.status <> 'disposed' ORDER BY a.tag LIMIT :n"),
        {"p": site.path + "%", "n": UNEXPECTED}).all()
    rng.shuffle(expected)
    found = SCANS - MISPLACED - UNEXPECTED - REPEATS
    events = [(tag, room) for tag, room in expected[:found]]
    events += [(tag, rng.choice([r for r in rooms if r != room]))
               for tag, room in expected[found:found + MISPLACED]]
    events += [(tag, rng.choice(rooms)) for tag in outside]
    events += rng.sample(events[:found], REPEATS)
    rng.shuffle(events)
    now = utcnow().isoformat() + "Z"
    scans = [{"id": str(uuid.UUID(int=rng.getrandbits(128))), "type": "stocktake_scan",
              "asset": tag, "occurred_at": now,
              "data": {"stocktake": stocktake_id, "location": room}} for tag, room in events]
    return [scans[i:i + BATCH] for i in range(0, len(scans), BATCH)]


if __name__ == "__main__":
    raise SystemExit(main())
