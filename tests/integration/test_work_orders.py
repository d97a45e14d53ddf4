"""Work orders: opened, worked and closed through the pipeline (pages, the API and phones
send the same events); out of service and back; bad input refused with nothing written;
two technicians' offline work merged; numbers unique."""
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.models import Conflict, Event
from app.lifecycle.pipeline import EventIn, apply_batch, apply_event
from app.maintenance.models import WorkOrder, WorkOrderItem, WorkOrderPart
from tests.factories import make_asset, make_location, make_person, make_token, make_user

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def tech(app):
    return make_user(Role.TECHNICIAN, email="tech@example.org")


@pytest.fixture
def asset(app):
    make_person("P1")
    asset = make_asset(tag="A1", criticality="high")
    apply_event(EventIn("check_out", "A1", {"assignee": "P1"}), actor=make_user())
    db.session.commit()
    return asset


def send(type_, data, actor, tag="A1", **kw):
    outcome = apply_event(EventIn(type_, tag, data, **kw), actor=actor)
    db.session.commit()
    return outcome


def open_order(actor, **data):
    ident = str(uuid.uuid4())
    outcome = send("work_order_open", {"work_order": ident, "kind": "corrective",
                                       "title": "Fan noise"} | data, actor)
    assert outcome.status == "applied", outcome.reason
    return ident


def order(ident) -> WorkOrder:
    db.session.expire_all()
    return db.session.get(WorkOrder, ident)


def asset_status(tag="A1") -> str:
    db.session.expire_all()
    return str(db.session.scalar(sa.select(Asset.status).where(Asset.tag == tag)))


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Event, WorkOrder, WorkOrderItem, WorkOrderPart))


# --- the document through the pipeline ---------------------------------------------------

def test_an_order_is_numbered_and_takes_its_priority_from_the_asset(asset, tech):
    ident = open_order(tech, checklist=["Fans spin", "Filters clean"])
    opened = order(ident)
    assert opened.number == f"WO-{datetime.now(UTC).year}-000001"
    assert (opened.status, opened.priority, opened.opened_by_id) == ("open", "high", tech.id)
    assert [i.text for i in opened.items] == ["Fans spin", "Filters clean"]
    assert asset_status() == "deployed"  # not out of service: it stays where it is


def test_a_whole_order_worked_start_to_finish(asset, tech):
    ident = open_order(tech, checklist=["Fans spin"])
    assert send("work_order_start", {"work_order": ident}, tech).status == "applied"
    assert send("work_order_update", {
        "work_order": ident, "labour_minutes": 30, "status": "waiting_parts",
        "parts": [{"name": "Fan", "quantity": 2, "cost": "24.50"}],
        "checklist": [{"item": 1, "result": "fail", "note": "bearing worn"}]},
        tech).status == "applied"
    assert order(ident).status == "waiting_parts"
    assert send("work_order_update", {"work_order": ident, "status": "in_progress"},
                tech).status == "applied"
    done = send("work_order_complete", {"work_order": ident, "work_done": "Replaced fans",
                                        "failure": True, "cost": "10.00",
                                        "labour_minutes": 15, "downtime_minutes": 45,
                                        "downtime_reason": "waiting for fans"}, tech)
    assert done.status == "applied", done.reason
    closed = order(ident)
    assert (closed.status, closed.labour_minutes, closed.downtime_minutes) == ("done", 45, 45)
    assert (closed.failure, str(closed.parts_cost), str(closed.total_cost)) == (
        True, "24.50", "34.50")
    assert closed.items[0].result == "fail" and closed.items[0].note == "bearing worn"
    assert closed.started_at is not None and closed.closed_at is not None


def test_out_of_service_sends_the_asset_to_repair_and_closing_returns_it(asset, tech):
    ident = open_order(tech, out_of_service=True)
    assert asset_status() == "in_repair" and order(ident).return_status == "deployed"
    send("work_order_start", {"work_order": ident}, tech)
    send("work_order_complete", {"work_order": ident, "work_done": "ok", "failure": False},
         tech)
    assert asset_status() == "deployed"
    assert db.session.scalar(sa.select(Asset).where(Asset.tag == "A1")).assignee is not None


