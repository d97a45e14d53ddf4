"""Maintenance schedules and the planner (design.md "Maintenance": schedules, planner): the
calendar fixed and floating, meters, both at once, the criticality factor, no occurrence
twice (planner run twice, or two at once in two processes), none while the previous order is
open, threshold triggers with hysteresis, and POST /api/v1/schedules refusing bad bodies."""
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_or_raise
from app.maintenance import planner, schedules
from app.maintenance.models import WorkOrder, WorkOrderStatus
from app.maintenance.schedules import Schedule, ScheduleOccurrence
from app.meters import service as meters
from app.timeutil import isoformat, utcnow
from tests.factories import make_asset, make_model, make_token, make_user

ROOT = Path(__file__).resolve().parents[2]


def today():
    return utcnow().date()


@pytest.fixture
def manager(app):
    return make_user(Role.MANAGER, email="manager@example.org")


def schedule(manager, **fields) -> Schedule:
    data = schedules.ScheduleIn().load({"title": "Service"} | fields)
    made = schedules.create(data, actor=manager)
    db.session.commit()
    return made


def plan(days=14) -> planner.Plan:
    result = planner.run(days)
    db.session.commit()
    return result


def orders(tag=None) -> list[WorkOrder]:
    stmt = sa.select(WorkOrder).order_by(WorkOrder.number)
    if tag:
        stmt = stmt.join(WorkOrder.asset).where(Asset.tag == tag)
    return db.session.scalars(stmt).all()


def close(order: WorkOrder, manager, days_ago: float = 0) -> None:
    when = utcnow() - timedelta(days=days_ago)
    tag = order.asset.tag
    apply_or_raise(EventIn("work_order_start", tag, {"work_order": order.id}, occurred_at=when),
                   actor=manager)
    apply_or_raise(EventIn("work_order_complete", tag, {
        "work_order": order.id, "work_done": "Serviced", "failure": False}, occurred_at=when),
        actor=manager)
    db.session.commit()


def test_a_fixed_calendar_schedule_makes_each_occurrence_once(app, manager):
    make_asset(tag="A1")
    start = today() - timedelta(days=25)
    schedule(manager, asset="A1", every_days=30, start=start.isoformat(),
             checklist=["Clean filters", "Check belts"])
    assert plan().made == 1
    assert plan().made == 0  # run again: nothing new
    (order,) = orders()
    assert (order.kind, order.due, order.status) == ("preventive", start + timedelta(days=30),
                                                    WorkOrderStatus.OPEN)
    assert [i.text for i in order.items] == ["Clean filters", "Check belts"]
    assert order.reason == f"every 30 days from {start}"
    page = app.test_client(user=manager).get(f"/admin/work-orders/{order.number}")
    assert f"every 30 days from {start}" in page.get_data(as_text=True)
    assert app.test_client(user=manager).get(
        f"/api/v1/work-orders/{order.number}").json["reason"] == order.reason
    assert order.opened_by.email == planner.PLANNER_EMAIL and not order.opened_by.active
    assert order.priority == "normal"  # from the asset's medium criticality
    close(order, manager)
    assert plan(days=14).made == 0  # the next is start + 60 days, 35 days away
    assert plan(days=40).made == 1
    assert orders()[-1].due == start + timedelta(days=60)  # fixed: from the start, not done


def test_no_second_order_while_the_previous_one_is_open_it_is_overdue(manager):
    make_asset(tag="A1")
    schedule(manager, asset="A1", every_days=10, start=(today() - timedelta(days=25)).isoformat())
    assert plan().made == 1
    (order,) = orders()
    assert order.due == today() - timedelta(days=5)  # missed ones skipped: the newest made
    result = plan(days=30)
    assert result.made == 0 and len(orders()) == 1
    assert [(tag, last.number) for _, tag, last in result.overdue] == [("A1", order.number)]


def test_a_floating_schedule_counts_from_the_last_completion(manager):
    make_asset(tag="A1")
    schedule(manager, asset="A1", every_months=3, floating=True,
             start=(today() - timedelta(days=200)).isoformat())
    assert plan().made == 1
    close(orders()[0], manager, days_ago=80)
    done = (utcnow() - timedelta(days=80)).date()
    assert plan(days=1).made == 0
    assert plan(days=20).made == 1
    second = orders()[-1]
    assert second.due == planner.add_months(done, 3)
    assert second.reason == f"every 3 months, last done {done}"


def hours_meter(tag: str, values_per_day: list[float], unit="h", kind="counter",
                name="hours"):
    asset = db.session.scalar(sa.select(Asset).where(Asset.tag == tag))
    meters.create_meter(asset, name=name, kind=kind, unit=unit)
    db.session.commit()
    send(tag, name, values_per_day)


