"""Purchase orders and receiving: an order from an approved request in one step or on its own,
units received as assets through the pipeline with the order line linked, partial receipts
adding up, over-receipt and known serials refused with nothing made, and a receipt sent twice
made once; the contract in design.md "Procure and finance"."""
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app import trail
from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.models import Event
from app.procurement.models import PurchaseRequest
from tests.factories import make_asset, make_location, make_model

YEAR = datetime.now(UTC).year




@pytest.fixture
def world(app):
    make_model("Latitude"), make_model("Dock")
    make_location("DOCK")


def sent_order(api, **fields) -> str:
    body = {"supplier": "Acme Ltd", "lines": [
        {"model": "Latitude", "quantity": 3, "unit_cost": "900.00"},
        {"model": "Dock", "quantity": 2, "unit_cost": "100.00", "tolerance": 1}]} | fields
    manager = api(Role.MANAGER)
    reply = manager("POST", "/api/v1/purchase-orders", json=body)
    assert reply.status_code == 201, reply.json
    number = reply.json["number"]
    assert manager("POST", f"/api/v1/purchase-orders/{number}/send").json["status"] == "sent"
    return number


def receipt(*lines, ident=None, location="DOCK"):
    return {"id": ident or str(uuid.uuid4()), "location": location,
            "lines": [{"line": line, "units": [{"serial": s} for s in serials]}
                      for line, serials in lines]}


def counts() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Asset)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Event)))


def test_an_order_is_numbered_and_sent(api, world):
    reply = api(Role.MANAGER)("POST", "/api/v1/purchase-orders", json={
        "supplier": "Acme Ltd", "freight": "50.00",
        "lines": [{"model": "Latitude", "quantity": 3, "unit_cost": "900.00"}]})
    order = reply.json
    assert (order["number"], order["status"], order["goods"]) == (
        f"PO-{YEAR}-000001", "draft", "2700.00")
    assert order["lines"] == [{"line": 1, "model": "Latitude", "quantity": 3,
                               "unit_cost": "900.00", "tolerance": 0, "received": 0}]
    tech = api(Role.TECHNICIAN)
    assert tech("POST", "/api/v1/purchase-orders", json={}).status_code == 403
    early = tech("POST", f"/api/v1/purchase-orders/{order['number']}/receipts",
                 json=receipt((1, ["S1"])))
    assert early.status_code == 403 and "send it" in early.json["error"]["message"]


def test_an_approved_request_becomes_an_order_in_one_step(app, api, world):
    request = api(Role.TECHNICIAN)("POST", "/api/v1/requests", json={
        "title": "Laptops", "justification": "New starters", "model": "Latitude",
        "quantity": 2, "estimated_unit_cost": "950"}).json["number"]
    early = api(Role.MANAGER)("POST", "/api/v1/purchase-orders", json={"supplier": "Acme",
                                                          "request": request})
    assert early.status_code == 403 and "only an approved request" in \
        early.json["error"]["message"]
    api(Role.MANAGER)("POST", f"/api/v1/requests/{request}/approve", json={})
    reply = api(Role.MANAGER)("POST", "/api/v1/purchase-orders", json={"supplier": "Acme",
                                                          "request": request})
    assert reply.status_code == 201, reply.json
    assert reply.json["request"] == request
    assert reply.json["lines"][0] | {} == {"line": 1, "model": "Latitude", "quantity": 2,
                                           "unit_cost": "950.00", "tolerance": 0,
                                           "received": 0}
    assert db.session.scalar(sa.select(PurchaseRequest.status)) == "ordered"


def test_receiving_makes_the_assets_with_their_line_and_share_of_freight(api, world):
    number = sent_order(api, freight="30.00", tax="0.00")  # goods 2,900: 30 spread by value
    tech = api(Role.TECHNICIAN)
    reply = tech("POST", f"/api/v1/purchase-orders/{number}/receipts",
                 json=receipt((1, ["SN-1", "SN-2"]), (2, ["D-1"])))
    assert reply.status_code == 201, reply.json
    assert reply.json["status"] == "received" and len(reply.json["assets"]) == 3
    made = db.session.scalars(sa.select(Asset).order_by(Asset.id)).all()
    assert [(a.serial, a.status, a.location.code, a.supplier) for a in made] == [
        ("SN-1", "in_stock", "DOCK", "Acme Ltd"), ("SN-2", "in_stock", "DOCK", "Acme Ltd"),
        ("D-1", "in_stock", "DOCK", "Acme Ltd")]
    # 900 + 30 * 900 / 2900 = 909.31; 100 + 30 * 100 / 2900 = 101.03
    assert [a.purchase_cost for a in made] == [Decimal("909.31"), Decimal("909.31"),
                                               Decimal("101.03")]
    assert made[0].model.name == "Latitude" and made[0].purchase_date == datetime.now(
        UTC).date()
    event = db.session.scalar(sa.select(Event).where(Event.asset_id == made[0].id))
    assert (event.type, event.data["purchase_order"], event.data["line"]) == (
        "receipt", number, 1)
    order = api(Role.MANAGER)("GET", f"/api/v1/purchase-orders/{number}").json
    assert order["status"] == "partly_received"
    assert [line["received"] for line in order["lines"]] == [2, 1]
    assert trail.check().ok

    # The rest arrives: partial receipts add up, and the order is received.
    tech("POST", f"/api/v1/purchase-orders/{number}/receipts",
         json=receipt((1, ["SN-3"]), (2, ["D-2"])))
    order = api(Role.MANAGER)("GET", f"/api/v1/purchase-orders/{number}").json
    assert order["status"] == "received" and [line["received"] for line in order["lines"]] == [3, 2]


