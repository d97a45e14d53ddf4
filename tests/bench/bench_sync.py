"""Sync benchmark: events applied per second through POST /api/v1/sync, in batches of 500.

    .venv/bin/python -m tests.bench.bench_sync [--quick] [--no-profile]

On SQLite (a temporary file) and PostgreSQL (a database of its own, made and dropped here, on
the server in TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test; skipped
with a note when that default is not reachable), each measured in-process with the Flask test
client (server time only) and over HTTP against gunicorn with 2 workers. Mixed events
(repairs, transfers, check-out/check-in cycles) over 2,000 assets. Then, on PostgreSQL, a load
test: 20 devices sending 500 events each at once to gunicorn with 4 workers, every event
applied exactly once. When SQLite misses the target (2,000 events/s), one in-process batch of
500 is profiled."""
import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from app.assets import service as assets
from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.org import service as org
from tests.bench.databases import make_app, on_each
from tests.bench.syncload import EventMaker, InFlight, Server, post_sync

TARGET = 2_000  # events/s on SQLite in batches of 500 (the issue)
BATCH = 500
ASSETS = 2_000
LOCATIONS, PEOPLE = 12, 25
LOAD_DEVICES, LOAD_EACH, LOAD_WORKERS = 20, 500, 4
LOAD_TIMEOUT = 300  # gunicorn --timeout for the load test, seconds


def main(quick: bool = False, profile: bool = True) -> int:
    n_events = 2_000 if quick else 10_000  # per measurement

    def measure(backend: str, url: str, folder: str) -> list[tuple]:
        figures, maker, token = run(backend, url, folder, n_events,
                                    load=backend == "postgresql")
        if profile and backend == "sqlite" and _rate(figures, "sqlite", "in-process") < TARGET:
            profile_batch(url, folder, maker, token)
        return figures

    figures: list[tuple] = []
    try:
        on_each("tagtrail-bench-sync-", measure, figures)
    finally:  # what was measured before a failure is still worth seeing
        print_table(figures)
    return 0


def seed(app, n_devices: int) -> tuple[EventMaker, list[str]]:
    """Migrate; add technicians with tokens, locations, people and ASSETS assets, each
    registered through the pipeline (so each has its `create` event in the chain)."""
    with app.app_context():
        upgrade()
        db.engine.dispose()  # migrations leave SQLite's foreign keys off on their connection
        admin = User(email="admin@bench.example", role=Role.ADMIN, password_hash="-")
        db.session.add(admin)
        tokens = []
        for i in range(n_devices):
            tech = User(email=f"tech{i}@bench.example", role=Role.TECHNICIAN, password_hash="-")
            tokens.append(ApiToken.issue(tech, f"phone {i}")[1])
        locations = [org.create_location(code=f"B-L{i:02d}", name=f"Room {i}").code
                     for i in range(LOCATIONS)]
        people = [org.create_person(code=f"B-P{i:02d}", name=f"Person {i}").code
                  for i in range(PEOPLE)]
        db.session.commit()
        tags = []
        for i in range(ASSETS):
            tags.append(assets.create_asset({"tag": f"B{i:05d}", "name": "Laptop",
                                             "location": locations[0]}, actor=admin).tag)
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return EventMaker(tags, locations, people), tokens


