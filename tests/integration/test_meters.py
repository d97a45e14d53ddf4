"""Meters and readings: counters that never go backwards unless reset, duplicates by id,
readings out of order, feeds in bulk, the trend projection, stale meters, the asset page."""
import random
import re
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.meters import service
from app.meters.models import Meter, Reading
from app.meters.trend import project
from app.timeutil import isoformat, utcnow
from tests.factories import make_asset, make_location, make_user

NOW = utcnow().replace(microsecond=0)


def at(days_ago: float) -> str:
    return isoformat(NOW - timedelta(days=days_ago))


@pytest.fixture
def asset(app):
    return make_asset(tag="GEN-1", name="Generator")


@pytest.fixture
def manager(app, login):
    return login(Role.MANAGER)


@pytest.fixture
def hours(asset, manager):
    reply = manager.post("/api/v1/meters", json={"asset": "GEN-1", "name": "hours",
                                                 "kind": "counter", "unit": "h"})
    assert reply.status_code == 201, reply.json
    return db.session.get(Meter, reply.json["id"])


def send(client, *readings):
    reply = client.post("/api/v1/readings", json={"readings": list(readings)})
    assert reply.status_code == 200, reply.json
    return [r["status"] for r in reply.json["results"]], reply.json["results"]


def reading(value, days_ago, **extra):
    return {"asset": "GEN-1", "meter": "hours", "value": value, "at": at(days_ago)} | extra


def stored_values() -> list[float]:
    return db.session.scalars(sa.select(Reading.value).order_by(Reading.at)).all()


def test_a_meter_is_made_by_a_manager_and_named_once_per_asset(asset, manager, login):
    body = {"asset": "GEN-1", "name": "temp", "kind": "gauge", "unit": "°C"}
    made = manager.post("/api/v1/meters", json=body)
    assert made.status_code == 201 and made.json["kind"] == "gauge"
    again = manager.post("/api/v1/meters", json=body)
    assert again.status_code == 409 and "already" in again.json["error"]["message"]
    bad = manager.post("/api/v1/meters", json=body | {"name": "x", "kind": "dial"})
    assert bad.status_code == 422
    nowhere = manager.post("/api/v1/meters", json=body | {"asset": "NOPE"})
    assert nowhere.status_code == 404
    assert login(Role.TECHNICIAN).post("/api/v1/meters", json=body).status_code == 403


def test_a_counter_going_backwards_is_rejected_and_accepted_with_a_reset(hours, manager):
    statuses, results = send(manager, reading(100, 3), reading(90, 2))
    assert statuses == ["stored", "rejected"]
    assert "backwards" in results[1]["reason"] and '"reset": true' in results[1]["reason"]
    statuses, _ = send(manager, reading(90, 2, reset=True), reading(95, 1))
    assert statuses == ["stored", "stored"]
    assert stored_values() == [100, 90, 95]


def test_a_gauge_takes_any_finite_value_in_any_order(asset, manager):
    manager.post("/api/v1/meters", json={"asset": "GEN-1", "name": "temp", "kind": "gauge"})
    statuses, _ = send(manager, *[{"asset": "GEN-1", "meter": "temp", "value": v,
                                   "at": at(d)} for v, d in ((20, 1), (-5.5, 2), (30, 0.5))])
    assert statuses == ["stored", "stored", "stored"]


def test_the_same_id_again_is_a_duplicate_and_with_other_content_rejected(hours, manager):
    first = reading(10, 2, id=str(uuid.uuid4()))
    assert send(manager, first)[0] == ["stored"]
    statuses, results = send(manager, first, first | {"value": 11})
    assert statuses == ["duplicate", "rejected"]
    assert "already used by another reading" in results[1]["reason"]
    # Without an id, the same reading resent is still found again.
    assert send(manager, reading(12, 1), reading(12, 1))[0] == ["stored", "duplicate"]
    assert send(manager, reading(12, 1))[0] == ["duplicate"]
    assert stored_values() == [10, 12]