def test_cancelling_returns_the_asset_too_and_a_second_order_keeps_it_out(asset, tech):
    manager = make_user(Role.MANAGER)
    first = open_order(tech, out_of_service=True)
    second = open_order(tech, out_of_service=True)
    assert order(second).return_status == "deployed"  # where the first found it
    assert send("work_order_cancel", {"work_order": first, "reason": "dup"},
                manager).status == "applied"
    assert asset_status() == "in_repair"  # the second still holds it
    send("work_order_cancel", {"work_order": second, "reason": "not needed"}, manager)
    assert asset_status() == "deployed"


def test_an_asset_checked_in_meanwhile_is_not_sent_back(asset, tech):
    ident = open_order(tech, out_of_service=True)
    make_location("LAB")
    send("check_in", {"location": "LAB"}, tech)
    send("work_order_start", {"work_order": ident}, tech)
    send("work_order_complete", {"work_order": ident, "work_done": "ok", "failure": False},
         tech)
    assert asset_status() == "in_stock"


def test_the_repair_event_still_works_beside_work_orders(asset, tech):
    open_order(tech)
    assert send("repair", {"symptom": "fan", "status": "open"}, tech).status == "applied"
    assert asset_status() == "in_repair"
    types = db.session.scalars(sa.select(Event.type).order_by(Event.seq)).all()
    assert types[-2:] == ["work_order_open", "repair"]


# --- bad input: refused with a message, nothing written --------------------------------

BAD = [
    ("work_order_update", {"labour_minutes": -5}, "labour_minutes"),
    ("work_order_update", {"labour_minutes": 1.5}, "whole number"),
    ("work_order_update", {"checklist": [{"item": 1, "result": "maybe"}]}, "pass, fail or na"),
    ("work_order_update", {"checklist": [{"item": 7, "result": "pass"}]}, "no checklist line"),
    ("work_order_update", {"parts": [{"name": "Fan", "quantity": 0}]}, "quantity"),
    ("work_order_update", {"parts": [{"name": "Fan", "quantity": 1, "cost": "-1"}]}, "cost"),
    ("work_order_update", {"status": "done"}, "status"),
    ("work_order_update", {"parts": []}, "Nothing to record"),
    ("work_order_complete", {"work_done": "x", "failure": True, "downtime_minutes": -1},
     "downtime_minutes"),
    ("work_order_complete", {"failure": True}, "work_done"),
    ("work_order_complete", {"work_done": "x", "failure": False}, "cannot be completed"),
    ("work_order_start", {"work_order": str(uuid.uuid4())}, "has no work order"),
]


@pytest.mark.parametrize(("type_", "data", "message"), BAD)
def test_bad_work_is_refused_and_nothing_is_written(asset, tech, type_, data, message):
    ident = open_order(tech, checklist=["Fans spin"])
    before, labour = counts(), order(ident).labour_minutes
    outcome = send(type_, {"work_order": ident} | data, tech)
    assert outcome.status == "rejected" and message in outcome.reason
    assert counts() == before and order(ident).labour_minutes == labour
    assert order(ident).status == "open" and order(ident).items[0].result is None


BAD_OPEN = [
    ({"assignee": "nobody@example.org"}, "no active user"),
    ({"due": (date.today() + timedelta(days=3000)).isoformat()}, "due"),
    ({"due": "1999-01-01"}, "due"),
    ({"kind": "cosmetic"}, "kind"),
    ({"priority": "whenever"}, "priority"),
    ({"work_order": "not-a-uuid"}, "UUID"),
    ({"title": ""}, "title"),
]


@pytest.mark.parametrize(("data", "message"), BAD_OPEN)
def test_a_bad_order_is_not_opened(asset, tech, data, message):
    before = counts()
    outcome = send("work_order_open", {"work_order": str(uuid.uuid4()), "kind": "corrective",
                                       "title": "Fan"} | data, tech)
    assert outcome.status == "rejected" and message in outcome.reason
    assert counts() == before and asset_status() == "deployed"