def run(backend: str, url: str, folder: str, n_events: int,
        load: bool) -> tuple[list[tuple], EventMaker, str]:
    app = make_app(url, folder)
    started = time.perf_counter()
    maker, tokens = seed(app, LOAD_DEVICES if load else 1)
    print(f"\n{backend}: {ASSETS:,} assets registered in {time.perf_counter() - started:.1f} s",
          flush=True)
    figures = []

    # In-process: the Flask test client; what is timed is the server's own work. The app is
    # loaded, so freeze it out of the garbage collector's way as wsgi.py does for gunicorn.
    gc.collect()
    gc.freeze()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    latencies = []
    for _ in range(n_events // BATCH):
        batch = maker.batch(BATCH)
        began = time.perf_counter()
        reply = client.post("/api/v1/sync", json={"device_id": "bench-phone", "events": batch},
                            headers=headers)
        latencies.append(time.perf_counter() - began)
        _check(reply.status_code, reply.get_json(), len(batch))
    figures.append(_figure(backend, "in-process", 1, len(latencies) * BATCH, sum(latencies),
                           latencies))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    # Over HTTP: gunicorn with 2 workers, one phone sending batch after batch.
    with Server(url, folder, workers=2,  # the bench app's instance: one audit key
                log_path=Path(folder) / "gunicorn.log") as server:
        latencies = []
        wall = time.perf_counter()
        for _ in range(n_events // BATCH):
            batch = maker.batch(BATCH)
            began = time.perf_counter()
            status, reply = post_sync(server.port, tokens[0], "bench-phone", batch)
            latencies.append(time.perf_counter() - began)
            _check(status, reply, len(batch))
        figures.append(_figure(backend, "HTTP, gunicorn 2 workers", 1,
                               len(latencies) * BATCH, time.perf_counter() - wall, latencies))

    if load:
        figures.append(load_test(backend, url, folder, maker, tokens))

    with app.app_context():
        verdict = audit.verify()
        assert verdict.ok, verdict.problem
        print(f"{backend}: audit chain verified, {verdict.checked:,} events", flush=True)
        db.session.remove()
        db.engine.dispose()
    return figures, maker, tokens[0]


def load_test(backend, url, folder, maker: EventMaker, tokens: list[str]) -> tuple:
    """LOAD_DEVICES phones at once, LOAD_EACH events each, each on its own share of the
    assets (a technician works on their site's assets)."""
    share = len(maker.tags) // LOAD_DEVICES
    batches = [maker.spread(LOAD_EACH, maker.tags[d * share:(d + 1) * share])
               for d in range(LOAD_DEVICES)]
    ids = [e["id"] for batch in batches for e in batch]
    # Batches queue for the chain lock one after another, so a request can wait far longer
    # than gunicorn's default 30 s worker timeout, which would kill the worker mid-batch.
    with Server(url, folder, workers=LOAD_WORKERS, timeout=LOAD_TIMEOUT,
                log_path=Path(folder) / "gunicorn-load.log") as server:
        flights = [InFlight(server.port, tokens[d], f"load-phone-{d}", batch, timeout=300)
                   for d, batch in enumerate(batches)]
        barrier = threading.Barrier(len(flights))
        began = {}

        def go(flight):
            barrier.wait(60)
            began[flight.device] = time.perf_counter()
            flight.run()

        threads = [threading.Thread(target=go, args=(f,), daemon=True) for f in flights]
        wall = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        wall = time.perf_counter() - wall
        for flight in flights:
            assert flight.error is None, (flight.device, flight.error, server.log_tail())
            _check(flight.status, flight.reply, LOAD_EACH)
        latencies = [f.answered_at - began[f.device] for f in flights]

    app = make_app(url, folder)
    with app.app_context():
        stored = Counter()
        for i in range(0, len(ids), 1000):
            stored.update(db.session.execute(
                sa.select(Event.id, Event.outcome).where(Event.id.in_(ids[i:i + 1000]))).all())
        db.session.remove()
        db.engine.dispose()
    applied_once = sum(1 for (_, outcome), n in stored.items() if outcome == "applied" and n == 1)
    assert applied_once == len(ids) == LOAD_DEVICES * LOAD_EACH, (applied_once, len(ids))
    print(f"{backend}: load: {applied_once:,} of {len(ids):,} events stored exactly once, "
          f"applied, in {wall:.2f} s", flush=True)
    return _figure(backend, f"load, gunicorn {LOAD_WORKERS} workers", LOAD_DEVICES, len(ids),
                   wall, latencies)


def _check(status: int, reply: dict, expected: int) -> None:
    assert status == 200, (status, reply)
    statuses = Counter(r["status"] for r in reply["results"])
    assert statuses == {"applied": expected}, (statuses, [
        r for r in reply["results"] if r["status"] != "applied"][:3])


def _figure(backend, how, devices, events, seconds, latencies) -> tuple:
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    figure = (backend, how, devices, events, seconds, events / seconds,
              statistics.median(latencies), p95)
    print(f"{backend}: {how}: {devices} device(s), {events:,} events in {seconds:.2f} s = "
          f"{events / seconds:,.0f} events/s; batch of {BATCH} p50 {figure[6] * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms", flush=True)
    return figure


def _rate(figures, backend, how) -> float:
    return next((f[5] for f in figures if f[0] == backend and f[1] == how), 0.0)


def print_table(figures: list[tuple]) -> None:
    if not figures:
        return
    print(f"\nPOST /api/v1/sync, batches of {BATCH}, mixed events over {ASSETS:,} assets "
          f"(target: {TARGET:,} events/s on SQLite)")
    print(f"{'database':<11} {'measured':<26} {'devices':>7} {'events':>7} {'seconds':>8} "
          f"{'events/s':>9} {'p50 ms':>7} {'p95 ms':>7}")
    for backend, how, devices, events, seconds, rate, p50, p95 in figures:
        print(f"{backend:<11} {how:<26} {devices:>7} {events:>7,} {seconds:>8.2f} "
              f"{rate:>9,.0f} {p50 * 1000:>7.0f} {p95 * 1000:>7.0f}")
    sqlite = _rate(figures, "sqlite", "in-process")
    if sqlite:
        print(f"SQLite in-process: {sqlite:,.0f} events/s, "
              f"{'meets' if sqlite >= TARGET else 'MISSES'} the {TARGET:,} events/s target")


def profile_batch(url: str, folder: str, maker: EventMaker, token: str) -> None:
    """cProfile one in-process batch of 500 on the benchmarked SQLite database; print the top
    costs and how many SQL statements each event takes."""
    app = make_app(url, folder)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        statements = Counter()
        sql_time = [0.0]

        def before(conn, cursor, statement, params, context, many):
            conn.info["bench_t"] = time.perf_counter()
            statements[statement.split(None, 1)[0].upper()] += 1

        def after(conn, cursor, statement, params, context, many):
            sql_time[0] += time.perf_counter() - conn.info.pop("bench_t")

        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
        batch = maker.batch(BATCH)
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        reply = client.post("/api/v1/sync", json={"device_id": "profile", "events": batch},
                            headers=headers)
        profiler.disable()
        took = time.perf_counter() - began
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "after_cursor_execute", after)
        _check(reply.status_code, reply.get_json(), BATCH)
        total = sum(statements.values())
        print(f"\nProfile of one in-process batch of {BATCH} on SQLite: {took:.2f} s "
              f"({BATCH / took:,.0f} events/s) under cProfile; {total:,} SQL statements "
              f"({total / BATCH:.1f} per event: "
              + ", ".join(f"{k} {v / BATCH:.1f}" for k, v in statements.most_common())
              + f"), {sql_time[0]:.2f} s inside the database driver")
        root = str(Path(__file__).resolve().parents[2]) + "/"
        for title, order, pattern, count in (
                ("app code, by cumulative time", "cumulative", "/app/", 20),
                ("everything, by cumulative time", "cumulative", "", 30),
                ("everything, by own time", "tottime", "", 15)):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(order)
            stats.print_stats(*([pattern] if pattern else []), count)
            lines = out.getvalue().replace(root, "").replace(
                str(Path(sa.__file__).parents[1]) + "/", "").splitlines()
            start = next(i for i, line in enumerate(lines) if "ncalls" in line)
            print(f"\n-- {title} --")
            print("\n".join(line for line in lines[start:] if line.strip()))
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_sync")
    parser.add_argument("--quick", action="store_true", help="2,000 events per measurement "
                        "instead of 10,000 (the load test is the same)")
    parser.add_argument("--no-profile", action="store_true",
                        help="do not profile a batch even when SQLite misses the target")
    args = parser.parse_args()
    sys.exit(main(quick=args.quick, profile=not args.no_profile))