def test_out_of_order_readings_fit_between_their_neighbours(hours, manager):
    send(manager, reading(100, 10), reading(200, 5), reading(300, 1))
    statuses, results = send(manager, reading(150, 7), reading(250, 7), reading(50, 8))
    assert statuses == ["stored", "rejected", "rejected"]
    assert "above 200" in results[1]["reason"] and "below 100" in results[2]["reason"]
    # Between neighbours where a reset lies after it: anything at least the one before.
    send(manager, reading(5, 0.5, reset=True))
    assert send(manager, reading(400, 0.8))[0] == ["stored"]
    assert stored_values() == [100, 150, 200, 300, 400, 5]


def test_a_batch_out_of_time_order_is_judged_in_time_order(hours, manager):
    statuses, _ = send(manager, reading(30, 1), reading(10, 3), reading(20, 2))
    assert statuses == ["stored", "stored", "stored"]
    statuses, results = send(manager, reading(45, 0.5), reading(35, 0.7), reading(50, 0.6))
    # In time order: 35, then 50, then 45, which is below the 50 read before it.
    assert statuses == ["rejected", "stored", "stored"]
    assert "below 50" in results[0]["reason"]


def test_a_reading_in_the_future_or_of_nothing_known_is_rejected(hours, manager):
    soon = isoformat(NOW + timedelta(minutes=2))
    statuses, results = send(
        manager, reading(1, -1), reading(1, 0) | {"at": soon}, reading(2, 0, meter="km"),
        reading(2, 0, asset="NOPE"), reading(float("nan"), 0) | {"value": "12"},
        reading(1e13, 0), reading(1, 0) | {"at": "yesterday"}, "junk",
        reading(1, 0, id="not-a-uuid"))
    assert statuses == ["rejected", "stored", *["rejected"] * 7]
    reasons = [r.get("reason", "") for r in results]
    assert "in the future" in reasons[0]
    assert "no meter named 'km'" in reasons[2] and "no asset with the tag 'NOPE'" in reasons[3]
    assert "number" in reasons[4] and "finite" in reasons[5] and "ISO 8601" in reasons[6]
    assert "JSON object" in reasons[7] and "UUID" in reasons[8]


def test_a_mix_of_good_and_bad_keeps_the_good(hours, manager):
    statuses, _ = send(manager, reading(1, 5), reading(-1, 4), reading(2, 3),
                       reading(3, 2, meter="x"), reading(4, 1))
    assert statuses == ["stored", "rejected", "stored", "rejected", "stored"]
    assert stored_values() == [1, 2, 4]


