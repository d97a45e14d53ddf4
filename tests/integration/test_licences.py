"""Licences: the contract's shapes, compliance (unlimited, exact, over: flagged, never
blocked), seats freed when an asset is disposed of or a person leaves, renewals coming due,
cost to date, refusals with a message and nothing written, the audit trail, and roles."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app import documents
from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from app.licences import service as licences
from app.licences.models import Licence, LicenceAssignment
from app.org import service as org
from app.timeutil import utcnow
from tests.factories import make_asset, make_person, make_user

TODAY = utcnow().date()
BODY = {"name": "Office 365 E3", "kind": "per_user", "seats": 2, "cost": "3650.00",
        "term_start": TODAY.isoformat(), "term_end": (TODAY + timedelta(days=364)).isoformat(),
        "notice_days": 60, "vendor": "Microsoft"}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _licence(**changes) -> Licence:
    licence = licences.create(BODY | changes, actor=make_user(Role.MANAGER))
    db.session.commit()
    return licence


def _assign(client, licence, **holder):
    return client.post(f"/api/v1/licences/{licence}/assignments", json=holder)


def test_create_answers_201_with_the_contract_shape(login):
    reply = login(Role.MANAGER).post("/api/v1/licences", json=BODY)
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert body["number"] == f"LIC-{utcnow().year}-000001"
    assert {k: body[k] for k in BODY} == BODY
    assert (body["seats"], body["used"], body["available"], body["compliance"]) == (
        2, 0, 2, "ok")
    assert body["contract"] == "licence" and body["assignments"] == []
    assert reply.headers["Location"].endswith(f"/api/v1/licences/{body['number']}")
    assert [s.type for s in documents.steps(body["number"])] == ["licence_added"]


def test_detail_by_number_or_id(login):
    licence = _licence()
    client = login(Role.AUDITOR)
    by_number = client.get(f"/api/v1/licences/{licence.number.lower()}")
    by_id = client.get(f"/api/v1/licences/{licence.id}")
    assert by_number.status_code == by_id.status_code == 200
    assert by_number.json == by_id.json
    assert client.get("/api/v1/licences/LIC-1999-000009").status_code == 404


def test_unlimited_seats_are_always_ok(login):
    licence = _licence(kind="site", seats=None)
    client = login(Role.MANAGER)
    for code in ("P1", "P2", "P3"):
        make_person(code)
        assert _assign(client, licence.number, person=code).status_code == 201
    make_asset(tag="A1")
    assert _assign(client, licence.number, asset="A1").status_code == 201  # site: either
    body = client.get(f"/api/v1/licences/{licence.number}").json
    assert (body["seats"], body["used"], body["available"], body["compliance"]) == (
        None, 4, None, "ok")


def test_exact_then_over_is_flagged_not_blocked(login):
    licence = _licence(seats=2)
    client = login(Role.MANAGER)
    for code in ("P1", "P2", "P3"):
        make_person(code)
    first, second = (_assign(client, licence.number, person=c) for c in ("P1", "P2"))
    assert (second.json["used"], second.json["available"], second.json["compliance"]) == (
        2, 0, "ok")
    over = _assign(client, licence.number, person="P3")
    assert over.status_code == 201
    assert (over.json["used"], over.json["available"], over.json["compliance"],
            over.json["over_by"]) == (3, 0, "over", 1)
    listed = client.get("/api/v1/licences").json["items"][0]
    assert (listed["used"], listed["compliance"]) == (3, "over")
    steps = documents.steps(licence.number)
    assert [s.type for s in steps][-1] == "licence_seat_assigned"
    assert steps[-1].data["compliance"] == "over"
    page = client.get("/admin/licences/").get_data(as_text=True)
    assert licence.number in page and "status-over" in page


def test_seat_freed_when_its_asset_is_disposed_of(login):
    licence = _licence(kind="per_device", seats=1)
    admin = make_user(Role.ADMIN)
    make_asset(admin, tag="D1")
    client = login(Role.MANAGER)
    assert _assign(client, licence.number, asset="D1").status_code == 201
    assets.record("D1", "retire", {"reason": "old"}, actor=admin)
    assets.record("D1", "dispose", {"method": "recycling"}, actor=admin)
    db.session.commit()
    body = client.get(f"/api/v1/licences/{licence.number}").json
    assert (body["used"], body["available"]) == (0, 1)
    assert body["assignments"][0]["released_reason"] == "D1 disposed of"
    step = documents.steps(licence.number)[-1]
    assert (step.type, step.data["holder"], step.actor_id) == (
        "licence_seat_released", "D1", admin.id)
    assert _assign(client, licence.number, asset="D1").status_code == 422  # gone for good


def test_seat_freed_when_a_person_is_made_inactive(login):
    licence = _licence(seats=1)
    person = make_person("P1")
    client = login(Role.MANAGER)
    assert _assign(client, licence.number, person="P1").status_code == 201
    manager = make_user(Role.MANAGER)
    org.update_person(person, code="P1", name=person.name, email=None, department=None,
                      active=False, actor=manager)
    db.session.commit()
    body = client.get(f"/api/v1/licences/{licence.number}").json
    assert (body["used"], body["available"]) == (0, 1)
    assert body["assignments"][0]["released_reason"] == "P1 no longer active"
    assert documents.steps(licence.number)[-1].type == "licence_seat_released"
    refused = _assign(client, licence.number, person="P1")
    assert refused.status_code == 422 and "no longer active" in refused.json["error"]["message"]


def test_person_leaving_through_the_page_frees_the_seat(login):
    licence = _licence(seats=1)
    person = make_person("P1")
    client = login(Role.MANAGER)
    _assign(client, licence.number, person="P1")
    reply = client.post(f"/admin/people/{person.id}/edit", data={
        "code": "P1", "name": person.name, "email": "", "department": ""})  # active unticked
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    assert client.get(f"/api/v1/licences/{licence.number}").json["used"] == 0


def test_renewals_due_within_days(login):
    soon = _licence(name="Soon", term_end=(TODAY + timedelta(days=40)).isoformat(),
                    notice_days=30)  # notice in 10 days
    _licence(name="Later", term_end=(TODAY + timedelta(days=400)).isoformat(), notice_days=30)
    _licence(name="Ended", term_start=(TODAY - timedelta(days=400)).isoformat(),
             term_end=(TODAY - timedelta(days=1)).isoformat())
    late = _licence(name="Notice passed", term_end=(TODAY + timedelta(days=5)).isoformat(),
                    notice_days=30)
    assert [lic.name for lic in licences.renewals_due(10)] == ["Notice passed", "Soon"]
    assert [lic.name for lic in licences.renewals_due(9)] == ["Notice passed"]
    client = login(Role.FINANCE)
    due = client.get("/api/v1/licences?due_within=10").json
    assert [i["number"] for i in due["items"]] == [late.number, soon.number]
    assert due["items"][1]["notice_date"] == (TODAY + timedelta(days=10)).isoformat()
    page = client.get("/admin/licences/?within=10").get_data(as_text=True)
    assert "Soon" in page.split("<h2>All</h2>")[0] and "Later" not in page.split(
        "<h2>All</h2>")[0]


def test_cost_to_date_is_pro_rata_over_the_term():
    start = date(2026, 1, 1)
    licence = Licence(cost=Decimal("3650.00"), term_start=start, term_end=date(2026, 12, 31))
    assert licences.cost_to_date(licence, start - timedelta(days=1)) == Decimal("0.00")
    assert licences.cost_to_date(licence, start) == Decimal("10.00")
    assert licences.cost_to_date(licence, date(2026, 7, 1)) == Decimal("1820.00")  # day 182
    assert licences.cost_to_date(licence, date(2027, 6, 1)) == Decimal("3650.00")


def test_cost_to_date_in_the_answer(login):
    licence = _licence(term_start=(TODAY - timedelta(days=9)).isoformat(),
                       term_end=(TODAY + timedelta(days=355)).isoformat())
    body = login(Role.AUDITOR).get(f"/api/v1/licences/{licence.number}").json
    assert body["cost_to_date"] == "100.00"


@pytest.mark.parametrize(("change", "words"), [
    ({"seats": -1}, "seats"),
    ({"term_end": (TODAY - timedelta(days=1)).isoformat()}, "cannot end before it starts"),
    ({"kind": "per_galaxy"}, "kind"),
    ({"cost": "-5.00"}, "cost"),
    ({"name": ""}, "name"),
    ({"notice_days": -1}, "notice"),
    ({"colour": "red"}, "colour"),
])
def test_bad_licences_are_refused_and_nothing_written(login, change, words):
    reply = login(Role.MANAGER).post("/api/v1/licences", json=BODY | change)
    assert reply.status_code == 422, reply.json
    assert words in reply.json["error"]["message"].lower() or words in str(reply.json)
    assert _count(Licence) == 0


@pytest.mark.parametrize(("kind", "holder", "words"), [
    ("per_user", {"person": "NOBODY"}, "no person"),
    ("per_device", {"asset": "NOPE"}, "no asset"),
    ("per_user", {"asset": "A1"}, "per-user licence is assigned to people"),
    ("per_device", {"person": "P1"}, "per-device licence is assigned to assets"),
    ("site", {}, "person or an asset"),
    ("site", {"person": "P1", "asset": "A1"}, "person or an asset"),
])
def test_bad_assignments_are_refused_and_nothing_written(login, kind, holder, words):
    licence = _licence(kind=kind)
    make_person("P1"), make_asset(tag="A1")
    steps = len(documents.steps(licence.number))
    reply = _assign(login(Role.MANAGER), licence.number, **holder)
    assert reply.status_code == 422, reply.json
    assert words in reply.json["error"]["message"]
    assert _count(LicenceAssignment) == 0
    assert len(documents.steps(licence.number)) == steps


def test_the_same_holder_twice_is_refused(login):
    licence = _licence()
    make_person("P1")
    client = login(Role.MANAGER)
    assert _assign(client, licence.number, person="P1").status_code == 201
    again = _assign(client, licence.number, person="P1")
    assert again.status_code == 422 and "already holds" in again.json["error"]["message"]
    assert _count(LicenceAssignment) == 1


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.AUDITOR, Role.FINANCE])
def test_only_managers_change_licences_but_everyone_reads(login, role):
    licence = _licence()
    make_person("P1")
    client = login(role)
    assert client.post("/api/v1/licences", json=BODY).status_code == 403
    assert _assign(client, licence.number, person="P1").status_code == 403
    assert client.get("/api/v1/licences").status_code == 200
    assert client.get(f"/admin/licences/{licence.number}").status_code == 200
    assert client.get("/admin/licences/new").status_code == 403
    assert _count(Licence) == 1 and _count(LicenceAssignment) == 0


def test_pages_add_edit_assign_and_release(login):
    client = login(Role.MANAGER)
    reply = client.post("/admin/licences/new", data={
        "name": "Adobe CC", "kind": "per_user", "contract": "subscription", "seats": "1",
        "cost": "600.00", "term_start": "2026-01-01", "term_end": "2026-12-31",
        "notice_days": "30", "vendor": "Adobe"})
    assert reply.status_code == 302
    licence = db.session.scalar(sa.select(Licence))
    assert (licence.name, licence.seats, str(licence.contract)) == ("Adobe CC", 1,
                                                                    "subscription")
    bad = client.post("/admin/licences/new", data={
        "name": "Bad", "kind": "site", "contract": "licence", "cost": "1",
        "term_start": "2026-02-01", "term_end": "2026-01-01", "notice_days": "0"})
    assert bad.status_code == 422 and "cannot end before" in bad.get_data(as_text=True)
    edit = client.post(f"/admin/licences/{licence.number}/edit", data={
        "name": "Adobe CC", "kind": "per_user", "contract": "subscription", "seats": "",
        "cost": "600.00", "term_start": "2026-01-01", "term_end": "2026-12-31",
        "notice_days": "45", "vendor": "Adobe"})
    assert edit.status_code == 302
    db.session.refresh(licence)
    assert (licence.seats, licence.notice_days) == (None, 45)
    changed = documents.steps(licence.number)[-1]
    assert changed.type == "licence_changed"
    assert changed.data["changed"]["notice_days"] == [30, 45]
    make_person("P1")
    assigned = client.post(f"/admin/licences/{licence.number}/assignments",
                           data={"person": "P1"})
    assert assigned.status_code == 302
    refused = client.post(f"/admin/licences/{licence.number}/assignments",
                          data={"asset": "A1"})
    assert refused.status_code == 422
    assert "assigned to people" in refused.get_data(as_text=True)
    held = db.session.scalar(sa.select(LicenceAssignment))
    page = client.get(f"/admin/licences/{licence.number}").get_data(as_text=True)
    assert "P1" in page and "Release" in page and "Licence seat assigned" not in page
    released = client.post(
        f"/admin/licences/{licence.number}/assignments/{held.id}/release",
        data={"reason": "moved team"})
    assert released.status_code == 302
    db.session.refresh(held)
    assert (held.released_at is not None, held.released_reason) == (True, "moved team")
    assert [s.type for s in documents.steps(licence.number)] == [
        "licence_added", "licence_changed", "licence_seat_assigned", "licence_seat_released"]


def test_a_dispose_from_a_phone_batch_frees_the_seat_and_a_refused_one_does_not(login):
    from app.lifecycle.pipeline import EventIn, apply_batch
    licence = _licence(kind="per_device", seats=2)
    admin = make_user(Role.ADMIN)
    make_asset(admin, tag="D1"), make_asset(admin, tag="D2")
    client = login(Role.MANAGER)
    _assign(client, licence.number, asset="D1"), _assign(client, licence.number, asset="D2")
    assets.record("D1", "retire", {"reason": "old"}, actor=admin)
    db.session.commit()
    outcomes = apply_batch([EventIn("dispose", "D1", {"method": "recycling"}, device="phone"),
                            EventIn("dispose", "D2", {"method": "recycling"}, device="phone")],
                           actor=admin)  # D2 is in stock: it cannot be disposed of yet
    db.session.commit()
    assert [o.status for o in outcomes] == ["applied", "rejected"]
    held = {a["asset"]: a["released_at"] for a in
            client.get(f"/api/v1/licences/{licence.number}").json["assignments"]}
    assert held["D1"] is not None and held["D2"] is None
