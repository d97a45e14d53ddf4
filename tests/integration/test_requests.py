"""Purchase requests: raised with a business case (its estimate from the model's history),
approved by a manager and, above APPROVAL_FINANCE_ABOVE, by finance too, each step in the
audit trail; the contract in design.md "Procure and finance"."""
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app import trail
from app.auth.roles import Role
from app.catalog import service as catalog
from app.extensions import db
from app.lifecycle.models import Event
from app.procurement.models import PurchaseRequest
from tests.factories import make_asset, make_model

YEAR = datetime.now(UTC).year




@pytest.fixture
def latitude(app):
    model = make_model("Latitude")
    catalog.update_model(model, name="Latitude", manufacturer="Dell", model_number="5440",
                         category=model.category, useful_life_months=48,
                         replacement_cost=Decimal("1100"))
    db.session.commit()
    return model


def body(**fields):
    return {"title": "Laptops for the new starters", "justification": "Three join in May",
            "model": "Latitude", "quantity": 3} | fields


def written() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseRequest)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Event)))


def test_a_request_is_numbered_priced_from_its_model_and_raised_once(api, latitude):
    tech, ident = api(), str(uuid.uuid4())
    reply = tech("POST", "/api/v1/requests", json=body(id=ident))
    assert reply.status_code == 201, reply.json
    made = reply.json
    assert (made["number"], made["status"]) == (f"PR-{YEAR}-000001", "submitted")
    assert (made["estimated_unit_cost"], made["total"]) == ("1100.00", "3300.00")
    assert made["expected_life_months"] == 48 and made["waiting_for"] == ["manager"]
    again = tech("POST", "/api/v1/requests", json=body(id=ident))
    assert (again.status_code, again.json["number"]) == (200, made["number"])
    assert written() == (1, 1)
    assert tech("GET", f"/api/v1/requests/{made['number'].lower()}").json["title"] == \
        "Laptops for the new starters"


def test_without_a_price_today_the_estimate_is_what_the_last_ones_cost(api, latitude):
    latitude.replacement_cost = None
    db.session.commit()
    for n, cost in enumerate(["900", "1000", "1100"]):
        make_asset(tag=f"L{n}", model="Latitude", purchase_cost=cost,
                   purchase_date=(datetime.now(UTC) - timedelta(days=400)).date().isoformat())
    made = api()("POST", "/api/v1/requests", json=body(quantity=1)).json
    assert made["estimated_unit_cost"] == "1000.00"  # the mean of the last three bought


def test_a_small_request_needs_a_manager_and_each_step_is_in_the_trail(api, latitude):
    number = api()("POST", "/api/v1/requests", json=body(quantity=1)).json["number"]
    assert api(Role.AUDITOR)("POST", f"/api/v1/requests/{number}/approve",
                             json={}).status_code == 403
    assert api(Role.TECHNICIAN)("POST", f"/api/v1/requests/{number}/approve",
                                json={}).status_code == 403
    reply = api(Role.MANAGER)("POST", f"/api/v1/requests/{number}/approve",
                              json={"comment": "Budgeted"})
    assert reply.status_code == 200, reply.json
    assert reply.json["status"] == "approved" and reply.json["waiting_for"] == []
    steps = db.session.scalars(sa.select(Event).where(Event.document == number)
                               .order_by(Event.seq)).all()
    assert [(s.type, s.data.get("comment")) for s in steps] == [
        ("request_submitted", None), ("request_approved", "Budgeted")]
    assert trail.check().ok
    again = api(Role.MANAGER)("POST", f"/api/v1/requests/{number}/reject", json={})
    assert again.status_code == 403 and "approved" in again.json["error"]["message"]