def test_over_ten_thousand_readings_are_refused_whole(hours, manager):
    body = {"readings": [reading(i, 1 - i / 20000) for i in range(10_001)]}
    reply = manager.post("/api/v1/readings", json=body)
    assert reply.status_code == 400 and "limit is 10,000" in reply.json["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reading)) == 0
    statuses, _ = send(manager, *body["readings"][:10_000])
    assert set(statuses) == {"stored"} and len(statuses) == 10_000


def test_a_batch_is_one_audit_event_per_asset_sealing_its_rows(hours, manager):
    make_asset(tag="GEN-2")
    manager.post("/api/v1/meters", json={"asset": "GEN-2", "name": "hours", "kind": "counter"})
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    send(manager, *[reading(i, 5 - i / 10) for i in range(20)],
         *[reading(i, 5 - i / 10, asset="GEN-2") for i in range(5)], reading(-1, 0))
    events = db.session.scalars(sa.select(Event).order_by(Event.seq).offset(before)).all()
    assert [(e.type, e.data["count"]) for e in events] == [("readings", 20), ("readings", 5)]
    rows = db.session.scalars(sa.select(Reading).join(Meter).where(
        Meter.asset_id == hours.asset_id)).all()
    assert events[0].data["sha256"] == service.digest(rows)
    assert audit.verify().ok


def test_readings_are_read_back_by_asset_and_meter(hours, manager, login):
    send(manager, *[reading(i, 10 - i) for i in range(10)])
    viewer = login(Role.AUDITOR)
    page = viewer.get("/api/v1/assets/GEN-1/readings?meter=hours&per_page=3").json
    assert [r["value"] for r in page["items"]] == [9, 8, 7] and page["total"] == 10
    assert page["meters"][0]["latest"]["value"] == 9
    assert viewer.get("/api/v1/assets/GEN-1/readings?meter=km").status_code == 404
    assert viewer.post("/api/v1/readings", json={"readings": []}).status_code == 403
    assert service.latest(hours).value == 9


def test_a_reading_from_the_phone_goes_through_the_pipeline(hours, login):
    phone = login(Role.TECHNICIAN)
    taken = isoformat(NOW - timedelta(hours=5))
    events = [{"id": str(uuid.uuid4()), "type": "reading", "asset": "GEN-1",
               "occurred_at": taken, "data": {"meter": "hours", "value": "120.5"}},
              {"id": str(uuid.uuid4()), "type": "reading", "asset": "GEN-1",
               "occurred_at": taken, "data": {"meter": "hours", "value": 100}},
              {"id": str(uuid.uuid4()), "type": "reading", "asset": "GEN-1",
               "data": {"meter": "hours", "value": 130, "at": isoformat(NOW)}}]
    reply = phone.post("/api/v1/sync", json={"device_id": "p1", "events": events})
    statuses = [r["status"] for r in reply.json["results"]]
    assert statuses == ["applied", "rejected", "applied"], reply.json
    assert "backwards" in reply.json["results"][1]["reason"]
    again = phone.post("/api/v1/sync", json={"device_id": "p1", "events": events[:1]})
    assert again.json["results"][0]["status"] == "duplicate"
    rows = db.session.scalars(sa.select(Reading).order_by(Reading.at)).all()
    assert [(r.value, r.at, r.source) for r in rows] == [
        (120.5, NOW - timedelta(hours=5), "event"), (130, NOW, "event")]
    # A feed's reading under a phone event's id is a reading of its own.
    assert send(phone, reading(140, 0) | {"id": events[0]["id"]})[0] == ["stored"]
    assert "reading" in phone.get("/api/v1/sync/catalog").json["event_types"]


def test_the_trend_of_exactly_ten_hours_a_day_projects_an_exact_date():
    start = datetime(2026, 1, 1)
    points = [(start + timedelta(days=d), 10.0 * d) for d in range(30)]
    result = project(points, 500)
    assert result.status == "projected"
    assert result.due == datetime(2026, 2, 20)  # day 50
    assert result.spread_days == pytest.approx(0, abs=1e-6)
    assert result.rate_per_day == pytest.approx(10)


def test_noise_widens_the_interval_and_too_little_data_gives_none():
    start = datetime(2026, 1, 1)
    wobble = [0, 6, -4, 3, -6, 5, -2, 4, -5, 1]
    noisy = [(start + timedelta(days=d), 10.0 * d + wobble[d % 10]) for d in range(30)]
    noisier = [(start + timedelta(days=d), 10.0 * d + 4 * wobble[d % 10]) for d in range(30)]
    a, b = project(noisy, 500), project(noisier, 500)
    assert 0 < a.spread_days < b.spread_days
    assert a.earliest < a.due < a.latest
    assert abs((a.due - datetime(2026, 2, 20)).days) <= 2
    assert project(noisy[:2], 500).status == "not_enough_data"
    hours_apart = [(start + timedelta(hours=h), float(h)) for h in range(10)]
    assert project(hours_apart, 500).status == "not_enough_data"  # under a day
    assert project(noisy, 100).status == "reached"


def test_the_interval_holds_the_true_date_about_as_often_as_it_says():
    # Daily use of 10 h give or take 4, read for 30 days: the 95% interval should hold the
    # day the counter really reaches 500 in about 95 runs of 100 (a line fitted through the
    # running totals claims far less doubt than that, and would hold it far less often).
    rng, start, held = random.Random(7), datetime(2026, 1, 1), 0
    for _ in range(200):
        total, points = 0.0, []
        for day in range(30):
            points.append((start + timedelta(days=day), total))
            total += max(0.0, rng.gauss(10, 4))
        day = 30
        while total < 500:
            total += max(0.0, rng.gauss(10, 4))
            day += 1
        result = project(points, 500)
        held += result.earliest <= start + timedelta(days=day) <= result.latest
    assert 0.88 <= held / 200 <= 0.995


def test_a_meter_quiet_for_longer_than_expected_is_stale(hours, manager, login):
    send(manager, *[reading(i, 40 - i) for i in range(20)])  # daily until 21 days ago
    service.create_meter(hours.asset, name="temp", kind="gauge", stale_after_days=30)
    db.session.commit()
    send(manager, {"asset": "GEN-1", "meter": "temp", "value": 20, "at": at(10)})
    assert [m.name for m, _ in service.stale_meters()] == ["hours"]
    hours.target = 100
    assert service.projection(hours).status == "stale"
    page = login(Role.AUDITOR).get("/admin/meters/stale").get_data(as_text=True)
    assert "GEN-1" in page and "hours" in page and "temp" not in page


def test_the_asset_page_plots_each_meter_with_a_table_and_a_projection(hours, manager):
    hours.target = 400
    db.session.commit()
    send(manager, *[reading(10 * i, 30 - i) for i in range(31)])
    page = manager.get("/admin/assets/GEN-1").get_data(as_text=True)
    assert '<svg class="meter-plot"' in page and '<polyline class="readings"' in page
    assert page.count("<tr><td>") == 20 and "page 1 of 2" in page
    assert "<strong>" + (NOW + timedelta(days=10)).strftime("%Y-%m-%d") + "</strong>" in page
    assert "± 0.0 days" in page
    older = manager.get(f"/admin/assets/GEN-1?meter={hours.id}&rpage=2").get_data(as_text=True)
    assert older.count("<tr><td>") == 11


def test_the_page_adds_meters_and_records_readings_through_the_pipeline(asset, manager):
    reply = manager.post("/admin/assets/GEN-1/meters", data={
        "name": "km", "kind": "counter", "unit": "km", "target": "1000"})
    assert reply.status_code == 302
    meter = db.session.scalar(sa.select(Meter).where(Meter.name == "km"))
    assert meter.target == 1000
    manager.post("/admin/assets/GEN-1/readings", data={"meter": str(meter.id), "value": "50",
                                                       "at": "2026-01-02T08:00"})
    manager.post("/admin/assets/GEN-1/readings", data={"meter": str(meter.id), "value": "40"})
    follow = manager.get("/admin/assets/GEN-1").get_data(as_text=True)
    assert "backwards" in follow
    assert stored_values() == [50]
    event = db.session.scalar(sa.select(Event).where(Event.type == "reading"))
    assert event.data["at"].startswith("2026-01-02T08:00") and event.data["value"] == 50


def test_page_forms_need_their_roles(asset, login):
    tech = login(Role.TECHNICIAN)
    page = tech.get("/admin/assets/GEN-1").get_data(as_text=True)
    assert "Add a meter" not in page
    assert tech.post("/admin/assets/GEN-1/meters", data={"name": "x", "kind": "gauge"}
                     ).status_code == 403
    assert re.search(r"No meters on this asset", page)


def test_a_disposed_asset_takes_no_readings(hours, manager):
    from app.assets import service as assets
    user = make_user(Role.ADMIN)
    assets.record("GEN-1", "retire", {"reason": "old"}, actor=user)
    assets.record("GEN-1", "dispose", {"method": "recycling"}, actor=user)
    db.session.commit()
    statuses, results = send(manager, reading(1, 1))
    assert statuses == ["rejected"] and "disposed" in results[0]["reason"]


def test_a_long_history_is_plotted_from_a_few_hundred_points(hours, manager):
    send(manager, *[reading(i * 0.5, 100 - i / 20) for i in range(2000)])
    points, count = service.outline(hours, 100)
    assert count == 2000 and len(points) <= 200
    assert (points[0].value, points[-1].value) == (0, 999.5)
    assert [p.value for p in points] == sorted(p.value for p in points)  # a counter's line
    temp = service.create_meter(hours.asset, name="temp", kind="gauge")
    db.session.commit()
    send(manager, *[{"asset": "GEN-1", "meter": "temp", "value": 20 + i % 3,
                     "at": at(100 - i / 20)} for i in range(2000)],
         {"asset": "GEN-1", "meter": "temp", "value": 95, "at": at(50.01)})
    points, count = service.outline(temp, 100)
    assert count == 2001 and len(points) <= 200
    assert max(p.value for p in points) == 95 and min(p.value for p in points) == 20
    assert [p.at for p in points] == sorted(p.at for p in points)


def test_the_page_forms_need_the_csrf_token(csrf_app):
    asset = make_asset(tag="GEN-9")
    user = make_user(Role.MANAGER)
    client = csrf_app.test_client(user=user)
    page = client.get("/admin/assets/GEN-9").get_data(as_text=True)
    assert 'action="/admin/assets/GEN-9/meters"' in page and 'name="csrf_token"' in page
    refused = client.post("/admin/assets/GEN-9/meters", data={"name": "x", "kind": "gauge"})
    assert refused.status_code == 400
    assert service.meters_of(asset) == []


def test_the_whole_trail_check_holds_with_readings(hours, manager, login):
    from app import trail
    send(manager, *[reading(i, 5 - i) for i in range(5)])
    phone = login(Role.TECHNICIAN)
    phone.post("/api/v1/sync", json={"device_id": "p1", "events": [
        {"id": str(uuid.uuid4()), "type": "reading", "asset": "GEN-1",
         "data": {"meter": "hours", "value": 9}}]})
    report = trail.check()
    assert report.ok, report
    # A feed's reading changed in the table, and a person's reading removed: both are named.
    first = db.session.scalar(sa.select(Reading).where(Reading.source == "api").limit(1))
    first.value += 1
    mine = db.session.scalar(sa.select(Reading).where(Reading.source == "event"))
    db.session.delete(mine)
    db.session.commit()
    problems = trail.check().problems
    assert len(problems) == 2, problems
    assert any("were changed, removed or added to" in p for p in problems)
    assert any("its reading is gone" in p for p in problems)


def test_readings_do_not_send_the_asset_to_every_phone_again(hours, manager, login):
    phone, elsewhere = login(Role.TECHNICIAN), make_location()
    [row] = [a for a in phone.get("/api/v1/sync/catalog").json["assets"]
             if a["tag"] == "GEN-1"]
    send(manager, *[reading(i, 3 - i) for i in range(3)])
    phone.post("/api/v1/sync", json={"device_id": "p1", "events": [
        {"id": str(uuid.uuid4()), "type": "reading", "asset": "GEN-1",
         "data": {"meter": "hours", "value": 10}}]})
    db.session.expire_all()
    asset = db.session.get(Asset, hours.asset_id)
    # The catalogue's deltas follow updated_at: nothing the phone holds moved.
    assert isoformat(asset.updated_at) == row["updated_at"] and asset.version == row["version"] + 2
    # The phone's copy is two versions behind now; what it sends still applies.
    reply = phone.post("/api/v1/sync", json={"device_id": "p1", "events": [
        {"id": str(uuid.uuid4()), "type": "transfer", "asset": "GEN-1",
         "base_version": row["version"], "data": {"to_location": elsewhere.code}}]})
    assert reply.json["results"][0]["status"] == "applied", reply.json