def test_a_receipt_sent_twice_is_made_once(api, world):
    number, ident = sent_order(api), str(uuid.uuid4())
    tech = api(Role.TECHNICIAN)
    first = tech("POST", f"/api/v1/purchase-orders/{number}/receipts",
                 json=receipt((1, ["SN-1"]), ident=ident))
    again = tech("POST", f"/api/v1/purchase-orders/{number}/receipts",
                 json=receipt((1, ["SN-1"]), ident=ident))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == {"status": "duplicate", "assets": first.json["assets"]}
    assert counts()[0] == 1


def test_over_receipt_and_known_serials_are_refused_and_nothing_is_made(api, world):
    make_asset(tag="OLD-1", serial="SN-OLD")
    number, tech = sent_order(api), api(Role.TECHNICIAN)
    before = counts()
    for sent, status, words in [
        (receipt((1, ["A", "B", "C", "D"])), 422, "1 too many"),
        (receipt((2, ["A", "B", "C", "D"])), 422, "(+1 tolerated)"),
        (receipt((1, ["A", "sn-old"])), 422, "already in the register: it is the serial of OLD-1"),
        (receipt((1, ["A", "A"])), 422, "twice in this receipt"),
        (receipt((9, ["A"])), 422, "no line 9"),
        (receipt((1, ["A"]), location="NOWHERE"), 422, "NOWHERE"),
        ({"id": str(uuid.uuid4()), "location": "DOCK", "lines": [{"line": 1, "units": []}]},
         422, "units"),
        ({"location": "DOCK", "lines": [{"line": 1, "units": [{"serial": "A"}]}]}, 422, "id"),
    ]:
        reply = tech("POST", f"/api/v1/purchase-orders/{number}/receipts", json=sent)
        assert reply.status_code == status and words in reply.json["error"]["message"], (
            sent, reply.json)
        assert counts() == before
    # Within the tolerance, a line may take one more than ordered.
    assert tech("POST", f"/api/v1/purchase-orders/{number}/receipts",
                json=receipt((2, ["D1", "D2", "D3"]))).status_code == 201


def test_two_phones_receiving_one_order_both_count_and_the_one_over_is_refused(api, world):
    number = sent_order(api)
    first, second = api(Role.TECHNICIAN), api(Role.TECHNICIAN)
    assert first("POST", f"/api/v1/purchase-orders/{number}/receipts",
                 json=receipt((1, ["A1", "A2"]))).status_code == 201
    late = second("POST", f"/api/v1/purchase-orders/{number}/receipts",
                  json=receipt((1, ["B1", "B2"])))
    assert late.status_code == 422 and "1 too many" in late.json["error"]["message"]
    assert second("POST", f"/api/v1/purchase-orders/{number}/receipts",
                  json=receipt((1, ["B1"]))).status_code == 201
    assert counts()[0] == 3


BAD = [
    ({"supplier": "", "lines": [{"model": "Latitude", "quantity": 1, "unit_cost": "1"}]},
     "supplier"),
    ({"supplier": "A", "lines": [{"model": "Latitude", "quantity": -1, "unit_cost": "1"}]},
     "quantity"),
    ({"supplier": "A", "lines": [{"model": "Nope", "quantity": 1, "unit_cost": "1"}]},
     "no model"),
    ({"supplier": "A", "lines": [{"model": "Latitude", "quantity": 1, "unit_cost": "-1"}]},
     "unit_cost"),
    ({"supplier": "A"}, "lines"),
    ({"supplier": "A", "request": "PR-2026-999999"}, "no purchase request"),
]


@pytest.mark.parametrize(("sent", "words"), BAD)
def test_a_bad_order_is_refused_and_nothing_is_written(api, world, sent, words):
    before = counts()
    reply = api(Role.MANAGER)("POST", "/api/v1/purchase-orders", json=sent)
    assert reply.status_code in (404, 422) and words in reply.json["error"]["message"], \
        reply.json
    assert counts() == before


def test_the_desk_makes_sends_receives_and_prints_an_order(app, world, login):
    desk = login(Role.MANAGER)
    reply = desk.post("/admin/purchase-orders/new", data={
        "supplier": "Acme Ltd", "model_1": "Latitude", "quantity_1": "2", "unit_cost_1": "900",
        "freight": "20"})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    number = reply.headers["Location"].rsplit("/", 1)[1]
    page = desk.get(f"/admin/purchase-orders/{number}").get_data(as_text=True)
    assert "It has been sent" in page and "910.00" in page  # 900 and its 10 of freight
    desk.post(f"/admin/purchase-orders/{number}/send")
    tech = login(Role.TECHNICIAN)
    assert "Cancel the order" not in tech.get(f"/admin/purchase-orders/{number}").get_data(
        as_text=True)
    refused = tech.post(f"/admin/purchase-orders/{number}/cancel")
    assert "a manager" in tech.get(refused.headers["Location"]).get_data(as_text=True)
    reply = tech.post(f"/admin/purchase-orders/{number}/receive", data={
        "receipt_id": str(uuid.uuid4()), "location": "DOCK", "serials_1": "SN-1\n\nSN-2\n"})
    page = tech.get(reply.headers["Location"]).get_data(as_text=True)
    assert "2 received: AST-000001, AST-000002" in page and "order received" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 2

    pdf = desk.get(f"/admin/purchase-orders/{number}/pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert number in text and "Acme Ltd" in text and "1,820.00" in text  # 1,800 + 20
    bad = desk.post("/admin/purchase-orders/new", data={"supplier": "X", "model_1": "Nope",
                                                        "quantity_1": "1", "unit_cost_1": "1"})
    assert bad.status_code == 422 and "no model called" in bad.get_data(as_text=True)
