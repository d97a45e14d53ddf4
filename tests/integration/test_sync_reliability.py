"""POST /api/v1/sync against the real app under gunicorn, no mocks: a technician in a basement
must lose nothing. The server is SIGKILLed in the middle of a batch and restarted while the
phone retries; two phones send overlapping batches at once. Every event applies exactly once
and the audit chain still verifies."""
import os
import sqlite3
import sys
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import ChainHead, Event
from tests.bench.syncload import EventMaker, InFlight, Server, post_sync
from tests.factories import (
    make_asset,
    make_location,
    make_person,
    make_token,
    make_user,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg") or not sys.platform.startswith(
    "linux"), reason="needs POSIX process groups (gunicorn)")

N_ASSETS = 40
N_LOCATIONS = 16  # more than the moves any asset gets, so events commute (see EventMaker)
BATCH = 1000  # the most one sync request may carry (SyncBatch)
PHONES = ("phone-a", "phone-b")
WAIT = 60  # seconds: the longest any single wait in this file may take


@pytest.fixture
def fleet(app):
    """A technician with a token on each of two phones, locations, people and assets,
    committed for the server. (One person: an id another user already used is refused.)"""
    admin = make_user(Role.ADMIN)
    technician = make_user(Role.TECHNICIAN)
    tokens = [make_token(technician) for _ in range(2)]
    locations = [make_location(f"SR-L{i:02d}").code for i in range(N_LOCATIONS)]
    people = [make_person(f"SR-P{i}").code for i in range(3)]
    tags = [make_asset(actor=admin, tag=f"SR{i:03d}", location=locations[0]).tag
            for i in range(N_ASSETS)]
    db.session.commit()
    return {"tokens": tokens, "maker": EventMaker(tags, locations, people)}


@pytest.fixture
def server(database_url, app, tmp_path):
    # The test's own instance folder: the workers share its audit key, as app machines do.
    server = Server(database_url, app.instance_path, workers=2,
                    log_path=tmp_path / "gunicorn.log")
    try:
        yield server
    finally:
        server.kill()  # always: a leaked gunicorn would hold the test database
        print("gunicorn log:\n" + server.log_tail())  # shown when the test failed


def chain_seq() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(ChainHead.seq).where(ChainHead.id == audit.HEAD_ID))


def batch_under_way(seq_before: int) -> bool:
    """Has the server started applying the batch? Either events of it are committed already
    (SQLite releases each event's savepoint as a commit, so they appear one by one), or a
    worker holds the chain's write lock, which it takes at the batch's first event (PostgreSQL
    holds that row lock until the batch commits; on SQLite it is the database's write lock)."""
    with db.engine.connect() as conn:
        if conn.scalar(sa.select(sa.func.count()).select_from(Event)
                       .where(Event.seq > seq_before)):
            return True
        if conn.dialect.name == "postgresql":
            try:
                conn.exec_driver_sql(
                    "SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE NOWAIT")
                return False
            except sa.exc.OperationalError:  # LockNotAvailable: a worker holds it
                return True
            finally:
                conn.rollback()
    probe = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:  # database is locked: a worker is writing
        return True
    finally:
        probe.close()


def stored(ids: list[str]) -> list[tuple[str, str]]:
    """(id, outcome) of every stored event whose id is in `ids`."""
    rows = []
    with db.engine.connect() as conn:
        for i in range(0, len(ids), 500):
            rows += conn.execute(sa.select(Event.id, Event.outcome)
                                 .where(Event.id.in_(ids[i:i + 500]))).all()
    return rows


