"""What maintenance cost is read one way (app/maintenance/costs.py): the asset page, the
repair-or-replace inputs and the reliability report agree on it."""
import uuid
from datetime import timedelta
from decimal import Decimal

from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.maintenance import costs
from app.timeutil import utcnow
from tests.factories import make_asset, make_user


def send(kind, tag, data, when=None):
    outcome = apply_event(EventIn(kind, tag, data, occurred_at=when),
                          actor=make_user(Role.TECHNICIAN))
    assert outcome.status == "applied", (kind, outcome.reason)
    db.session.commit()


def completed_order(tag, *, parts=(), cost=None):
    # Days ago: the report ends at this second, which an order closed now could be past.
    ident, when = str(uuid.uuid4()), utcnow() - timedelta(days=3)
    send("work_order_open", tag, {"work_order": ident, "kind": "corrective", "title": "Job"},
         when)
    send("work_order_start", tag, {"work_order": ident}, when)
    if parts:
        send("work_order_update", tag, {"work_order": ident, "parts": [
            {"name": "Part", "quantity": 1, "cost": c} for c in parts]}, when)
    send("work_order_complete", tag, {"work_order": ident, "work_done": "Fixed",
                                      "failure": True} | ({"cost": cost} if cost else {}),
         when + timedelta(hours=1))


def test_the_asset_page_the_decision_and_the_report_agree(app, login):
    asset = make_asset(tag="C1")
    completed_order("C1", parts=["12.50", "17.50"])
    completed_order("C1", cost="45.50")
    send("repair", "C1", {"symptom": "Leak", "cost": "10.00"}, utcnow() - timedelta(days=2))
    send("repair", "C1", {"symptom": "Noise"}, utcnow() - timedelta(days=1))  # no cost
    assert costs.of_asset(asset) == {"orders": 2, "parts": Decimal("30.00"),
                                     "other": Decimal("45.50"), "repairs": Decimal("10.00"),
                                     "total": Decimal("85.50")}
    viewer = login(Role.ADMIN)
    page = viewer.get("/admin/assets/C1").get_data(as_text=True)
    assert ("maintenance cost 85.50: 2 completed orders (parts 30.00, other 45.50), "
            "repairs logged 10.00") in page
    facts = viewer.get("/api/v1/assets/C1/decision").get_json()["inputs"]
    assert facts["maintenance_total"] == facts["repairs_12_months"] == "85.50"
    report = viewer.get("/api/v1/reliability?asset=C1&days=30").get_json()
    assert report["maintenance_cost"] == 85.5


def test_entries_keep_to_their_window_and_their_limit(app):
    asset = make_asset(tag="C2")
    now = utcnow()
    for days in (1, 5, 20):
        send("repair", "C2", {"symptom": "Leak", "cost": f"{days}.00"}, now - timedelta(days=days))
    window = costs.entries([asset.id], now - timedelta(days=10), now - timedelta(days=2))
    assert [(c.kind, c.repair) for c in window] == [("repair", Decimal("5.00"))]
    assert [c.repair for c in costs.entries([asset.id], limit=2)] == [Decimal("1.00"),
                                                                      Decimal("5.00")]


def test_a_report_with_more_costs_than_one_read_takes_is_refused(app, login, monkeypatch):
    make_asset(tag="C3")
    for days in (1, 2):
        send("repair", "C3", {"symptom": "Leak", "cost": "1.00"}, utcnow() - timedelta(days=days))
    viewer = login(Role.AUDITOR)
    assert viewer.get("/api/v1/reliability?asset=C3&days=30").get_json()["maintenance_cost"] == 2
    monkeypatch.setattr(costs, "LIMIT", 2)
    reply = viewer.get("/api/v1/reliability?asset=C3&days=30")
    assert reply.status_code == 422 and "choose fewer days" in reply.get_json()["error"]["message"]
