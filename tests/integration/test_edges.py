"""Values at the edges, sent to every route: query arguments each page reads, every field of
every form and JSON body, every field of every event type. None may be a 500 or write half a
record; each is taken, or refused with a message a person can act on."""
import inspect
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import request
from marshmallow import Schema
from werkzeug.datastructures import ImmutableMultiDict

from app.assets import service as assets
from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.licences import service as licences
from app.lifecycle import types
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.maintenance.models import WorkOrder
from app.meters import service as meters
from app.org.models import Department
from app.procurement import orders, requests
from app.procurement.models import OrderStatus
from app.stocktakes import service as stocktakes
from tests.factories import make_asset, make_location, make_model, make_person, make_user

TEXT_EXTREMES = ["9" * 40, "-" + "9" * 40, "NaN", "Infinity", "-inf", "1e999", "²",
                 "10000000000", "9999999999.999", str(2**31), str(2**63),
                 "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+01:00",
                 "9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00Z|" + "9" * 30]


def deep(levels: int):
    value = "deep"
    for _ in range(levels):
        value = [value]
    return value


JSON_EXTREMES = [float("nan"), float("inf"), -float("inf"), 10**30, -(10**30), 2**63, 1e308,
                 2**31, 10**10,
                 "half \ud800 pair", deep(40), [], {}, True, None, *TEXT_EXTREMES]


@pytest.fixture
def world(app):
    """One of everything the routes name (a certificate, a conflict, a stock-take ...), as an
    admin sees them; NAMES says what to put in the routes' arguments."""
    admin, other = make_user(Role.ADMIN), make_user(Role.MANAGER)
    room = make_location("ROOM-1")
    make_person("P1", email="p1@example.org"), make_person("P2")
    model = make_model("Model One")
    db.session.add(Department(code="D1", name="Dept"))
    asset = make_asset(admin, tag="A1", location=room.code, model=model.name, serial="S1",
                       purchase_cost="10.00")
    seen = asset.version
    assets.record("A1", "check_out", {"assignee": "P1"}, actor=admin)
    apply_event(EventIn("check_out", "A1", {"assignee": "P2"}, base_version=seen,
                        device="phone"), actor=other)  # a conflict
    make_asset(admin, tag="A2", location=room.code)
    assets.record("A2", "retire", {"reason": "old"}, actor=admin)
    event = assets.record("A2", "dispose", {"method": "recycling"}, actor=admin)
    NAMES["number"] = event.data["certificate"]["number"]
    stocktakes.start(room, actor=admin)
    make_user(Role.TECHNICIAN, email="tech@example.org")
    assets.record("A1", "work_order_open", {
        "work_order": ORDER, "kind": "corrective", "title": "Fan", "checklist": ["Fans spin"],
        "assignee": "tech@example.org"}, actor=admin)
    NAMES["order"] = db.session.get(WorkOrder, ORDER).number
    meters.create_meter(asset, name="hours", kind="counter", unit="h")
    NAMES["request_number"] = requests.submit(
        {"title": "T", "justification": "J", "model": "Model One", "quantity": 1},
        actor=admin)[0].number
    order = orders.create({"supplier": "S", "lines": [
        {"model": "Model One", "quantity": 5, "unit_cost": "1.00"}]}, actor=admin)
    orders.move(order, OrderStatus.SENT, actor=admin, step="order_sent")
    NAMES["order_number"] = order.number
    NAMES["licence"] = licences.create({
        "name": "Site", "kind": "site", "seats": 1, "cost": "10.00", "term_start": "2026-01-01",
        "term_end": "2026-12-31"}, actor=admin).number
    db.session.commit()
    return app.test_client(user=admin)


ORDER = "0b6c1b1e-6d1f-4c1c-9a51-3f1f0c2d4e5a"  # the world's work order, on A1
NAMES = {"tag": "A1", "code": "A1"}  # and the certificate's number, once made; else "1"


def fill(rule) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", NAMES.get(name, "1"), url)
    return url


SKIP = {"static", "pwa.service_worker", "pwa.manifest", "auth.logout", "files_api.put_blob",
        "scanning_api.decode_photo"}  # files, no arguments, or bytes rather than fields


