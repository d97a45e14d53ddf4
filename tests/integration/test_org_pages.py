"""Org admin pages: the location tree, departments and people."""
import re

import sqlalchemy as sa

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from app.org import service as org
from app.org.models import Department, Location, LocationKind, Person
from tests.factories import make_asset, make_location, make_person, make_user


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _site():
    site = make_location("HQ", "Head office", kind=LocationKind.SITE)
    building = make_location("HQ-A", "Block A", parent=site, kind=LocationKind.BUILDING)
    room = make_location("HQ-A-101", "Room 101", parent=building)
    return site, building, room


def test_location_tree_nests_and_counts_assets(app, login):
    site, building, room = _site()
    make_location("DEPOT", "Depot", kind=LocationKind.SITE)
    make_asset(location=room.code)
    make_asset(location=room.code)
    make_asset(location=building.code)
    html = login(Role.AUDITOR).get("/admin/locations").get_data(as_text=True)
    assert '<ul class="tree">' in html
    # Room 101 sits inside Block A, which sits inside Head office.
    tree = re.sub(r"\s+", " ", html)
    assert tree.index("Head office") < tree.index("Block A") < tree.index("Room 101")
    assert re.search(r"Head office.*?<ul>.*?Block A.*?<ul>.*?Room 101", tree)
    assert f'href="/admin/assets/?site={site.id}">3 assets' in tree
    assert f'href="/admin/assets/?site={building.id}">3 assets' in tree
    assert f'href="/admin/assets/?site={room.id}">2 assets' in tree
    assert "0 assets" in tree  # the depot


def test_location_tree_is_not_n_plus_one(app, login):
    site, building, _ = _site()
    for n in range(20):
        make_location(f"R{n}", parent=building)
    client = login(Role.AUDITOR)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/admin/locations").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) <= 5  # user, locations, counts — not one per location


def test_create_location_under_a_parent(app, login):
    site, building, _ = _site()
    reply = login(Role.MANAGER).post("/admin/locations/new", data={
        "code": "HQ-A-102", "name": "Room 102", "kind": "room", "parent": building.code})
    assert reply.status_code == 302
    room = db.session.scalar(sa.select(Location).where(Location.code == "HQ-A-102"))
    assert reply.location.endswith(f"/admin/locations/{room.id}")
    assert room.parent_id == building.id
    assert room.path == f"/{site.id}/{building.id}/{room.id}/"


def test_duplicate_location_code_is_refused(app, login):
    make_location("LAB")
    reply = login(Role.MANAGER).post("/admin/locations/new", data={
        "code": "LAB", "name": "Another lab", "kind": "room", "parent": ""})
    assert reply.status_code == 422
    assert "A location with the code &#39;LAB&#39; already exists." in reply.get_data(
        as_text=True)
    assert _count(Location) == 1


def test_unknown_parent_and_bad_fields_are_refused(app, login):
    client = login(Role.MANAGER)
    reply = client.post("/admin/locations/new", data={
        "code": "X1", "name": "X", "kind": "room", "parent": "NOPE"})
    assert reply.status_code == 422
    assert b"There is no location with the code" in reply.data
    reply = client.post("/admin/locations/new", data={
        "code": "has space", "name": "n" * 201, "kind": "room", "parent": ""})
    assert reply.status_code == 422
    assert b"A code has no spaces." in reply.data
    assert b"Field cannot be longer than 200 characters." in reply.data
    assert _count(Location) == 0


def test_edit_location_moves_it_and_its_children(app, login):
    site, building, room = _site()
    other = make_location("DEPOT", "Depot", kind=LocationKind.SITE)
    reply = login(Role.MANAGER).post(f"/admin/locations/{building.id}/edit", data={
        "name": "Block B", "kind": "building", "parent": other.code})
    assert reply.status_code == 302
    db.session.expire_all()
    building, room = db.session.get(Location, building.id), db.session.get(Location, room.id)
    assert (building.name, building.parent_id) == ("Block B", other.id)
    assert room.path == f"/{other.id}/{building.id}/{room.id}/"


def test_location_cannot_move_under_itself(app, login):
    site, building, room = _site()
    reply = login(Role.MANAGER).post(f"/admin/locations/{site.id}/edit", data={
        "name": "Head office", "kind": "site", "parent": room.code})
    assert reply.status_code == 422
    assert b"cannot be moved under itself" in reply.data
    db.session.expire_all()
    assert db.session.get(Location, site.id).parent_id is None


def test_location_detail_links_to_its_assets(app, login):
    site, building, room = _site()
    make_asset(location=room.code)
    html = login(Role.TECHNICIAN).get(f"/admin/locations/{building.id}").get_data(as_text=True)
    assert f"/admin/assets/?site={building.id}" in html
    assert "1 asset here and below" in html
    assert "Head office" in html and "Room 101" in html
    assert login().get("/admin/locations/99999").status_code == 404


def test_readers_cannot_edit_org_data(app, login):
    site, _, _ = _site()
    department = org.create_department(code="IT", name="IT")
    person = make_person("P1")
    db.session.commit()
    for role in (Role.AUDITOR, Role.TECHNICIAN):
        client = login(role)
        for url in ("/admin/locations/new", f"/admin/locations/{site.id}/edit",
                    "/admin/departments/new", f"/admin/departments/{department.id}/edit",
                    "/admin/people/new", f"/admin/people/{person.id}/edit"):
            assert client.post(url, data={"code": "Z", "name": "Z"}).status_code == 403, url
        assert client.get("/admin/people").status_code == 200
    assert _count(Location) == 3 and _count(Person) == 1


