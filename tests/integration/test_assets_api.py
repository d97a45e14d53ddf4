"""The assets API: shapes from design.md, and clear refusals that change nothing."""
import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.models import Event
from tests.factories import make_asset, make_location, make_model, make_token, make_user


@pytest.fixture
def api(app):
    token = make_token(make_user(Role.MANAGER))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    class Api:
        def get(self, url, **kw):
            return client.get(url, headers=headers, **kw)

        def post(self, url, **kw):
            return client.post(url, headers=headers | kw.pop("headers", {}), **kw)
    return Api()


def counts():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Asset)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Event)))


def test_create_keeps_the_tag_and_records_an_event(api):
    make_location("HQ-101")
    make_model("ThinkPad T14")
    reply = api.post("/api/v1/assets", json={
        "tag": "lap-0042", "name": "Laptop", "serial": "SN1", "model": "ThinkPad T14",
        "location": "HQ-101", "purchase_cost": "1299.50", "purchase_date": "2026-01-15",
        "criticality": "high"})
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert body["tag"] == "lap-0042" and body["version"] == 1 and body["status"] == "in_stock"
    assert body["category"] == "Laptops" and body["purchase_cost"] == "1299.50"
    assert reply.headers["Location"].endswith("/api/v1/assets/lap-0042")
    event = db.session.scalar(sa.select(Event))
    assert (event.type, event.outcome, event.version) == ("create", "applied", 1)
    detail = api.get("/api/v1/assets/lap-0042").json
    assert {"version", "assignee", "updated_at"} <= detail.keys()


@pytest.mark.parametrize(("body", "status", "code", "words"), [
    ({"tag": "DUP", "name": "Again"}, 409, "duplicate", "already in use"),
    ({"tag": "N1", "name": "X", "location": "NOWHERE"}, 422, "invalid", "NOWHERE"),
    ({"tag": "N1", "name": "X", "purchase_cost": -5}, 422, "invalid", "purchase_cost"),
    ({"tag": "N1", "name": "x" * (10 * 1024 * 1024)}, 413, "too_large", "limit"),
    ({"tag": "N1", "name": "X", "status": "disposed"}, 422, "invalid", "status"),
    ({"tag": "N1", "name": 42}, 422, "invalid", "name"),
    ({"tag": "N1"}, 422, "invalid", "name"),
    ({"tag": "has space", "name": "X"}, 422, "invalid", "tag"),
    ({"tag": "N1", "name": "X", "colour": "red"}, 422, "invalid", "colour"),
    ({"tag": "N1", "name": "X", "purchase_date": "last tuesday"}, 422, "invalid", "date"),
    ({"tag": "N1", "name": "X", "status": "deployed"}, 422, "invalid", "assignee"),
    ({"tag": "N1", "name": "X\x00"}, 400, "bad_request", "NUL"),  # PostgreSQL stores none
])
def test_bad_asset_input_is_refused_and_changes_nothing(api, body, status, code, words):
    make_asset(tag="DUP")
    before = counts()
    reply = api.post("/api/v1/assets", json=body)
    error = reply.json["error"]
    assert (reply.status_code, error["code"]) == (status, code)
    assert words in error["message"] + str(error["details"])
    assert counts() == before


@pytest.mark.parametrize(("data", "content_type"), [
    (b'{"tag": "N1", "name": ', "application/json"),
    (b'["tag", "name"]', "application/json"),
    (b"tag=N1&name=X", "application/x-www-form-urlencoded"),
])
def test_malformed_json_gets_a_json_error(api, data, content_type):
    reply = api.post("/api/v1/assets", data=data, headers={"Content-Type": content_type})
    assert reply.status_code == 400 and reply.json["error"]["code"] == "bad_request"


def test_oversized_body_is_refused_with_413(api, app):
    reply = api.post("/api/v1/assets", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                     headers={"Content-Type": "application/json"})
    assert reply.status_code == 413 and "limit" in reply.json["error"]["message"]


