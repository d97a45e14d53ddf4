"""Reliability from the records, on a history worked by hand (the last 10 days, 240 h):

P1, in service throughout: a corrective order out of service for 6 h (a failure), one that
recorded 12 h of downtime (a failure), 2 h of preventive work out of service. P2, registered
5 days ago (120 h): a repair logged the old way, open 4 h. In service 360 h, downtime 24 h,
operating 336 h; 3 failures: MTBF 112 h, MTTR (6 + 12 + 4) / 3 = 7.33 h; planned share
2 / 24; costs 40 + 15 + 25."""
import uuid
from datetime import timedelta

import pytest

from app.auth.roles import Role
from app.catalog import service as catalog
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.timeutil import utcnow
from tests.factories import make_location, make_model, make_user


def send(kind, tag, data, when, actor):
    outcome = apply_event(EventIn(kind, tag, data, occurred_at=when), actor=actor)
    assert outcome.status == "applied", (kind, outcome.reason)
    db.session.commit()


def order(tag, kind, opened, hours, *, out_of_service, failure, downtime=None, cost="0"):
    tech, ident = make_user(Role.TECHNICIAN), str(uuid.uuid4())
    send("work_order_open", tag, {"work_order": ident, "kind": kind, "title": "Job",
                                  "out_of_service": out_of_service}, opened, tech)
    send("work_order_start", tag, {"work_order": ident}, opened, tech)
    done = {"work_order": ident, "work_done": "Fixed", "failure": failure, "cost": cost}
    send("work_order_complete", tag, done | ({"downtime_minutes": downtime} if downtime else {}),
         opened + timedelta(hours=hours), tech)


@pytest.fixture
def history(app):
    model = make_model("Pump")
    catalog.update_model(model, name="Pump", manufacturer="Acme", model_number="P",
                         category=model.category, useful_life_months=120)
    db.session.commit()
    now, admin = utcnow(), make_user(Role.ADMIN)
    place = make_location().code
    send("create", "P1", {"tag": "P1", "name": "Pump 1", "model": "Pump", "location": place},
         now - timedelta(days=20), admin)
    send("create", "P2", {"tag": "P2", "name": "Pump 2", "model": "Pump", "location": place},
         now - timedelta(days=5), admin)
    order("P1", "corrective", now - timedelta(days=8), 6, out_of_service=True, failure=True,
          cost="40")
    order("P1", "corrective", now - timedelta(days=6), 13, out_of_service=False, failure=True,
          downtime=720, cost="15")
    order("P1", "preventive", now - timedelta(days=3), 2, out_of_service=True, failure=False)
    tech = make_user(Role.TECHNICIAN)
    send("repair", "P2", {"symptom": "Leak", "status": "open"}, now - timedelta(days=4), tech)
    send("repair", "P2", {"symptom": "Leak", "status": "closed", "cost": "25"},
         now - timedelta(days=4) + timedelta(hours=4), tech)


def test_the_model_report_matches_the_hand_computed_figures(history, login):
    body = login(Role.AUDITOR).get("/api/v1/reliability?model=pump&days=10").get_json()
    assert body["scope"] == {"model": "Pump"} and body["failures"] == 3
    assert body["mtbf_hours"] == pytest.approx(112, abs=0.01)
    assert body["mttr_hours"] == pytest.approx(22 / 3, abs=0.01)
    assert body["availability"] == pytest.approx(336 / 360, abs=1e-4)
    assert body["planned_share"] == pytest.approx(2 / 24, abs=1e-4)
    assert body["maintenance_cost"] == 80.0
    assert body["pm_compliance"] is None
    assert "not enough data" in body["figures"]["pm_compliance"]["reason"]
    assert body["figures"]["mtbf_hours"]["formula"] == "operating hours / failures"


def test_one_asset_and_too_little_data(history, login):
    body = login(Role.AUDITOR).get("/api/v1/reliability?asset=p2&days=10").get_json()
    assert body["failures"] == 1 and body["mtbf_hours"] is None
    assert body["figures"]["mtbf_hours"]["reason"].startswith("not enough data: 1 failure")


def test_the_page_and_bad_questions(history, login):
    viewer = login(Role.AUDITOR)
    page = viewer.get("/admin/reliability/?model=Pump&days=10").get_data(as_text=True)
    assert "MTBF (hours)" in page and "112.0" in page
    assert viewer.get("/admin/reliability/").status_code == 200
    for query in ("", "?model=Pump&asset=P1", "?model=Nope", "?asset=NOPE", "?model=Pump&days=0"):
        reply = viewer.get(f"/api/v1/reliability{query}")
        assert reply.status_code in (400, 404, 422), query
        assert reply.get_json()["error"]["message"]