def sync_until_accepted(server: Server, token: str, device: str, events: list[dict]) -> dict:
    """What the phone's outbox does: send the same batch again until the server answers."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            status, reply = post_sync(server.port, token, device, events, timeout=WAIT)
            if status == 200:
                return reply
            assert status >= 500, (status, reply)  # a 4xx would never succeed on a retry
        except OSError:
            pass  # refused or reset: the server is not back yet
        assert time.monotonic() < deadline, "the server never accepted the batch again"
        time.sleep(0.2)


def assert_each_applied_once(maker: EventMaker, ids: list[str]) -> None:
    rows = stored(ids)
    counts = Counter(event_id for event_id, _ in rows)
    assert len(counts) == len(ids) and set(counts.values()) == {1}, "lost or doubled events"
    assert {outcome for _, outcome in rows} == {"applied"}
    db.session.expire_all()
    versions = dict(db.session.execute(sa.select(Asset.tag, Asset.version)).all())
    per_asset = dict(db.session.execute(
        sa.select(Asset.tag, sa.func.count(Event.seq)).join(Event, Event.asset_id == Asset.id)
        .group_by(Asset.tag)).all())
    for tag, made in maker.per_asset.items():
        # 1: the `create` event that registered it; then one version per applied event.
        assert versions[tag] == 1 + made, (tag, versions[tag], made)
        assert per_asset[tag] == 1 + made, (tag, per_asset[tag], made)
    verdict = audit.verify()
    assert verdict.ok, verdict.problem
    assert verdict.checked == chain_seq()


def test_server_killed_mid_batch_and_restarted_loses_and_doubles_nothing(fleet, server):
    token, maker = fleet["tokens"][0], fleet["maker"]
    device = "phone-basement"
    sent: list[str] = []
    interrupted = None
    server.start()
    # The token's first use writes its last_used_at; get that write out of the way, so that
    # the only writer the probe below can see is the batch.
    assert post_sync(server.port, token, device, [], timeout=WAIT)[0] == 200
    for attempt in range(4):
        events = maker.spread(BATCH)
        sent += [e["id"] for e in events]
        seq_before = chain_seq()
        flight = InFlight(server.port, token, device, events, timeout=WAIT)
        flight.start()
        assert flight.sent.wait(WAIT), "the batch was never sent"
        deadline = time.monotonic() + WAIT
        while flight.is_alive() and not batch_under_way(seq_before):
            assert time.monotonic() < deadline, "the server never started on the batch"
            time.sleep(0.005)
        # A little into the batch on the first try; at once if a batch outran us before.
        time.sleep(0.1 if attempt == 0 else 0)
        server.kill()  # SIGKILL to master and workers: no cleanup, no response
        flight.join(WAIT)
        assert not flight.is_alive()
        found = len(stored([e["id"] for e in events]))
        if flight.error is not None and found < len(events):
            interrupted = (attempt, found)
        print(f"attempt {attempt}: killed {'mid-request' if flight.error else 'too late'}"
              f" ({flight.error!r}); {found} of {len(events)} events were committed")

        server.start()  # the phone keeps retrying; the server comes back
        first = sync_until_accepted(server, token, device, events)
        statuses = Counter(r["status"] for r in first["results"])
        assert set(statuses) <= {"applied", "duplicate"}, first["results"][:5]
        assert statuses["duplicate"] == found  # exactly what had been committed before
        again = post_sync(server.port, token, device, events, timeout=WAIT)
        assert again[0] == 200
        assert [r["status"] for r in again[1]["results"]] == ["duplicate"] * len(events)
        assert {r["details"]["outcome"] for r in again[1]["results"]} == {"applied"}
        if interrupted:
            break
    assert interrupted, "every batch finished before the kill landed"
    assert_each_applied_once(maker, sent)


def test_two_devices_with_overlapping_batches_apply_each_event_once(fleet, server):
    maker = fleet["maker"]
    events = maker.spread(600)
    a, b = events[:400], events[200:]  # the middle 200 are in both
    server.start()
    barrier = threading.Barrier(2)
    flights = [InFlight(server.port, token, device, batch, timeout=WAIT)
               for token, device, batch in zip(fleet["tokens"], PHONES, (a, b), strict=True)]

    def go(flight):
        barrier.wait(WAIT)
        flight.run()

    threads = [threading.Thread(target=go, args=(f,), daemon=True) for f in flights]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    for flight in flights:
        assert flight.error is None and flight.status == 200, (flight.error, flight.reply)
    # Both were on the wire before either was answered: they really did overlap.
    assert max(f.sent_at for f in flights) < min(f.answered_at for f in flights)

    outcomes: dict[str, list[str]] = {e["id"]: [] for e in events}
    for flight in flights:
        for result in flight.reply["results"]:
            outcomes[result["id"]].append(result["status"])
    shared = {e["id"] for e in events[200:400]}
    for event_id, statuses in outcomes.items():
        expected = ["applied", "duplicate"] if event_id in shared else ["applied"]
        assert sorted(statuses) == expected, (event_id, statuses)

    for token, device, batch in zip(fleet["tokens"], PHONES, (a, b), strict=True):
        status, reply = post_sync(server.port, token, device, batch, timeout=WAIT)
        assert status == 200
        assert {r["status"] for r in reply["results"]} == {"duplicate"}
    assert_each_applied_once(maker, [e["id"] for e in events])