def send(tag, meter, values, step_days=1.0):
    """Readings as a feed sends them, the last one now."""
    n = len(values)
    reader = db.session.scalar(sa.select(User).where(User.email == "feed@example.org")) \
        or make_user(Role.TECHNICIAN, email="feed@example.org")
    results = meters.store_batch([
        {"id": str(uuid.uuid4()), "asset": tag, "meter": meter, "value": v,
         "at": isoformat(utcnow() - timedelta(days=(n - 1 - i) * step_days, seconds=1))}
        for i, v in enumerate(values)], actor=reader)
    assert {r["status"] for r in results} == {"stored"}, results
    db.session.commit()


def test_a_meter_schedule_falls_due_at_its_units(manager):
    make_asset(tag="A1")
    hours_meter("A1", [10.0 * d for d in range(53)])  # 0 ... 520 h, 10 h a day
    schedule(manager, asset="A1", meter="hours", every_units=500)
    assert plan().made == 1
    (order,) = orders()
    assert order.due == today() and order.reason == "520 h, due at 500 h"
    close(order, manager)
    assert plan().made == 0  # 1,000 h is 48 days away at 10 h a day
    assert plan(days=60).made == 1
    assert orders()[-1].reason.startswith("520 h, due at 1,000 h, projected ")


def test_a_calendar_and_a_meter_interval_whichever_comes_first(manager):
    make_asset(tag="BYMETER")
    make_asset(tag="BYDATE")
    hours_meter("BYMETER", [10.0 * d for d in range(53)])
    hours_meter("BYDATE", [1.0 * d for d in range(53)])
    for tag in ("BYMETER", "BYDATE"):
        schedule(manager, asset=tag, every_days=10, meter="hours", every_units=500,
                 start=(today() - timedelta(days=5)).isoformat())
    assert plan().made == 2
    by_meter, by_date = orders("BYMETER")[0], orders("BYDATE")[0]
    assert (by_meter.due, by_meter.reason) == (today(), "520 h, due at 500 h")
    assert (by_date.due, by_date.reason) == (today() + timedelta(days=5),
                                            f"every 10 days from {today() - timedelta(days=5)}")


def test_a_higher_criticality_shortens_the_interval_by_its_factor(app, manager):
    app.config["MAINTENANCE_CRITICALITY_FACTORS"] = {"critical": 0.5}
    model = make_model("Pump P1")
    make_asset(tag="CRIT", model=model.name, criticality="critical")
    make_asset(tag="LOW", model=model.name, criticality="low")
    schedule(manager, model="Pump P1", every_days=20, start=today().isoformat())
    assert plan().made == 1
    (order,) = orders()
    assert (order.asset.tag, order.due, order.priority) == ("CRIT", today() + timedelta(10),
                                                            "urgent")
    assert "x0.5 for its criticality" in order.reason
    app.config["MAINTENANCE_CRITICALITY_FACTORS"] = {"critical": 0.5, "low": 0.25}
    assert plan().made == 1 and orders("LOW")[0].due == today() + timedelta(days=5)


def test_a_model_schedule_covers_assets_added_later(manager):
    model = make_model("Van V1")
    make_asset(tag="V1", model=model.name)
    schedule(manager, model="Van V1", every_days=7, start=today().isoformat())
    assert plan().made == 1
    make_asset(tag="V2", model=model.name)
    assert plan().made == 1
    assert sorted(o.asset.tag for o in orders()) == ["V1", "V2"]


def test_a_stale_plan_made_by_another_planner_meanwhile_opens_nothing_twice(manager):
    model = make_model("Laptop L1")
    for n in range(5):
        make_asset(tag=f"L{n}", model=model.name)
    schedule(manager, model="Laptop L1", every_days=7, start=today().isoformat())
    stale = planner.decide(14)  # decided before the other planner made the orders
    assert plan().made == 5
    actor = planner.planner_user()
    assert {planner._open(item, actor) for item in stale.due} == {"already"}
    db.session.commit()
    assert len(orders()) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduleOccurrence)) == 5


def test_the_database_refuses_a_second_row_for_one_occurrence(manager):
    make_asset(tag="A1")
    schedule(manager, asset="A1", every_days=7, start=today().isoformat())
    plan()
    first = db.session.scalars(sa.select(ScheduleOccurrence)).one()
    other = str(uuid.uuid4())
    apply_or_raise(EventIn("work_order_open", "A1", {"work_order": other, "kind": "preventive",
                                                     "title": "By hand"}), actor=manager)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(ScheduleOccurrence(schedule_id=first.schedule_id,
                                          asset_id=first.asset_id, seq=first.seq,
                                          due=first.due, work_order_id=other))
        db.session.flush()
    db.session.rollback()


