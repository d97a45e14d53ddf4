"""Warranty coverage: a contract recorded through the pipeline, the register's end date, a
model's default; the list of coverage ending soon; the asset page, the list page and the API."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app import trail
from app.assets.models import Asset
from app.auth.roles import Role
from app.catalog import service as catalog
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.timeutil import utcnow
from app.warranty import coverage
from app.warranty.models import Warranty
from tests.factories import make_asset, make_model, make_user

TERMS = {"provider": "Fleetcare", "starts": "2026-07-01", "ends": "2027-06-30",
         "usage_limit": "100000", "usage_meter": "odometer", "reference": "FC-7"}


def record(tag, data, role=Role.MANAGER):
    outcome = apply_event(EventIn("warranty", tag, data), actor=make_user(role))
    db.session.commit()
    db.session.expire_all()
    return outcome


def asset(tag) -> Asset:
    return db.session.scalar(db.select(Asset).where(Asset.tag == tag))


def test_a_contract_is_recorded_through_the_pipeline_and_replaces_the_last(app):
    make_asset(tag="V1")
    assert record("V1", TERMS).status == "applied"
    found = coverage.coverage_of(asset("V1"))
    assert found == coverage.Coverage(coverage.Source.CONTRACT, date(2027, 6, 30),
                                      date(2026, 7, 1), "Fleetcare", Decimal("100000"),
                                      "odometer", "FC-7")
    assert asset("V1").warranty_end == date(2027, 6, 30)  # the register's column follows
    assert record("V1", TERMS | {"ends": "2028-06-30", "usage_limit": "150000"}).status == "applied"
    assert db.session.scalar(db.select(db.func.count()).select_from(Warranty)) == 1
    assert coverage.coverage_of(asset("V1")).usage_limit == Decimal("150000")
    assert asset("V1").warranty_end == date(2028, 6, 30)
    assert trail.check().problems == []  # the replay agrees with the register


@pytest.mark.parametrize("data, reason", [
    (TERMS | {"ends": "2026-06-30"}, "cannot end before it starts"),
    ({k: v for k, v in TERMS.items() if k != "usage_meter"}, "needs the meter"),
    (TERMS | {"usage_limit": "-1"}, "from 0 to"),
    (TERMS | {"starts": "0001-01-01"}, "from 1900"),
    ({k: v for k, v in TERMS.items() if k != "provider"}, "provider"),
])
def test_bad_terms_are_refused_and_nothing_is_written(app, data, reason):
    make_asset(tag="V2", warranty_end="2026-01-01")
    outcome = record("V2", data)
    assert outcome.status == "rejected" and reason in outcome.reason.lower() + str(outcome.details)
    assert db.session.scalar(db.select(db.func.count()).select_from(Warranty)) == 0
    assert asset("V2").warranty_end == date(2026, 1, 1)


def test_a_technician_may_not_record_a_warranty(app):
    make_asset(tag="V3")
    outcome = record("V3", TERMS, role=Role.TECHNICIAN)
    assert outcome.status == "rejected" and outcome.code == "forbidden"


def test_without_a_contract_the_register_then_the_model_decide(app):
    model = make_model("Van")
    catalog.update_model(model, name="Van", manufacturer="Acme", model_number="X1",
                         category=model.category, useful_life_months=96, warranty_months=24,
                         warranty_provider="Acme Fleet", warranty_usage_limit=Decimal("80000"),
                         warranty_usage_meter="odometer")
    db.session.commit()
    make_asset(tag="V4", model="Van", purchase_date="2026-01-31")
    make_asset(tag="V5", model="Van", purchase_date="2026-01-31", warranty_end="2026-12-31",
               supplier="Dealer")
    make_asset(tag="V6", model="Van")  # no purchase date: nothing to count from
    by_model = coverage.coverage_of(asset("V4"))
    assert (by_model.source, by_model.ends, by_model.provider, by_model.usage_limit) == (
        "model", date(2028, 1, 30), "Acme Fleet", Decimal("80000"))
    by_register = coverage.coverage_of(asset("V5"))
    assert (by_register.source, by_register.ends, by_register.provider) == (
        "register", date(2026, 12, 31), "Dealer")
    assert coverage.coverage_of(asset("V6")) is None


def test_a_usage_limit_on_a_model_needs_its_meter(app):
    model = make_model("Truck")
    with pytest.raises(Exception, match="meter"):
        catalog.update_model(model, name="Truck", manufacturer="Acme", model_number="X1",
                             category=model.category, useful_life_months=96,
                             warranty_months=12, warranty_usage_limit=Decimal("1"))


def test_ending_within_lists_each_source_soonest_first(app):
    today = date(2026, 12, 4)
    model = make_model("Printer")
    model.warranty_months = 12
    db.session.commit()
    make_asset(tag="E1", warranty_end="2026-12-20")  # register, in the window
    make_asset(tag="E2", model="Printer", purchase_date="2025-12-10")  # model: ends 12-09
    make_asset(tag="E3", model="Printer", purchase_date="2025-12-03")  # model: ended 12-02
    make_asset(tag="E4", warranty_end="2027-03-01")  # too late
    make_asset(tag="E5")
    record("E5", TERMS | {"starts": "2025-01-01", "ends": "2026-12-04"})  # contract, today
    make_asset(tag="E6", warranty_end="2026-12-10", status="requested")  # not in use yet
    rows = coverage.ending_within(30, today)
    assert [(r.asset.tag, r.coverage.source, r.coverage.ends) for r in rows] == [
        ("E5", "contract", date(2026, 12, 4)), ("E2", "model", date(2026, 12, 9)),
        ("E1", "register", date(2026, 12, 20))]
    assert [r.asset.tag for r in coverage.ending_within(30, today, limit=2)] == ["E5", "E2"]


def test_pages_and_api_show_coverage(app, login):
    soon = (utcnow().date() + timedelta(days=10)).isoformat()
    make_asset(tag="W1", name="Forklift", warranty_end=soon, supplier="Liftco")
    make_asset(tag="W2")
    viewer = login(Role.AUDITOR)
    page = viewer.get("/admin/warranty/?days=30").get_data(as_text=True)
    assert "W1" in page and "Liftco" in page and "W2" not in page
    detail = viewer.get("/admin/assets/W1").get_data(as_text=True)
    assert "Covered by Liftco until " + soon in detail
    body = viewer.get("/api/v1/assets/w1/warranty").get_json()
    assert body["standing"] == "covered" and body["coverage"]["ends"] == soon
    assert body["coverage"]["source"] == "register"
    assert viewer.get("/api/v1/assets/W2/warranty").get_json() == {
        "standing": "none", "covered": False, "words": "No warranty is recorded.",
        "coverage": None}
    assert viewer.get("/api/v1/assets/NOPE/warranty").status_code == 404
    junk = viewer.get("/admin/warranty/?days=junk")
    assert junk.status_code == 422 and "days" in junk.get_data(as_text=True)


def test_the_asset_page_records_a_contract(app, login):
    make_asset(tag="W3")
    manager = login(Role.MANAGER)
    page = manager.get("/admin/assets/W3").get_data(as_text=True)
    assert "Record warranty" in page and 'type="date"' in page
    reply = manager.post("/admin/assets/W3/events", data={
        "type": "warranty", "base_version": "1", "provider": "Acme", "starts": "2026-01-01",
        "ends": "2026-12-31", "usage_limit": "", "usage_meter": "", "reference": ""})
    assert reply.status_code == 302
    assert coverage.coverage_of(asset("W3")).provider == "Acme"
    event = db.session.scalar(db.select(Event).where(Event.type == "warranty"))
    assert event.data["ends"] == "2026-12-31"
    assert "Record warranty" not in login(Role.TECHNICIAN).get("/admin/assets/W3").get_data(
        as_text=True)


def test_the_model_form_keeps_the_default(app, login):
    model = make_model("Scanner")
    manager = login(Role.MANAGER)
    reply = manager.post(f"/admin/catalog/models/{model.id}/edit", data={
        "name": "Scanner", "manufacturer": "Acme", "model_number": "X1",
        "category": str(model.category_id), "useful_life_months": "60",
        "warranty_months": "36", "warranty_provider": "", "warranty_usage_limit": "",
        "warranty_usage_meter": ""})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    db.session.expire_all()
    assert (model.warranty_months, model.warranty_provider) == (36, None)
    assert "36 months" in manager.get("/admin/catalog/models").get_data(as_text=True)