def routes(app, method):
    return [rule for rule in app.url_map.iter_rules()
            if method in rule.methods and rule.endpoint not in SKIP]


class Recording(ImmutableMultiDict):
    """Query arguments that remember which names the view looked up."""

    asked: set = set()

    def __getitem__(self, key):
        Recording.asked.add(key)
        return super().__getitem__(key)


def assert_answered(reply, where):
    assert reply.status_code < 500, (where, reply.status_code, reply.get_data(as_text=True)[:300])
    if reply.status_code >= 400 and where[0].startswith("/api/"):
        assert reply.json["error"]["message"], where


def test_every_query_argument_a_page_reads_takes_extreme_values(app, world):
    @app.before_request
    def _record():
        request.args = Recording(request.args)

    for rule in routes(app, "GET"):
        url = fill(rule)
        Recording.asked = set()
        assert_answered(world.get(url), (url,))
        for name in sorted(Recording.asked - {"next"}):
            for value in TEXT_EXTREMES:
                assert_answered(world.get(url, query_string={name: value}), (url, name, value))
            db.session.rollback()


class FormFields(HTMLParser):
    """The fields of the page's forms that post to the server, with their current values."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self.forms.append((attrs.get("action") or "", {}))
        if not self.forms or "name" not in attrs:
            return
        fields = self.forms[-1][1]
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                fields.setdefault(attrs["name"], "")
            else:
                fields[attrs["name"]] = attrs.get("value", "")
        elif tag in ("textarea", "select"):
            fields[attrs["name"]] = ""
            self._select = attrs["name"] if tag == "select" else None

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def forms_on(page: str):
    parser = FormFields()
    parser.feed(page)
    return [(action, {k: v for k, v in fields.items() if k != "csrf_token"})
            for action, fields in parser.forms]


def test_every_form_field_takes_extreme_values(app, world):
    pages = [fill(rule) for rule in routes(app, "GET") if not rule.rule.startswith("/api/")]
    posted = set()
    for page in pages:
        reply = world.get(page)
        if reply.mimetype != "text/html":
            continue
        for action, fields in forms_on(reply.get_data(as_text=True)):
            target = action or page
            if target in posted or target == "/auth/logout":
                continue
            posted.add(target)
            for name in fields:
                for value in TEXT_EXTREMES:
                    reply = world.post(target, data=fields | {name: value})
                    assert_answered(reply, (target, name, value))
                    db.session.rollback()


# A valid body for each JSON route, to change one field at a time.
BODIES = {
    "assets_api.create": {"tag": "N1", "name": "New"},
    "org_api.create_location": {"code": "L9", "name": "Nine"},
    "catalog_api.create_category": {"name": "Nine", "holds_data": True},
    "catalog_api.create_model": {"name": "Model Nine", "category": "Laptops",
                                 "manufacturer": "Acme", "replacement_cost": "900.00",
                                 "useful_life_months": 36, "warranty_months": 12},
    "org_api.create_person": {"code": "P9", "name": "Nine"},
    "stocktakes_api.start": {"location": "ROOM-1"},
    "stocktakes_api.unknown": {"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "code": "X-1"},
    "sync_api.sync": {"device_id": "phone", "events": []},
    "conflicts_api.resolve": {"choice": "keep_current"},
    "certificates_api.request_certificate": {"asset": "A1"},
    "maintenance_api.create": {"asset": "A1", "kind": "corrective", "title": "Fan"},
    "meters_api.create_meter": {"asset": "A1", "name": "km", "kind": "counter"},
    "schedules_api.create": {"asset": "A1", "title": "Service", "every_days": 7},
    "meters_api.store_readings": {"readings": [{"asset": "A1", "meter": "hours", "value": 1,
                                                "at": "2026-01-01T00:00:00Z"}]},
    "procurement_api.create": {"title": "T", "justification": "J", "model": "Model One",
                               "quantity": 1},
    "procurement_api.approve": {"comment": "ok"},
    "licences_api.create": {"name": "Office", "kind": "per_user", "seats": 5, "cost": "100.00",
                            "term_start": "2026-01-01", "term_end": "2026-12-31",
                            "notice_days": 30, "vendor": "V", "contract": "subscription"},
    "licences_api.assign": {"person": "P1"},
    "procurement_api.reject": {"comment": "no"},
    "orders_api.orders_create": {"supplier": "S", "lines": [
        {"model": "Model One", "quantity": 1, "unit_cost": "1.00"}]},
    "orders_api.receipts": {"id": "0b0a2f6e-5d4c-4b3a-9a8b-7c6d5e4f3a2b", "location": "ROOM-1",
                            "lines": [{"line": 1, "units": [{"serial": "NEW-1"}]}]},
    "finance_api.preview": {"cost": "1000.00", "salvage": "100.00", "method": "straight_line",
                            "life_months": 36, "start": "2026-03-15",
                            "convention": "full_month", "fiscal_year_start": 1,
                            "period": "month"},
}


def json_routes(app):
    for rule in app.url_map.iter_rules():
        schema = getattr(app.view_functions[rule.endpoint], "body_schema", None)
        if inspect.isclass(schema) and issubclass(schema, Schema):
            yield rule, schema


def test_every_json_field_takes_extreme_values(app, world):
    documented = dict((rule.endpoint, (rule, schema)) for rule, schema in json_routes(app))
    assert set(documented) == set(BODIES)  # a new JSON route needs a valid body here
    for endpoint, (rule, schema) in documented.items():
        url = fill(rule)
        for name in [*schema().fields, "unexpected"]:
            for value in JSON_EXTREMES:
                reply = world.post(url, json=BODIES[endpoint] | {name: value})
                assert_answered(reply, (url, name, value))
                db.session.rollback()


def event_fields() -> set[str]:
    return {name for kind in types.REGISTERED.values() for name in kind.schema._declared_fields}


# A valid event of each type for the asset A1 (in stock), to change one field at a time.
EVENT_DATA = {"check_out": {"assignee": "P1"}, "check_in": {"location": "ROOM-1"},
              "transfer": {"to_location": "ROOM-1"}, "repair": {"symptom": "fan"},
              "retire": {"reason": "old"}, "stocktake_scan": {"stocktake": 1},
              "attach_code": {"code": "X-1"}, "create": {"tag": "N1", "name": "New"},
              "update": {"name": "Renamed"}, "reading": {"meter": "hours", "value": 1},
              "work_order_open": {"work_order": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
                                  "kind": "corrective", "title": "Fan"},
              "work_order_start": {"work_order": ORDER},
              "work_order_update": {"work_order": ORDER},
              "work_order_complete": {"work_order": ORDER, "work_done": "x", "failure": True},
              "work_order_cancel": {"work_order": ORDER, "reason": "x"}}


def test_every_event_field_takes_extreme_values(app, world):
    fields = sorted(event_fields() | {"tag", "name", "unexpected"})
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    for event_type in sorted(types.REGISTERED):
        events = [{"id": f"{n:08x}-0000-4000-8000-{len(fields):012x}", "type": event_type,
                   "asset": "" if event_type in ("create", "request") else "A1",
                   "data": EVENT_DATA.get(event_type, {}) | {name: value}}
                  for n, (name, value) in enumerate(
                      (name, value) for name in fields for value in JSON_EXTREMES)]
        for start in range(0, len(events), 500):
            reply = world.post("/api/v1/sync", json={"device_id": f"fuzz-{event_type}",
                                                     "events": events[start:start + 500]})
            assert reply.status_code == 200, (event_type, reply.get_data(as_text=True)[:300])
            statuses = {r["status"] for r in reply.json["results"]}
            assert statuses <= {"applied", "rejected", "duplicate", "conflict"}
        db.session.rollback()
    stored = db.session.scalars(sa.select(Event.data).order_by(Event.seq).offset(before)).all()
    assert all(isinstance(data, dict) for data in stored)
    assert db.session.scalar(sa.select(Asset.tag).where(Asset.tag == "A1")) == "A1"