def test_two_planners_in_two_processes_at_once_make_each_order_once(app, manager, config):
    model = make_model("Printer P1")
    for n in range(30):
        make_asset(tag=f"P{n:02d}", model=model.name)
    schedule(manager, model="Printer P1", every_days=7, start=today().isoformat())
    db.session.commit()
    env = os.environ | {"DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": config["SECRET_KEY"],
                        "TAGTRAIL_INSTANCE_PATH": config["INSTANCE_PATH"]}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "maintenance", "plan"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    made = sorted(int(out.split()[1]) for out, _ in outputs)
    db.session.expire_all()
    assert len(orders()) == 30 and sum(made) == 30, outputs
    assert "Made" in outputs[0][0]


def test_a_threshold_makes_one_order_until_closed_and_back(manager):
    make_asset(tag="SRV")
    hours_meter("SRV", [22.0], unit="°C", kind="gauge", name="inlet")
    schedule(manager, asset="SRV", meter="inlet", above=30)
    for values in ([25.0], [31.0], [32.0, 33.0], [34.0] * 50):
        send("SRV", "inlet", values, step_days=0.0001)
    (order,) = orders()
    assert order.kind == "predictive" and order.reason.startswith("inlet 31 °C, above 30 °C")
    close(order, manager)
    send("SRV", "inlet", [35.0])
    assert plan().made == 0 and len(orders()) == 1  # closed, but never came back below
    send("SRV", "inlet", [28.0])
    send("SRV", "inlet", [31.5])
    assert len(orders()) == 2 and orders()[-1].status == WorkOrderStatus.OPEN


def test_a_feed_of_ten_thousand_readings_above_raises_one_order(manager):
    make_asset(tag="SRV")
    hours_meter("SRV", [20.0], unit="°C", kind="gauge", name="inlet")
    schedule(manager, asset="SRV", meter="inlet", below=5)
    send("SRV", "inlet", [float(i % 4) for i in range(10_000)], step_days=0.00001)
    assert len(orders()) == 1 and plan().made == 0


# --- POST /api/v1/schedules ------------------------------------------------------------------

@pytest.fixture
def api(app):
    make_model("Pump P1")
    asset = make_asset(tag="A1")
    meters.create_meter(asset, name="hours", kind="counter", unit="h")
    db.session.commit()
    tokens = {role: make_token(make_user(role)) for role in Role}
    client = app.test_client()

    def call(method, role=Role.MANAGER, **kw):
        return client.open("/api/v1/schedules", method=method,
                           headers={"Authorization": f"Bearer {tokens[role]}"}, **kw)
    return call


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Schedule))


def test_a_schedule_is_made_and_listed(api):
    reply = api("POST", json={"asset": "A1", "title": "Oil change", "every_months": 6,
                              "meter": "hours", "every_units": 250, "lead_days": 7,
                              "checklist": ["Oil", "Filter"]})
    assert reply.status_code == 201, reply.json
    assert reply.json["every"] == "every 6 months or every 250 hours"
    assert reply.json["kind"] == "preventive" and reply.json["lead_days"] == 7
    listed = api("GET", role=Role.AUDITOR)
    assert listed.status_code == 200 and [s["title"] for s in listed.json["items"]] == [
        "Oil change"]
    threshold = api("POST", json={"model": "pump p1", "title": "Hot", "meter": "hours",
                                  "above": 80})
    assert threshold.status_code == 422  # no asset of the model has the meter yet
    assert "no meter named 'hours'" in threshold.json["error"]["message"]


