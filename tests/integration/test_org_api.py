"""GET/POST /api/v1/locations and /api/v1/people."""
import sqlalchemy as sa

from app.auth.roles import Role
from app.extensions import db
from app.org import service as org
from app.org.models import Location, LocationKind, Person
from tests.factories import make_location, make_person, make_token, make_user


def _bearer(role: Role = Role.MANAGER) -> dict:
    return {"Authorization": f"Bearer {make_token(make_user(role))}"}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_location_under_a_parent(client):
    site = make_location("HQ", "Head office", kind=LocationKind.SITE)
    make_location("HQ-A", "Block A", parent=site, kind=LocationKind.BUILDING)
    reply = client.post("/api/v1/locations", headers=_bearer(),
                        json={"code": "HQ-A-1", "name": "Room 1", "parent": "HQ-A"})
    assert reply.status_code == 201
    assert reply.json == {"code": "HQ-A-1", "name": "Room 1", "kind": "room", "parent": "HQ-A",
                          "path_names": ["Head office", "Block A", "Room 1"]}
    assert db.session.scalar(sa.select(Location.path).where(Location.code == "HQ-A-1"))


def test_create_site_with_a_kind(client):
    reply = client.post("/api/v1/locations", headers=_bearer(),
                        json={"code": "DEPOT", "name": "Depot", "kind": "site"})
    assert reply.status_code == 201
    assert (reply.json["kind"], reply.json["parent"]) == ("site", None)


def test_list_locations(client):
    site = make_location("HQ", "Head office", kind=LocationKind.SITE)
    make_location("HQ-1", "Room 1", parent=site)
    reply = client.get("/api/v1/locations", headers=_bearer(Role.AUDITOR))
    assert reply.status_code == 200
    assert [(i["code"], i["parent"], i["path_names"]) for i in reply.json["items"]] == [
        ("HQ", None, ["Head office"]), ("HQ-1", "HQ", ["Head office", "Room 1"])]


def test_location_errors_use_the_envelope_and_write_nothing(client):
    make_location("LAB")
    headers = _bearer()
    cases = [
        ({"code": "LAB", "name": "Lab again"}, 409, "duplicate"),
        ({"code": "X", "name": "X", "parent": "NOPE"}, 422, "invalid"),
        ({"code": "X", "name": "x" * 201}, 422, "invalid"),
        ({"code": "has space", "name": "X"}, 422, "invalid"),
        ({"code": "X", "name": "X", "kind": "galaxy"}, 422, "invalid"),
        ({"code": "X", "name": "X", "colour": "red"}, 422, "invalid"),
        ({"name": "X"}, 422, "invalid"),
        ({"code": "X", "name": "   "}, 422, "invalid"),
    ]
    for body, status, code in cases:
        reply = client.post("/api/v1/locations", headers=headers, json=body)
        assert reply.status_code == status, body
        assert reply.json["error"]["code"] == code, body
        assert reply.json["error"]["message"], body
    assert _count(Location) == 1


def test_unknown_parent_names_the_field(client):
    reply = client.post("/api/v1/locations", headers=_bearer(),
                        json={"code": "X", "name": "X", "parent": "NOPE"})
    assert reply.json["error"]["details"] == {"parent": "unknown location"}


def test_malformed_json_is_refused(client):
    headers = _bearer() | {"Content-Type": "application/json"}
    for url in ("/api/v1/locations", "/api/v1/people"):
        reply = client.post(url, headers=headers, data="{not json")
        assert reply.status_code in (400, 422)
        assert reply.json["error"]["message"] == "The request body is not valid JSON."
        reply = client.post(url, headers=headers, data='["not", "an", "object"]')
        assert reply.status_code in (400, 422)
        assert reply.json["error"]["message"] == "The request body must be a JSON object."
        reply = client.post(url, headers=_bearer(), data="code=X")
        assert reply.status_code in (400, 415, 422)
        assert "Content-Type: application/json" in reply.json["error"]["message"]
    assert _count(Location) == 0 and _count(Person) == 0


def test_reading_roles_cannot_create(client):
    for role in (Role.AUDITOR, Role.TECHNICIAN):
        reply = client.post("/api/v1/locations", headers=_bearer(role),
                            json={"code": "X", "name": "X"})
        assert reply.status_code == 403 and reply.json["error"]["code"] == "forbidden"
        reply = client.post("/api/v1/people", headers=_bearer(role),
                            json={"code": "X", "name": "X"})
        assert reply.status_code == 403
    assert client.get("/api/v1/locations").status_code == 401
    assert _count(Location) == 0 and _count(Person) == 0


def test_create_person_with_department(client):
    org.create_department(code="IT", name="IT")
    db.session.commit()
    reply = client.post("/api/v1/people", headers=_bearer(), json={
        "code": "E1", "name": "Ada", "email": "Ada@Example.org", "department": "IT"})
    assert reply.status_code == 201
    assert reply.json == {"code": "E1", "name": "Ada", "email": "ada@example.org",
                          "department": "IT", "active": True}


def test_person_with_only_email_uses_it_as_code(client):
    reply = client.post("/api/v1/people", headers=_bearer(),
                        json={"email": "bo@example.org", "name": "Bo"})
    assert reply.status_code == 201
    assert reply.json["code"] == "bo@example.org"


def test_person_errors(client):
    make_person("E1", email="one@example.org")
    headers = _bearer()
    cases = [
        ({"name": "Nobody"}, 422, "code"),
        ({"code": "E1", "name": "Copy"}, 409, None),
        ({"code": "E2", "email": "one@example.org", "name": "Copy"}, 409, None),
        ({"code": "E3", "name": "X", "department": "NOPE"}, 422, None),
        ({"code": "E4", "name": "X", "email": "nope"}, 422, "email"),
        ({"email": "x" * 60 + "@example.org", "name": "Long"}, 422, None),
        ({"code": "E5", "name": "n" * 201}, 422, "name"),
    ]
    for body, status, field in cases:
        reply = client.post("/api/v1/people", headers=headers, json=body)
        assert reply.status_code == status, body
        if field:
            assert field in reply.json["error"]["details"]["fields"], body
    assert _count(Person) == 1


def test_list_people_searches_and_pages(client):
    for n in range(5):
        make_person(f"E{n}", name=f"Person {n}")
    make_person("G1", name="Grace Hopper", email="grace@navy.mil")
    headers = _bearer(Role.TECHNICIAN)
    reply = client.get("/api/v1/people?q=hopper", headers=headers)
    assert [p["code"] for p in reply.json["items"]] == ["G1"]
    reply = client.get("/api/v1/people?per_page=2&page=2", headers=headers)
    assert (reply.json["total"], reply.json["page"], len(reply.json["items"])) == (6, 2, 2)
    reply = client.get("/api/v1/people?per_page=0", headers=headers)
    assert reply.status_code == 422 and reply.json["error"]["code"] == "invalid"
