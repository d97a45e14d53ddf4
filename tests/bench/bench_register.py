"""Register benchmark: list, detail and tag lookup over 100k and 1M generated assets."""
import os
import random
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_login import FlaskLoginClient
from flask_migrate import upgrade

from app.auth.access import requires
from app.auth.models import ApiToken, User
from app.auth.roles import Permission, Role
from app.extensions import db
from tests.bench.databases import make_app
from tests.database import test_database

SIZES = (100_000, 1_000_000)
REQUESTS = 200
BUDGET_S = 15  # per endpoint: slow ones stop the rounds early rather than take minutes
HISTORY_ASSETS, EVENTS_EACH = 2_000, 5
SEED = 7

CATEGORIES = ["Laptops", "Monitors", "Servers", "Printers", "Vehicles"]
# name, manufacturer, category (1-based), price in cents, share of the fleet in %
MODELS = [("Latitude 5440", "Dell", 1, 115000, 20), ("ThinkPad T14", "Lenovo", 1, 129000, 15),
          ("MacBook Air 13", "Apple", 1, 139900, 8), ("P2423D", "Dell", 2, 26000, 18),
          ("27UL550", "LG", 2, 31000, 12), ("PowerEdge R650", "Dell", 3, 890000, 5),
          ("ProLiant DL380", "HPE", 3, 960000, 4), ("LaserJet M404dn", "HP", 4, 34000, 8),
          ("HL-L6210DW", "Brother", 4, 42000, 6), ("Transit Custom", "Ford", 5, 3850000, 2),
          ("Hilux", "Toyota", 5, 4120000, 1), ("Kangoo E-Tech", "Renault", 5, 3390000, 1)]
STATUSES = {"requested": 2, "approved": 1, "ordered": 2, "in_stock": 15, "deployed": 55,
            "in_repair": 3, "missing": 2, "retired": 5, "wiped": 3, "disposed": 12}
FIRST = ["Alex", "Sam", "Priya", "Jonas", "Maria", "Chen", "Fatima", "Liam", "Noor", "Olga",
         "Tom", "Aisha", "Diego", "Hannah", "Kenji", "Lea", "Omar", "Ines", "Piotr", "Zoe"]
LAST = ["Berg", "Okafor", "Novak", "Silva", "Kowalski", "Haddad", "Larsen", "Moreau", "Tanaka",
        "Fischer", "Reyes", "Nguyen", "Murphy", "Rossi", "Dubois", "Ivanova", "Costa", "Meyer",
        "Sato", "Walsh", "Khan", "Lindqvist", "Ortiz", "Byrne", "Weber"]
BUILDINGS = {1: (3, 4), 2: (5, 6)}  # site id: its building ids; rooms 7..30 follow

# The dialect-specific bits of the INSERT ... SELECT that makes the assets.
SQL = {
    "sqlite": {
        "numbers": "n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :n)",
        "tag": "printf('AST-%0{width}d', i)",
        "day": "date('now', ({}) || ' days')",
        # With microseconds, as SQLAlchemy writes them, so times compare as the app's do.
        "time": "(datetime('now', ({}) || ' days') || '.000000')",
    },
    "postgresql": {
        "numbers": "n(i) AS (SELECT generate_series(1::bigint, :n))",
        "tag": "'AST-' || lpad(i::text, {width}, '0')",
        "day": "(current_date + ({})::int)",
        "time": "(localtimestamp(0) + ({}) * interval '1 day')",
    },
}