@pytest.mark.parametrize("url", ["/api/v1/assets/A%00", "/api/v1/assets?location=%00",
                                 "/api/v1/scan?payload=A1%00"])
def test_a_nul_in_the_address_is_refused(api, url):
    reply = api.get(url)
    assert reply.status_code == 400 and "NUL" in reply.json["error"]["message"]


def test_a_nul_in_a_form_is_refused_and_changes_nothing(app, login):
    asset = make_asset(tag="F1")
    before = counts()
    reply = login(Role.MANAGER).post(f"/admin/assets/{asset.tag}/events", data={
        "type": "repair", "symptom": "dead\x00", "base_version": str(asset.version)})
    assert reply.status_code == 400 and b"NUL" in reply.data
    assert counts() == before


def test_unknown_asset_and_unknown_route_are_json_404s(api):
    assert api.get("/api/v1/assets/NOPE").json["error"]["code"] == "not_found"
    assert api.get("/api/v1/nothing-here").json["error"]["code"] == "not_found"


def test_auditor_may_read_but_not_create(app):
    token = make_token(make_user(Role.AUDITOR))
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    assert client.get("/api/v1/assets", headers=headers).status_code == 200
    reply = client.post("/api/v1/assets", json={"tag": "A", "name": "B"}, headers=headers)
    assert reply.status_code == 403 and reply.json["error"]["code"] == "forbidden"


def test_list_filters_searches_and_pages(api):
    lab, store = make_location("LAB", "Lab"), make_location("STORE", "Store")
    for i in range(7):
        make_asset(tag=f"L{i}", name="Laptop", location=lab.code)
    make_asset(tag="M1", name="Monitor", location=store.code, serial="MON-77")
    page = api.get("/api/v1/assets?location=LAB&per_page=5&page=2").json
    assert (page["total"], len(page["items"]), page["page"]) == (7, 2, 2)
    found = api.get("/api/v1/assets?q=mon-7").json
    assert [a["tag"] for a in found["items"]] == ["M1"]
    assert api.get("/api/v1/assets?q=store").json["total"] == 1
    assert api.get("/api/v1/assets?status=deployed").json["total"] == 0
    bad = api.get("/api/v1/assets?per_page=lots")
    assert bad.status_code == 422 and "per_page" in bad.json["error"]["message"]


def test_tags_are_unique_whatever_their_case(api):
    make_asset(tag="AST-000001")
    reply = api.post("/api/v1/assets", json={"tag": "ast-000001", "name": "Clone"})
    assert reply.status_code == 409 and reply.json["error"]["code"] == "duplicate"


def test_a_cost_is_taken_exactly_up_to_what_its_column_holds(api, login):
    most = api.post("/api/v1/assets", json={"tag": "C1", "name": "x",
                                            "purchase_cost": "9999999999.99"})
    assert most.status_code == 201 and most.json["purchase_cost"] == "9999999999.99"
    for cost in ("10000000000", "9999999999.995", "1e12"):
        reply = api.post("/api/v1/assets", json={"tag": "C2", "name": "x", "purchase_cost": cost})
        assert reply.status_code == 422 and "9,999,999,999.99" in reply.json["error"]["message"]
    page = login(Role.MANAGER).post("/admin/assets/new", data={
        "tag": "C3", "name": "x", "status": "in_stock", "criticality": "medium",
        "purchase_cost": "10000000000"})
    assert page.status_code == 422 and b"9,999,999,999.99" in page.data
    assert counts() == (1, 1)


@pytest.mark.parametrize("url", ["/api/v1/stocktakes/99999999999999999999999",
                                 "/api/v1/stocktakes/2147483648",
                                 "/admin/locations/18446744073709551616"])
def test_an_id_beyond_what_the_database_holds_is_a_404(api, login, url):
    reply = (api if url.startswith("/api/") else login(Role.ADMIN)).get(url)
    assert reply.status_code == 404
