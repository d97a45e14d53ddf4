"""GET/POST /api/v1/work-orders and GET /api/v1/work-orders/<number or id>: the contract in
design.md "Maintenance"."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.models import Event
from app.maintenance.models import WorkOrder
from tests.factories import make_asset, make_location, make_token, make_user

YEAR = datetime.now(UTC).year


@pytest.fixture
def api(app):
    make_asset(tag="A1", criticality="critical")
    make_asset(tag="A2", criticality="low")
    make_user(Role.TECHNICIAN, email="tech@example.org")
    token = make_token(make_user(Role.TECHNICIAN, email="opener@example.org"))
    client = app.test_client()

    def call(method, url, **kw):
        return client.open(url, method=method, headers={"Authorization": f"Bearer {token}"},
                           **kw)
    return call


def body(**fields):
    return {"asset": "A1", "kind": "corrective", "title": "Fan noise"} | fields


def written() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(WorkOrder)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Event)))


def test_opening_an_order_answers_with_its_number_and_status(api):
    reply = api("POST", "/api/v1/work-orders", json=body(
        assignee="tech@example.org", due=(date.today() + timedelta(days=7)).isoformat(),
        out_of_service=True, checklist=["Fans spin", "Filters clean"]))
    assert reply.status_code == 201, reply.json
    order = reply.json
    assert order["number"] == f"WO-{YEAR}-000001" and order["status"] == "open"
    assert uuid.UUID(order["id"]) and reply.headers["Location"].endswith(order["number"])
    assert (order["priority"], order["assignee"], order["out_of_service"]) == (
        "urgent", "tech@example.org", True)  # urgent: the asset is critical
    assert [c["item"] for c in order["checklist"]] == ["Fans spin", "Filters clean"]
    assert order["estimate"] is None
    quoted = api("POST", "/api/v1/work-orders", json=body(estimate="120.5")).json
    assert quoted["estimate"] == "120.50"
    assert api("GET", "/api/v1/assets/A1").json["status"] == "in_repair"


def test_the_same_id_sent_again_opens_one_order(api):
    ident = str(uuid.uuid4())
    first = api("POST", "/api/v1/work-orders", json=body(id=ident))
    again = api("POST", "/api/v1/work-orders", json=body(id=ident))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"] == ident
    assert written()[0] == 1


BAD = [
    (body(assignee="nobody@example.org"), 422, "no active user"),
    (body(assignee="not an address"), 422, "assignee"),
    (body(due=(date.today() + timedelta(days=4000)).isoformat()), 422, "due"),
    (body(due="2026-02-30"), 422, "due"),
    (body(kind="cosmetic"), 422, "kind"),
    (body(priority="soon"), 422, "priority"),
    (body(checklist="Fans"), 422, "checklist"),
    (body(asset="NOPE"), 404, "no asset"),
    (body(id="123"), 422, "id"),
    ({"asset": "A1", "kind": "corrective"}, 422, "title"),
    (body(colour="red"), 422, "colour"),
    (body(estimate=-1), 422, "estimate"),
    (body(estimate="a lot"), 422, "estimate"),
]


@pytest.mark.parametrize(("sent", "status", "message"), BAD)
def test_a_bad_order_is_refused_and_nothing_is_written(api, sent, status, message):
    before = written()
    reply = api("POST", "/api/v1/work-orders", json=sent)
    assert reply.status_code == status and message in reply.json["error"]["message"]
    assert written() == before


def test_filters_narrow_the_list(api):
    ids = {}
    for name, fields in (("a", {}), ("b", {"kind": "preventive", "asset": "A2"}),
                         ("c", {"assignee": "tech@example.org"})):
        ids[name] = api("POST", "/api/v1/work-orders", json=body(**fields)).json["number"]

    def numbers(query):
        reply = api("GET", f"/api/v1/work-orders?{query}")
        assert reply.status_code == 200, reply.json
        return {o["number"] for o in reply.json["items"]}

    assert numbers("") == set(ids.values())
    assert numbers("asset=a2") == {ids["b"]}
    assert numbers("kind=preventive") == {ids["b"]}
    assert numbers("assignee=TECH@example.org") == {ids["c"]}
    assert numbers("status=open") == set(ids.values()) and numbers("status=done") == set()
    reply = api("GET", "/api/v1/work-orders?status=finished")
    assert reply.status_code == 422 and "status" in reply.json["error"]["message"]


def test_the_work_due_at_a_place_is_listed_for_its_technicians(app, api):
    site = make_location("SITE-N", kind="site")
    room = make_location("ROOM-N1", parent=site)
    make_asset(tag="A3", location="ROOM-N1"), make_asset(tag="A4", location="SITE-N")
    soon, later = date.today() + timedelta(days=3), date.today() + timedelta(days=30)
    due = {"soon": api("POST", "/api/v1/work-orders", json=body(asset="A3", due=soon.isoformat())),
           "later": api("POST", "/api/v1/work-orders", json=body(asset="A4",
                                                                 due=later.isoformat())),
           "elsewhere": api("POST", "/api/v1/work-orders", json=body(due=soon.isoformat()))}
    number = {name: reply.json["number"] for name, reply in due.items()}
    db.session.get(WorkOrder, due["soon"].json["id"]).status = "cancelled"
    db.session.commit()

    def numbers(query):
        reply = api("GET", f"/api/v1/work-orders?{query}")
        assert reply.status_code == 200, reply.json
        return {o["number"] for o in reply.json["items"]}

    assert room.path.startswith(site.path)
    assert numbers("place=SITE-N") == {number["soon"], number["later"]}  # rooms under it too
    assert numbers("place=ROOM-N1") == {number["soon"]}
    assert numbers(f"place=SITE-N&due_by={soon + timedelta(days=11)}") == {number["soon"]}
    assert numbers("place=SITE-N&active=1") == {number["later"]}
    for query, word in (("place=NOWHERE", "NOWHERE"), ("due_by=soon", "due_by"),
                        ("active=yes", "active")):
        reply = api("GET", f"/api/v1/work-orders?{query}")
        assert reply.status_code == 422 and word in reply.json["error"]["message"], query


def test_the_list_is_paged(api):
    for n in range(3):
        api("POST", "/api/v1/work-orders", json=body(title=f"Job {n}"))
    reply = api("GET", "/api/v1/work-orders?per_page=2")
    assert (len(reply.json["items"]), reply.json["total"], reply.json["more"]) == (2, 3, True)
    assert api("GET", "/api/v1/work-orders?per_page=5000").status_code == 422


def test_one_order_by_number_or_by_id(api):
    order = api("POST", "/api/v1/work-orders", json=body()).json
    for key in (order["number"], order["number"].lower(), order["id"],
                order["id"].upper()):
        reply = api("GET", f"/api/v1/work-orders/{key}")
        assert reply.status_code == 200 and reply.json["id"] == order["id"], key
    missing = api("GET", f"/api/v1/work-orders/WO-{YEAR}-999999")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert api("GET", f"/api/v1/work-orders/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize(("role", "status"), [(Role.AUDITOR, 403), (Role.TECHNICIAN, 201),
                                              (Role.MANAGER, 201), (None, 401)])
def test_who_may_open_an_order(app, role, status):
    make_asset(tag="A1")
    client = app.test_client(user=make_user(role)) if role else app.test_client()
    reply = client.post("/api/v1/work-orders", json=body())
    assert reply.status_code == status
    assert client.get("/api/v1/work-orders").status_code == (401 if role is None else 200)



def test_the_phone_learns_how_many_orders_are_open_on_each_asset(app, api):
    first = api("POST", "/api/v1/work-orders", json=body()).json
    api("POST", "/api/v1/work-orders", json=body(kind="preventive"))
    work = {a["tag"]: a["open_work_orders"]
            for a in api("GET", "/api/v1/sync/catalog").json["assets"]}
    assert work == {"A1": 2, "A2": 0}
    assert api("GET", "/api/v1/scan?payload=A1").json["open_work_orders"] == 2
    manager = app.test_client(user=make_user(Role.MANAGER))
    reply = manager.post("/api/v1/sync", json={"device_id": "desk", "events": [
        {"id": str(uuid.uuid4()), "type": "work_order_cancel", "asset": "A1",
         "data": {"work_order": first["id"], "reason": "opened twice"}}]})
    assert reply.json["results"][0]["status"] == "applied"
    work = {a["tag"]: a["open_work_orders"]
            for a in api("GET", "/api/v1/sync/catalog").json["assets"]}
    assert work == {"A1": 1, "A2": 0}