def test_departments_create_edit_and_duplicate(app, login):
    client = login(Role.MANAGER)
    assert client.post("/admin/departments/new",
                       data={"code": "FIN", "name": "Finance"}).status_code == 302
    assert client.post("/admin/departments/new",
                       data={"code": "OPS", "name": "Operations"}).status_code == 302
    ops = db.session.scalar(sa.select(Department).where(Department.code == "OPS"))
    reply = client.post(f"/admin/departments/{ops.id}/edit",
                        data={"code": "FIN", "name": "Operations"})
    assert reply.status_code == 422
    assert b"A department with the code &#39;FIN&#39; already exists." in reply.data
    reply = client.post(f"/admin/departments/{ops.id}/edit",
                        data={"code": "OPS", "name": "Field operations"})
    assert reply.status_code == 302
    db.session.expire_all()
    assert db.session.get(Department, ops.id).name == "Field operations"
    assert b"Field operations" in client.get("/admin/departments").data


def test_create_and_edit_person(app, login):
    org.create_department(code="IT", name="IT")
    db.session.commit()
    client = login(Role.MANAGER)
    reply = client.post("/admin/people/new", data={
        "code": "E100", "name": "Ada Lovelace", "email": " Ada@Example.org ",
        "department": "IT", "active": "y"})
    assert reply.status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.code == "E100"))
    assert (person.email, person.department.code, person.active) == (
        "ada@example.org", "IT", True)
    reply = client.post(f"/admin/people/{person.id}/edit", data={
        "code": "E100", "name": "Ada King", "email": "ada@example.org", "department": ""})
    assert reply.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert (person.name, person.department, person.active) == ("Ada King", None, False)


def test_person_with_only_email_is_filed_under_it(app, login):
    reply = login(Role.MANAGER).post("/admin/people/new", data={
        "name": "Bo", "email": "bo@example.org", "active": "y"})
    assert reply.status_code == 302
    assert db.session.scalar(sa.select(Person.code)) == "bo@example.org"


def test_person_duplicates_and_bad_fields(app, login):
    make_person("E1", email="one@example.org")
    other = make_person("E2")
    client = login(Role.MANAGER)
    reply = client.post("/admin/people/new", data={"code": "E1", "name": "Copy"})
    assert reply.status_code == 422 and b"already exists" in reply.data
    reply = client.post(f"/admin/people/{other.id}/edit", data={
        "code": "E2", "name": "Two", "email": "one@example.org"})
    assert reply.status_code == 422
    assert b"A person with the e-mail &#39;one@example.org&#39; already exists." in reply.data
    reply = client.post("/admin/people/new", data={"name": "Nobody"})
    assert reply.status_code == 422 and b"Give a code or an e-mail address." in reply.data
    reply = client.post("/admin/people/new", data={
        "code": "c" * 65, "name": "n", "email": "not-an-email", "department": "NOPE"})
    assert reply.status_code == 422
    assert b"Field cannot be longer than 64 characters." in reply.data
    assert b"Enter an e-mail address." in reply.data
    reply = client.post("/admin/people/new", data={"code": "E9", "name": "n",
                                                   "department": "NOPE"})
    assert reply.status_code == 422 and b"There is no department" in reply.data
    assert _count(Person) == 2


def test_people_search_filter_and_pages(app, login):
    it = org.create_department(code="IT", name="IT")
    db.session.commit()
    for n in range(55):
        make_person(f"E{n:03d}", name=f"Person {n:03d}")
    make_person("X1", name="Grace Hopper", email="grace@navy.mil", department=it)
    client = login(Role.AUDITOR)
    html = client.get("/admin/people").get_data(as_text=True)
    assert "56 people" in html and "Page 1 of 2" in html
    assert html.count("<tr>") == 51  # header + 50
    assert "Person 054" in client.get("/admin/people?page=2").get_data(as_text=True)
    for q in ("hopper", "X1", "navy.mil"):
        html = client.get(f"/admin/people?q={q}").get_data(as_text=True)
        assert "Grace Hopper" in html and "1 person" in html, q
    html = client.get(f"/admin/people?department={it.id}").get_data(as_text=True)
    assert "Grace Hopper" in html and "Person 001" not in html
    assert client.get("/admin/people?q=%25&page=x").status_code == 200


def test_a_persons_page_shows_what_they_hold_and_have_held(app, login):
    make_location("STORE")
    pat = make_person("P-PAT", name="Pat Jones", email="pat@example.org")
    make_person("P-SAM", name="Sam Lee")
    admin = make_user(Role.ADMIN)
    make_asset(tag="A1", location="STORE"), make_asset(tag="A2", location="STORE")
    make_asset(tag="A3", location="STORE", status="deployed", assignee="pat@example.org")
    assets.record("A1", "check_out", {"assignee": "P-PAT"}, actor=admin)
    assets.record("A1", "check_in", {"location": "STORE"}, actor=admin)
    assets.record("A2", "check_out", {"assignee": "P-PAT"}, actor=admin)
    assets.record("A2", "check_out", {"assignee": "P-SAM"}, actor=admin)  # handed on
    db.session.commit()
    page = login(Role.AUDITOR).get(f"/admin/people/{pat.id}").get_data(as_text=True)
    now = page[page.index("Holds now"):page.index("Has held")]
    assert "A3" in now and "A1" not in now and "A2" not in now
    held = page[page.index("Has held"):]
    assert held.count('class="tag"') == 3 and "check in" in held and "check out" in held
    assert "now" in held  # A3, still with them
    listing = login(Role.AUDITOR).get("/admin/people").get_data(as_text=True)
    assert f'href="/admin/people/{pat.id}"' in listing