def test_a_cancelled_order_cannot_be_completed(asset, tech):
    ident = open_order(tech, out_of_service=True)
    send("work_order_start", {"work_order": ident}, tech)
    send("work_order_cancel", {"work_order": ident, "reason": "wrong asset"},
         make_user(Role.MANAGER))
    before = counts()
    outcome = send("work_order_complete", {"work_order": ident, "work_done": "x",
                                           "failure": False}, tech)
    assert outcome.status == "rejected" and "is cancelled: it cannot be completed" in \
        outcome.reason
    assert counts() == before and order(ident).status == "cancelled"


def test_a_technician_may_not_cancel_an_order(asset, tech):
    ident = open_order(tech)
    outcome = send("work_order_cancel", {"work_order": ident, "reason": "bored"}, tech)
    assert outcome.status == "rejected" and outcome.code == "forbidden"
    assert order(ident).status == "open"


def test_an_order_of_another_asset_is_not_worked_here(asset, tech):
    make_asset(tag="A2")
    ident = open_order(tech)
    outcome = send("work_order_start", {"work_order": ident}, tech, tag="A2")
    assert outcome.status == "rejected" and "A2 has no work order" in outcome.reason


def test_the_same_order_id_cannot_open_two_orders(asset, tech):
    ident = open_order(tech)
    outcome = send("work_order_open", {"work_order": ident, "kind": "corrective",
                                       "title": "Again"}, tech)
    assert outcome.status == "rejected" and outcome.code == "duplicate"


# --- offline: opened on the phone, merged field by field ---------------------------------

def test_an_order_opened_offline_is_worked_in_the_same_batch(asset, tech):
    ident = str(uuid.uuid4())
    events = [EventIn(t, "A1", {"work_order": ident} | d, occurred_at=T0.replace(tzinfo=None)
                      + timedelta(minutes=n), device="phone-1")
              for n, (t, d) in enumerate([
                  ("work_order_open", {"kind": "corrective", "title": "Fan",
                                       "out_of_service": True}),
                  ("work_order_start", {}),
                  ("work_order_update", {"labour_minutes": 20,
                                         "parts": [{"name": "Fan", "quantity": 1}]}),
                  ("work_order_complete", {"work_done": "fixed", "failure": True})])]
    outcomes = apply_batch(events, actor=tech)
    db.session.commit()
    assert [o.status for o in outcomes] == ["applied"] * 4, [o.reason for o in outcomes]
    assert order(ident).status == "done" and order(ident).labour_minutes == 20
    assert asset_status() == "deployed"


def test_two_technicians_updates_add_up(asset, tech):
    ident = open_order(tech, checklist=["Fans spin", "Filters clean"])
    send("work_order_start", {"work_order": ident}, tech)
    seen = db.session.get(Asset, asset.id).version
    other = make_user(Role.TECHNICIAN)
    for who, device, minutes, part, line in (
            (tech, "phone-1", 30, "Fan", {"item": 1, "result": "pass", "note": "quiet now"}),
            (other, "phone-2", 45, "Filter", {"item": 1, "result": "pass", "note": "ok too"})):
        outcome = send("work_order_update", {
            "work_order": ident, "labour_minutes": minutes,
            "parts": [{"name": part, "quantity": 1, "cost": "5.00"}], "checklist": [line]},
            who, base_version=seen, device=device)
        assert outcome.status == "applied", outcome.reason
    merged = order(ident)
    assert merged.labour_minutes == 75 and [p.name for p in merged.parts] == ["Fan", "Filter"]
    assert merged.items[0].note == "quiet now\nok too" and str(merged.parts_cost) == "10.00"


