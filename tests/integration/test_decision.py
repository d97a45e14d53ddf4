"""Repair or replace from an asset's own records: repair costs from its events (the last 12
months apart), the model's replacement cost, the API, and retire-and-request from the page."""
from datetime import timedelta
from decimal import Decimal

from app.assets.models import Asset
from app.auth.roles import Role
from app.catalog import service as catalog
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.maintenance import decision
from app.procurement.models import PurchaseRequest
from app.timeutil import utcnow
from tests.factories import make_asset, make_model, make_user


def laptop(tag="D1", **fields):
    model = make_model("Latitude")
    catalog.update_model(model, name="Latitude", manufacturer="Dell", model_number="5440",
                         category=model.category, useful_life_months=48,
                         replacement_cost=Decimal("1000"))
    db.session.commit()
    bought = (utcnow() - timedelta(days=365 * 2)).date().isoformat()
    return make_asset(tag=tag, model="Latitude", purchase_date=bought, purchase_cost="1200",
                      **fields)


def repair(tag, cost, days_ago):
    outcome = apply_event(EventIn("repair", tag, {"symptom": "fan", "cost": cost},
                                  occurred_at=utcnow() - timedelta(days=days_ago)),
                          actor=make_user(Role.TECHNICIAN))
    assert outcome.status == "applied", outcome.reason
    db.session.commit()


def test_repair_costs_come_from_the_events_and_the_year_is_counted_apart(app):
    asset = laptop()
    repair("D1", "80.00", days_ago=30)
    repair("D1", "150.00", days_ago=400)
    facts = decision.inputs(asset, utcnow().date(), Decimal("10"))
    assert (facts.repairs_12_months, facts.maintenance_total) == (Decimal("80"), Decimal("230"))
    assert (facts.replacement_cost, facts.replacement_from) == (Decimal("1000"), "model")
    assert facts.age_months == 24 and facts.book_value == Decimal("600.00")


def test_the_api_answers_with_reasons_and_inputs(app, login):
    laptop()
    repair("D1", "80.00", days_ago=30)
    viewer = login(Role.AUDITOR)
    body = viewer.get("/api/v1/assets/d1/decision?estimate=450").get_json()
    assert body["recommendation"] == "replace"
    assert body["reasons"][0].startswith("Repairs of 530.00 (this estimate 450.00 and 80.00")
    assert body["inputs"]["replacement_cost"] == "1000.00"
    assert body["inputs"]["book_value"] == "600.00"
    assert viewer.get("/api/v1/assets/D1/decision").get_json()["recommendation"] == "repair"
    for junk in ("-1", "NaN", "lots", "1e30"):
        reply = viewer.get(f"/api/v1/assets/D1/decision?estimate={junk}")
        assert reply.status_code in (400, 422)
        assert "estimate" in reply.get_json()["error"]["message"]
    assert viewer.get("/api/v1/assets/NOPE/decision").status_code == 404


def test_replace_retires_and_requests_in_one_step(app, login):
    asset = laptop(location=None)
    for days in (10, 20, 30):
        repair("D1", "200.00", days_ago=days)  # 600 of 1,000 in a year: replace
    tech = login(Role.TECHNICIAN)
    page = tech.get("/admin/assets/D1").get_data(as_text=True)
    assert "Repair or replace:" in page and "Retire and request a replacement" in page
    reply = tech.post("/admin/assets/D1/replace", data={"reason": "Costs too much to keep"})
    assert reply.status_code == 302
    db.session.expire_all()
    assert str(db.session.get(Asset, asset.id).status) == "retired"
    new = db.session.scalar(db.select(PurchaseRequest))  # a request, not an asset row
    assert (new.status, new.model.name, new.replaces) == ("submitted", "Latitude", "D1")
    assert new.estimated_unit_cost == Decimal("1000")  # the model's price today
    assert reply.headers["Location"].endswith(f"/admin/requests/{new.number}")
    retire = db.session.scalar(db.select(Event).where(Event.type == "retire"))
    assert retire.data["reason"] == "Costs too much to keep"