ASSETS = """
INSERT INTO asset (tag, name, serial, model_id, category_id, status, criticality, location_id,
                   department_id, assignee_id, purchase_date, purchase_cost, supplier,
                   warranty_end, notes, search_text, version, created_at, updated_at)
WITH RECURSIVE {numbers},
g AS (SELECT i, (i * 2654435761) % 4294967296 AS h1,
             (i * 2246822519 + 374761393) % 4294967296 AS h2,
             (i * 3266489917 + 668265263) % 4294967296 AS h3 FROM n),
r AS (SELECT g.*, ps.status, pm.model_id, pm.price,
             CASE WHEN ps.status IN ('requested', 'approved', 'ordered') THEN NULL
                  ELSE 7 + (h3 / 65536) % 24 END AS location_id,
             CASE WHEN ps.status = 'deployed' THEN 1 + (h3 / 256) % 500 END AS assignee_id,
             {tag} AS tag, 'SN' || (1000000000 + h1) AS serial, (h2 / 16) % 1460 AS age
      FROM g JOIN bench_status ps ON ps.bucket = (h1 / 65536) % 100
             JOIN bench_model pm ON pm.bucket = (h2 / 65536) % 100)
SELECT r.tag, m.manufacturer || ' ' || m.name, r.serial, m.id, m.category_id, r.status,
       CASE (h3 / 16) % 10 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'high'
            WHEN 9 THEN 'low' ELSE 'medium' END,
       r.location_id, 1 + (h2 / 256) % 3, r.assignee_id,
       {purchased}, ((r.price * (90 + h3 % 21)) / 100) / 100.0, 'Northwind IT',
       {warranty}, NULL,
       lower(r.tag || ' ' || r.serial || ' ' || m.manufacturer || ' ' || m.name || ' ' || m.name
             || coalesce(' ' || p.name, '') || coalesce(' ' || l.name, '')),
       1 + h1 % 7, {created}, {updated}
FROM r JOIN asset_model m ON m.id = r.model_id
       LEFT JOIN person p ON p.id = r.assignee_id
       LEFT JOIN location l ON l.id = r.location_id
ORDER BY r.i
"""


def main(quick: bool = False, explain: bool = False) -> int:
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    results = []
    try:
        for backend in backends:
            for n in SIZES[:1] if quick else SIZES:
                with _database(backend) as (url, folder):
                    results += run(backend, url, folder, n, explain)
    finally:  # what was measured before a failure is still worth seeing
        print_table(results)
    return 0


@contextmanager
def _database(backend: str):
    with tempfile.TemporaryDirectory(prefix="tagtrail-bench-") as folder:
        if backend == "sqlite":
            yield f"sqlite:///{folder}/bench.db", folder
        else:
            with test_database(Path(folder)) as url:  # its own database, dropped after
                yield url, folder


def run(backend: str, url: str, folder: str, n: int, explain: bool) -> list[tuple]:
    app = make_app(url, folder)
    app.test_client_class = FlaskLoginClient
    app.add_url_rule("/bench/bare", "bench_bare", _bare)
    app.add_url_rule("/api/v1/bench/bare", "bench_bare_api", requires(Permission.VIEW)(_bare))
    app.add_url_rule("/bench/select", "bench_select", _select_one)
    with app.app_context():
        upgrade()
        db.engine.dispose()  # migrations leave SQLite's foreign keys off on their connection
        user = User(email="bench@example.org", role=Role.ADMIN, password_hash="-")
        _, token = ApiToken.issue(user, "bench")
        db.session.commit()
        started = time.perf_counter()
        generate(n, backend, actor_id=user.id)
        print(f"{backend}: {n:,} assets generated in {time.perf_counter() - started:.1f} s",
              flush=True)
        page_client = app.test_client(user=user)
        engine = db.engine
        endpoints = _endpoints(n)
    # Requests run outside this app context, each in its own, as in a real server.
    api_client, bearer = app.test_client(), {"Authorization": f"Bearer {token}"}
    targets = [(name, urls, *((api_client, bearer) if urls[0].startswith("/api/")
                              else (page_client, {})))
               for name, urls in endpoints.items()]
    # Pages and API calls in separate rounds: a page's garbage would tax the small calls.
    timings = {}
    for api in (False, True):
        timings |= measure([t for t in targets if t[0][:2] in ("(d", "(e", "(f")] if api
                           else [t for t in targets if t[0][:2] not in ("(d", "(e", "(f")])
    results = [(backend, n, name, timings[name]) for name, *_ in targets]
    if explain:
        with app.app_context():
            for name, urls, client, headers in targets:
                if not name.startswith("(e"):
                    profile(engine, client, urls[0], headers, name)
    return results


def _bare():
    return {"ok": True}


def _select_one():
    """The least any database read costs: a session, a pooled connection, one round trip."""
    return {"ok": db.session.execute(sa.text("SELECT 1")).scalar() == 1}