def test_completing_an_order_cancelled_meanwhile_is_a_conflict(asset, tech):
    ident = open_order(tech, out_of_service=True)
    send("work_order_start", {"work_order": ident}, tech)
    seen = db.session.get(Asset, asset.id).version
    send("work_order_cancel", {"work_order": ident, "reason": "replaced"},
         make_user(Role.MANAGER), device="desk")
    outcome = send("work_order_complete", {"work_order": ident, "work_done": "fixed",
                                           "failure": False}, tech, base_version=seen,
                   device="phone-1")
    assert outcome.status == "conflict"
    assert order(ident).status == "cancelled"
    conflict = db.session.scalar(sa.select(Conflict))
    assert conflict is not None and "cancelled" in conflict.reason


def test_cancelling_an_order_completed_meanwhile_is_a_conflict(asset, tech):
    ident = open_order(tech)
    send("work_order_start", {"work_order": ident}, tech)
    seen = db.session.get(Asset, asset.id).version
    send("work_order_complete", {"work_order": ident, "work_done": "fixed", "failure": False},
         tech, device="phone-1")
    outcome = send("work_order_cancel", {"work_order": ident, "reason": "no"},
                   make_user(Role.MANAGER), base_version=seen, device="desk")
    assert outcome.status == "conflict" and order(ident).status == "done"


def test_late_parts_from_a_phone_still_count_on_a_done_order(asset, tech):
    ident = open_order(tech)
    send("work_order_start", {"work_order": ident}, tech)
    seen = db.session.get(Asset, asset.id).version
    send("work_order_complete", {"work_order": ident, "work_done": "fixed", "failure": False},
         tech, device="phone-1")
    outcome = send("work_order_update", {"work_order": ident, "labour_minutes": 10,
                                         "parts": [{"name": "Screw", "quantity": 4}]},
                   make_user(Role.TECHNICIAN), base_version=seen, device="phone-2")
    assert outcome.status == "applied"
    assert order(ident).labour_minutes == 10 and order(ident).parts[0].name == "Screw"


def test_work_order_events_sync_from_a_phone(app, asset):
    token = make_token(make_user(Role.TECHNICIAN))
    ident = str(uuid.uuid4())
    events = [{"id": str(uuid.uuid4()), "type": t, "asset": "A1",
               "occurred_at": (T0 + timedelta(minutes=n)).isoformat(),
               "data": {"work_order": ident} | d}
              for n, (t, d) in enumerate([("work_order_open", {"kind": "preventive",
                                                                 "title": "Service"}),
                                          ("work_order_start", {})])]
    reply = app.test_client().post("/api/v1/sync", json={"device_id": "p", "events": events},
                                   headers={"Authorization": f"Bearer {token}"})
    assert [r["status"] for r in reply.json["results"]] == ["applied", "applied"]
    assert order(ident).status == "in_progress"


# --- numbers ---------------------------------------------------------------------------

def test_numbers_count_up_and_stay_unique(asset, tech):
    idents = [open_order(tech) for _ in range(3)]
    year = datetime.now(UTC).year
    assert [order(i).number for i in idents] == [f"WO-{year}-{n:06d}" for n in (1, 2, 3)]
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(WorkOrder(id=str(uuid.uuid4()), number=order(idents[0]).number,
                                 asset_id=asset.id, kind="corrective", title="x",
                                 priority="low", opened_by_id=tech.id))
        db.session.flush()
    db.session.rollback()


def test_orders_opened_at_once_by_two_workers_get_distinct_numbers(app, asset):
    ids = [make_user(Role.TECHNICIAN).id for _ in range(2)]
    barrier, problems = threading.Barrier(2), []

    def worker(user_id):
        with app.app_context():  # a session and connection of its own, as a worker has
            user = db.session.get(User, user_id)
            barrier.wait(10)
            for n in range(8):
                outcome = apply_event(EventIn("work_order_open", "A1", {
                    "work_order": str(uuid.uuid4()), "kind": "corrective",
                    "title": f"Job {n}"}), actor=user)
                db.session.commit()
                if outcome.status != "applied":
                    problems.append(outcome.reason)
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    numbers = db.session.scalars(sa.select(WorkOrder.number)).all()
    year = datetime.now(UTC).year
    assert problems == [] and sorted(numbers) == [f"WO-{year}-{n:06d}" for n in range(1, 17)]