def test_a_large_request_needs_finance_too_from_someone_else(app, api, latitude):
    number = api()("POST", "/api/v1/requests", json=body(quantity=5)).json["number"]  # 5,500
    manager = api(Role.MANAGER)
    first = manager("POST", f"/api/v1/requests/{number}/approve", json={})
    assert (first.json["status"], first.json["waiting_for"]) == ("submitted", ["finance"])
    twice = manager("POST", f"/api/v1/requests/{number}/approve", json={})
    assert twice.status_code == 403 and "someone else" in twice.json["error"]["message"]
    another = api(Role.MANAGER)("POST", f"/api/v1/requests/{number}/approve", json={})
    assert another.status_code == 403 and "finance" in another.json["error"]["message"]
    done = api(Role.FINANCE)("POST", f"/api/v1/requests/{number}/approve", json={})
    assert done.status_code == 200 and done.json["status"] == "approved"
    assert [a["level"] for a in done.json["approvals"]] == ["manager", "finance"]

    app.config["APPROVAL_FINANCE_ABOVE"] = 10_000  # the limit is the organisation's choice
    small = api()("POST", "/api/v1/requests", json=body(quantity=5)).json
    assert small["waiting_for"] == ["manager"]


def test_a_rejection_closes_the_request(api, latitude):
    number = api()("POST", "/api/v1/requests", json=body()).json["number"]
    outsider = api(Role.FINANCE)("POST", f"/api/v1/requests/{number}/reject", json={})
    assert outsider.status_code == 403  # 3,300 is a manager's alone to decide
    reply = api(Role.MANAGER)("POST", f"/api/v1/requests/{number}/reject",
                              json={"comment": "Not this year"})
    assert reply.status_code == 200 and reply.json["status"] == "rejected"
    late = api(Role.MANAGER)("POST", f"/api/v1/requests/{number}/approve", json={})
    assert late.status_code == 403 and "rejected" in late.json["error"]["message"]


def test_a_request_with_no_estimate_cannot_be_approved_yet(api, app):
    sent = {k: v for k, v in body(specification="A label printer for the bay").items()
            if k != "model"}
    number = api()("POST", "/api/v1/requests", json=sent).json["number"]
    reply = api(Role.MANAGER)("POST", f"/api/v1/requests/{number}/approve", json={})
    assert reply.status_code == 422 and "estimated cost" in reply.json["error"]["message"]


BAD = [
    (body(quantity=-2), "quantity"),
    (body(quantity=0), "quantity"),
    (body(quantity="3"), "quantity"),
    (body(model="Nokia 3310"), "no model"),
    ({"title": "x", "justification": "y", "quantity": 1}, "model"),
    (body(estimated_unit_cost=-1), "estimated_unit_cost"),
    (body(buy_or_lease="borrow"), "buy_or_lease"),
    (body(department="NOPE"), "NOPE"),
    (body(needed_by="1900-01-01"), "needed_by"),
    (body(colour="red"), "colour"),
    (body(id="123"), "id"),
]


@pytest.mark.parametrize(("sent", "message"), BAD)
def test_a_bad_request_is_refused_and_nothing_is_written(api, latitude, sent, message):
    before = written()
    reply = api()("POST", "/api/v1/requests", json={k: v for k, v in sent.items()
                                                     if v is not None})
    assert reply.status_code == 422 and message in reply.json["error"]["message"], reply.json
    assert written() == before


def test_the_desk_raises_and_decides_requests(app, latitude, login):
    desk = login(Role.TECHNICIAN)
    page = desk.get("/admin/requests/new?model=Latitude").get_data(as_text=True)
    assert "estimated at 1,100.00" in page and "What Latitude cost before" in page
    reply = desk.post("/admin/requests/new", data={
        "title": "A spare", "justification": "Ours broke", "model": "Latitude",
        "quantity": "1", "buy_or_lease": "buy"})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    number = db.session.scalar(sa.select(PurchaseRequest.number))
    manager = login(Role.MANAGER)
    reply = manager.post(f"/admin/requests/{number}/approve", data={"comment": "Fine"})
    page = manager.get(reply.headers["Location"]).get_data(as_text=True)
    assert "approved" in page and "request approved" in page and "Fine" in page
    assert number in manager.get("/admin/requests/?status=approved").get_data(as_text=True)
    bad = desk.post("/admin/requests/new", data={"title": "", "justification": "x",
                                                 "quantity": "1", "buy_or_lease": "buy"})
    assert bad.status_code == 422
    refused = desk.post("/admin/requests/new", data={
        "title": "x", "justification": "y", "model": "Nokia", "quantity": "1",
        "buy_or_lease": "buy"})
    assert refused.status_code == 422 and "no model called" in refused.get_data(as_text=True)
    assert written()[0] == 1