def generate(n: int, backend: str, actor_id: int) -> None:
    """Reference rows, then n assets in one INSERT ... SELECT, then some event history."""
    rng = random.Random(SEED)
    tables = db.metadata.tables
    people = [f"{f} {last}" for f in FIRST for last in LAST]
    rng.shuffle(people)
    db.session.execute(tables["category"].insert(), [
        {"id": i, "name": name, "holds_data": i in (1, 3)}
        for i, name in enumerate(CATEGORIES, 1)])
    db.session.execute(tables["asset_model"].insert(), [
        {"id": i, "name": name, "manufacturer": maker, "model_number": f"M{i}",
         "category_id": category, "useful_life_months": 48}
        for i, (name, maker, category, _, _) in enumerate(MODELS, 1)])
    db.session.execute(tables["location"].insert(), _locations())
    db.session.execute(tables["department"].insert(), [
        {"id": i, "code": code, "name": code} for i, code in enumerate(["IT", "FIN", "OPS"], 1)])
    db.session.execute(tables["person"].insert(), [
        {"id": i, "code": f"P{i:04d}", "email": f"p{i}@example.org", "name": people[i - 1],
         "department_id": 1 + i % 3, "active": True} for i in range(1, 501)])
    _pick_tables(backend)
    sql = SQL[backend]
    day, moment = sql["day"], sql["time"]
    db.session.execute(sa.text(ASSETS.format(
        numbers=sql["numbers"], tag=sql["tag"].format(width=max(6, len(str(n)))),
        purchased=day.format("-age"), warranty=day.format("1095 - age"),
        created=moment.format("-(age % 365)"), updated=moment.format("-(h2 % 365)"))),
        {"n": n})
    db.session.execute(tables["event"].insert(), _events(rng, n, actor_id))
    db.session.commit()
    if backend == "postgresql":
        db.session.execute(sa.text("ANALYZE"))  # autovacuum would soon; do it now
        db.session.commit()


def _locations() -> list[dict]:
    rows = [{"id": site, "code": f"S{site}", "name": f"Site {site}", "kind": "site",
             "parent_id": None, "path": f"/{site}/"} for site in BUILDINGS]
    room = 7
    for site, buildings in BUILDINGS.items():
        for building in buildings:
            path = f"/{site}/{building}/"
            rows.append({"id": building, "code": f"B{building}", "name": f"Building {building}",
                         "kind": "building", "parent_id": site, "path": path})
            for _ in range(6):
                rows.append({"id": room, "code": f"R{room}", "name": f"Room {room}",
                             "kind": "room", "parent_id": building, "path": f"{path}{room}/"})
                room += 1
    return rows


def _pick_tables(backend: str) -> None:
    """bucket (0-99) -> status / model, so the SQL can draw with the shares above."""
    for name, column, shares in (("bench_status", "status text", STATUSES),
                                 ("bench_model", "model_id integer",
                                  {i: m[4] for i, m in enumerate(MODELS, 1)})):
        extra = ", price bigint" if name == "bench_model" else ""
        db.session.execute(sa.text(f"CREATE TEMPORARY TABLE {name} "
                                   f"(bucket integer PRIMARY KEY, {column}{extra})"))
        buckets = [value for value, share in shares.items() for _ in range(share)]
        assert len(buckets) == 100, name
        rows = [{"b": b, "v": v, "p": MODELS[v - 1][3] if extra else None}
                for b, v in enumerate(buckets)]
        db.session.execute(sa.text(
            f"INSERT INTO {name} VALUES (:b, :v{', :p' if extra else ''})"), rows)


def _events(rng: random.Random, n: int, actor_id: int) -> list[dict]:
    start = datetime(2025, 1, 1)
    rows, seq = [], 0
    for asset_id in rng.sample(range(1, n + 1), HISTORY_ASSETS):
        for version in range(1, EVENTS_EACH + 1):
            seq += 1
            when = start + timedelta(days=version * 30, minutes=seq)
            rows.append({"seq": seq, "id": str(uuid.UUID(int=rng.getrandbits(128))),
                         "type": "create" if version == 1 else "transfer",
                         "asset_id": asset_id, "actor_id": actor_id, "device": "bench",
                         "occurred_at": when, "received_at": when, "base_version": None,
                         "version": version, "data": {"to_location": "R7", "note": "bench"},
                         "outcome": "applied", "reason": "", "prev_hash": "0" * 64,
                         "hash": f"{seq:064x}"})
    return rows