def test_replace_without_a_reason_changes_nothing(app, login):
    asset = laptop()
    reply = login(Role.TECHNICIAN).post("/admin/assets/D1/replace", data={"reason": " "})
    assert reply.status_code == 302
    db.session.expire_all()
    assert str(db.session.get(Asset, asset.id).status) == "in_stock"
    assert db.session.scalar(db.select(db.func.count()).select_from(Asset)) == 1


def test_completed_work_orders_count_as_maintenance(app):
    import uuid
    asset = laptop()
    tech, order = make_user(Role.TECHNICIAN), str(uuid.uuid4())
    for kind, data in [("work_order_open", {"kind": "corrective", "title": "Hinge"}),
                       ("work_order_start", {}),
                       ("work_order_update", {"parts": [{"name": "Hinge", "quantity": 2,
                                                         "cost": "30.00"}]}),
                       ("work_order_complete", {"work_done": "New hinges", "failure": True,
                                                "cost": "45.50"})]:
        outcome = apply_event(EventIn(kind, "D1", {"work_order": order} | data), actor=tech)
        assert outcome.status == "applied", outcome.reason
        db.session.commit()
    repair("D1", "10.00", days_ago=5)
    facts = decision.inputs(asset, utcnow().date())
    assert facts.maintenance_total == Decimal("85.50")  # 30 parts + 45.50 other + 10 repair
    assert facts.repairs_12_months == Decimal("85.50")


def test_a_warranty_usage_limit_reads_the_named_meter(app):
    from app.meters import service as meters
    from app.warranty import coverage
    asset = make_asset(tag="V9")
    apply_event(EventIn("warranty", "V9", {
        "provider": "Fleetcare", "starts": "2020-01-01", "ends": "2099-12-31",
        "usage_limit": "100000", "usage_meter": "odometer"}), actor=make_user(Role.MANAGER))
    meters.create_meter(asset, name="odometer", kind="counter", unit="km")
    db.session.commit()
    today = utcnow().date()
    assert "no odometer reading is known" in coverage.standing(asset, today).words
    for hours_ago, value, standing in [(2, 100_000, "covered"), (1, 100_000.5, "over_limit")]:
        at = (utcnow() - timedelta(hours=hours_ago)).isoformat() + "Z"
        [result] = meters.store_batch([{"asset": "V9", "meter": "odometer", "value": value,
                                        "at": at}], actor=make_user(Role.MANAGER))
        assert result["status"] == "stored", result
        db.session.commit()
        assert coverage.standing(asset, today).standing == standing


def test_an_estimate_on_an_order_is_weighed_on_its_page(app, login):
    laptop()
    desk = login(Role.MANAGER)
    form = {"kind": "corrective", "title": "Screen cracked", "priority": "", "estimate": "950"}
    reply = desk.post("/admin/work-orders/new?asset=D1", data=form)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    page = desk.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Repair or replace, at this estimate of 950.00" in page
    assert "replace</span>" in page and "this estimate 950.00" in page
    assert "Retire and request a replacement" in page  # straight into retiring it
    order = desk.get("/api/v1/work-orders?asset=D1").json["items"][0]
    assert order["estimate"] == "950.00"

    # A revised quote replaces the last, and a small one is a repair.
    reply = desk.post(f"/admin/work-orders/{order['number']}/update", data={"estimate": "80"})
    page = desk.get(reply.headers["Location"]).get_data(as_text=True)
    assert "at this estimate of 80.00" in page and "repair</span>" in page
    reply = desk.post(f"/admin/work-orders/{order['number']}/update", data={"estimate": "-5"})
    page = desk.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Not done: estimate" in page and "at this estimate of 80.00" in page
    assert desk.get("/api/v1/assets/D1/decision?estimate=950").json["recommendation"] == \
        "replace"