BAD = [
    ({"title": "x", "every_days": 7}, "either an asset"),
    ({"asset": "A1", "model": "Pump P1", "title": "x", "every_days": 7}, "either an asset"),
    ({"asset": "A1", "title": "x", "every_days": 7, "every_months": 1}, "not both"),
    ({"asset": "A1", "title": "x", "every_days": -7}, "every_days"),
    ({"asset": "A1", "title": "x", "every_days": 7, "lead_days": -1}, "lead_days"),
    ({"asset": "A1", "title": "x", "meter": "hours", "every_units": -5}, "every_units"),
    ({"asset": "A1", "title": "x", "meter": "volts", "every_units": 5}, "no meter named"),
    ({"asset": "A1", "title": "x", "meter": "hours", "above": 5, "below": 1}, "above or below"),
    ({"asset": "A1", "title": "x"}, "interval"),
    ({"asset": "A1", "title": "x", "every_units": 5}, "need a meter"),
    ({"asset": "A1", "title": "x", "every_days": 1.5}, "every_days"),
    ({"asset": "NOPE", "title": "x", "every_days": 7}, "no asset"),
    ({"model": "NOPE", "title": "x", "every_days": 7}, "no model"),
    ({"asset": "A1", "title": "x", "every_days": 7, "colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("sent", "message"), BAD)
def test_a_bad_schedule_is_refused_with_a_message_and_nothing_written(api, sent, message):
    reply = api("POST", json=sent)
    assert reply.status_code in (404, 422), reply.json
    assert message in reply.get_data(as_text=True)
    assert count() == 0


def test_making_a_schedule_needs_manage_and_reading_them_view(api):
    body = {"asset": "A1", "title": "x", "every_days": 7}
    assert api("POST", role=Role.TECHNICIAN, json=body).status_code == 403
    assert api("POST", role=Role.AUDITOR, json=body).status_code == 403
    assert count() == 0
    assert api("GET", role=Role.AUDITOR).status_code == 200


def test_the_pages_show_schedules_the_calendar_and_the_backlog(app, manager, login):
    make_asset(tag="A1")
    schedule(manager, asset="A1", every_days=10, start=(today() - timedelta(days=25)).isoformat())
    schedule(manager, asset="A1", title="Later", every_days=30, start=today().isoformat())
    plan()
    viewer = login(Role.AUDITOR)
    assert "every 10 days" in viewer.get("/admin/maintenance/schedules").get_data(as_text=True)
    month = orders()[0].due.strftime("%Y-%m")
    page = viewer.get(f"/admin/maintenance/calendar?month={month}").get_data(as_text=True)
    assert orders()[0].number in page
    upcoming = viewer.get("/admin/maintenance/calendar?month="
                          + (today() + timedelta(days=30)).strftime("%Y-%m"))
    assert "planned: A1 · Later" in upcoming.get_data(as_text=True)
    backlog = viewer.get("/admin/maintenance/backlog").get_data(as_text=True)
    assert "overdue" in backlog and orders()[0].number in backlog
    assert viewer.get("/admin/maintenance/schedules/new").status_code == 403
    boss = login(Role.MANAGER)
    reply = boss.post("/admin/maintenance/schedules/new", data={
        "target": "asset", "asset": "A1", "title": "Belts", "every": "3", "unit": "months",
        "lead_days": "7", "checklist": "Belts\nPulleys"})
    assert reply.status_code == 302
    made = db.session.scalar(sa.select(Schedule).where(Schedule.title == "Belts"))
    assert (made.every_months, made.checklist) == (3, ["Belts", "Pulleys"])
    bad = boss.post("/admin/maintenance/schedules/new", data={
        "target": "asset", "asset": "A1", "title": "Both", "unit": "days", "meter": "nope",
        "every_units": "5"})
    assert bad.status_code == 422 and "no meter named" in bad.get_data(as_text=True)


def test_a_persons_reading_through_sync_evaluates_the_threshold_on_commit(app, manager):
    make_asset(tag="SRV")
    hours_meter("SRV", [22.0], unit="°C", kind="gauge", name="inlet")
    schedule(manager, asset="SRV", meter="inlet", above=30)
    client = app.test_client(user=make_user(Role.TECHNICIAN))
    events = [{"id": str(uuid.uuid4()), "type": "reading", "asset": "SRV",
               "data": {"meter": "inlet", "value": value}} for value in (31.0, 32.0)]
    reply = client.post("/api/v1/sync", json={"device_id": "phone-1", "events": events})
    assert [r["status"] for r in reply.json["results"]] == ["applied", "applied"]
    db.session.expire_all()
    (order,) = orders()
    assert order.kind == "predictive" and "above 30 °C" in order.reason


def test_a_model_threshold_raises_an_order_only_on_the_asset_read(manager):
    model = make_model("Server S1")
    for tag in ("S1", "S2"):
        make_asset(tag=tag, model=model.name)
        hours_meter(tag, [40.0], unit="°C", kind="gauge", name="inlet")
    schedule(manager, model="Server S1", meter="inlet", above=30)
    send("S2", "inlet", [41.0])  # the batch read S2's meter alone
    assert [o.asset.tag for o in orders()] == ["S2"]
    assert plan().made == 1  # the planner run looks at every meter: S1 too
    assert sorted(o.asset.tag for o in orders()) == ["S1", "S2"]