def _endpoints(n: int) -> dict[str, list[str]]:
    rng = random.Random(SEED)
    width = max(6, len(str(n)))
    with_history = db.session.scalars(sa.select(sa.text("DISTINCT a.tag")).select_from(
        sa.text("event e JOIN asset a ON a.id = e.asset_id"))).all()
    deployed = db.session.scalars(sa.text(
        "SELECT serial FROM asset WHERE status = 'deployed' LIMIT 5000")).all()
    return {
        "(a) list q=latitude&status=deployed": ["/admin/assets/?q=latitude&status=deployed"],
        "(a') list q=<serial>&status=deployed": [
            f"/admin/assets/?q={s.lower()}&status=deployed" for s in rng.sample(deployed, 50)],
        "(b) list status=deployed": ["/admin/assets/?status=deployed"],
        "(c) detail page": [f"/admin/assets/{t}" for t in rng.sample(with_history, 200)],
        "(d) GET /api/v1/assets/<tag>": [
            f"/api/v1/assets/AST-{rng.randint(1, n):0{width}d}" for _ in range(200)],
        "(f) GET /api/v1/scan?payload=<tag URL>": [
            f"/api/v1/scan?payload=https://tags.example/t/ast-{rng.randint(1, n):0{width}d}"
            for _ in range(200)],
        "(e) bare Flask endpoint": ["/bench/bare"],
        "(e') bare + bearer token sign-in": ["/api/v1/bench/bare"],
        "(e'') bare + SELECT 1 (no sign-in)": ["/bench/select"],
    }


def measure(targets: list[tuple]) -> dict[str, list[float]]:
    """Time every endpoint in turn, round after round, so that a noisy neighbour on the
    machine slows them all alike and the ratios to the bare endpoint stay fair."""
    for _, urls, client, headers in targets:
        for url in urls[:5]:  # warm caches and lazy imports
            _get(client, url, headers)
    times = {name: [] for name, *_ in targets}
    deadline = time.perf_counter() + BUDGET_S * len(targets)
    for i in range(REQUESTS):
        for name, urls, client, headers in targets:
            started = time.perf_counter()
            _get(client, urls[i % len(urls)], headers)
            times[name].append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline and i >= 20:
            break
    return times


def _get(client, url: str, headers: dict):
    reply = client.get(url, headers=headers)
    if reply.status_code != 200:
        raise RuntimeError(f"GET {url} -> {reply.status_code}: "
                           f"{reply.get_data(as_text=True)[:300]}")
    return reply


def profile(engine, client, url: str, headers: dict, name: str) -> None:
    """Print the slowest SQL statements one request runs, with their query plans."""
    seen = []

    def before(conn, cursor, statement, parameters, context, many):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, many):
        seen.append(((time.perf_counter() - conn.info["started"]) * 1000, statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        _get(client, url, headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    print(f"\n{name}: {len(seen)} statements, {sum(s[0] for s in seen):.1f} ms in SQL")
    for ms, statement, parameters in sorted(seen, key=lambda s: s[0], reverse=True)[:2]:
        print(f"  {ms:8.1f} ms  {' '.join(statement.split())[:400]}")
        print(f"              params {parameters}")
        with engine.connect() as conn:
            for row in conn.exec_driver_sql(explain + statement, parameters):
                print("              | " + " ".join(str(c) for c in row[-1:]))


def print_table(results: list[tuple]) -> None:
    print(f"\n{'db':<11}{'N':>10}  {'endpoint':<40}{'runs':>5}{'median ms':>11}{'p95 ms':>9}"
          f"{'x bare':>8}")
    bare = {(b, n): statistics.median(t) for b, n, name, t in results
            if name.startswith("(e)")}
    for backend, n, name, times in results:
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{backend:<11}{n:>10,}  {name:<40}{len(times):>5}{median:>11.2f}{p95:>9.2f}"
              f"{median / bare[backend, n]:>8.1f}")
    medians = {(b, n, name[:4]): statistics.median(t) for b, n, name, t in results}
    for backend, n in bare:
        lookup, signed_in = medians.get((backend, n, "(d) ")), medians.get((backend, n, "(e')"))
        if lookup and signed_in:
            print(f"{backend} {n:,}: tag lookup = {lookup / bare[backend, n]:.1f}x bare, "
                  f"{lookup / signed_in:.1f}x bare with token sign-in (target 1.5x)")
