"""POST /api/v1/sync: batches from phones, retried, interleaved, partly malformed."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.models import Event
from tests.factories import (
    make_asset,
    make_location,
    make_person,
    make_token,
    make_user,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def event(type_, asset, data, minutes=0, base_version=None, **kw):
    return {"id": str(uuid.uuid4()), "type": type_, "asset": asset, "data": data,
            "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
            "base_version": base_version, **kw}


@pytest.fixture
def phone(app):
    token = make_token(make_user(Role.TECHNICIAN))
    client = app.test_client()

    def send(events, device="phone-1"):
        reply = client.post("/api/v1/sync", json={"device_id": device, "events": events},
                            headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.json
        return [r["status"] for r in reply.json["results"]], reply.json["results"]
    return send


def n_events():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_the_same_batch_sent_twice_applies_once(phone):
    asset = make_asset(tag="A1")
    make_location("LAB"), make_person("P1")
    batch = [event("transfer", "A1", {"to_location": "LAB"}, 1, asset.version),
             event("check_out", "A1", {"assignee": "P1"}, 2)]
    assert phone(batch)[0] == ["applied", "applied"]
    count = n_events()
    assert phone(batch)[0] == ["duplicate", "duplicate"]
    assert n_events() == count and db.session.get(Asset, asset.id).version == 3


def test_events_are_applied_in_the_order_they_happened(phone):
    make_asset(tag="A1")
    make_location("LAB"), make_location("STORE")
    late = event("transfer", "A1", {"to_location": "STORE"}, 10)
    early = event("transfer", "A1", {"to_location": "LAB"}, 5)
    assert phone([late, early])[0] == ["applied", "applied"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Asset).where(Asset.tag == "A1")).location.code == "STORE"


def test_interleaved_devices_apply_each_event_once(phone):
    make_asset(tag="A1"), make_asset(tag="A2")
    a = [event("repair", "A1", {"symptom": f"a{i}"}, i) for i in range(5)]
    b = [event("repair", "A2", {"symptom": f"b{i}"}, i) for i in range(5)]
    phone(a[:3] + b[:2], "phone-a")
    phone(b + a, "phone-b")  # b re-sends everything, including what a already sent
    statuses, _ = phone(a[3:] + b[2:], "phone-a")
    assert statuses == ["duplicate"] * 5
    assert n_events() == 2 + 10


def test_transfer_of_an_asset_disposed_meanwhile_is_a_conflict(phone, app):
    asset = make_asset(tag="A1")
    make_location("LAB")
    seen = asset.version
    manager = make_user(Role.MANAGER)
    from app.assets import service
    service.record("A1", "retire", {"reason": "broken"}, actor=manager)
    service.record("A1", "dispose", {"method": "recycling"}, actor=manager)
    db.session.commit()
    statuses, results = phone([event("transfer", "A1", {"to_location": "LAB"}, 1, seen)])
    assert statuses == ["conflict"] and "disposed" in results[0]["reason"]


def test_malformed_events_are_rejected_while_the_rest_apply(phone):
    make_asset(tag="A1")
    good = event("repair", "A1", {"symptom": "ok"}, 1)
    batch = [
        event("teleport", "A1", {}),
        event("repair", "NO-SUCH", {"symptom": "x"}),
        {**event("repair", "A1", {"symptom": "x"}), "id": "not-a-uuid"},
        event("repair", "A1", {"symptom": "x"}, occurred_at="2099-01-01T00:00:00Z"),
        event("repair", "A1", {"symptom": "x", "note": "y" * (2 * 1024 * 1024)}),
        {**event("repair", "A1", {"symptom": "x"}), "occurred_at": "yesterday"},
        {**event("repair", "A1", {"symptom": "x"}), "base_version": "seven"},
        "not an object",
        {**event("repair", "A1", {"symptom": "x"}), "type": {"name": "repair"}},
        {**event("repair", "A1", {"symptom": "x"}), "type": ["repair"]},
        event("stocktake_scan", "A1", {"stocktake": 10**30}),  # beyond any database integer
        event("repair", "A1", {"symptom": "x\x00"}),  # PostgreSQL stores no NUL
        good,
    ]
    statuses, results = phone(batch)
    assert statuses == ["rejected"] * 12 + ["applied"]
    assert all(r["reason"] for r in results[:12]) and "NUL" in results[11]["reason"]
    assert "unknown event type" in results[0]["reason"].lower()
    assert "NO-SUCH" in results[1]["reason"] and "limit" in results[4]["reason"]


@pytest.mark.parametrize(("body", "status"), [
    ({"events": []}, 422), ({"device_id": "x", "events": "nope"}, 422),
    ({"device_id": "x", "events": [{}] * 1001}, 422)])
def test_bad_batches_are_refused_whole(app, body, status):
    token = make_token(make_user(Role.TECHNICIAN))
    reply = app.test_client().post("/api/v1/sync", json=body,
                                   headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == status and reply.json["error"]["message"]


def test_auditors_cannot_sync(app):
    token = make_token(make_user(Role.AUDITOR))
    reply = app.test_client().post("/api/v1/sync", json={"device_id": "x", "events": []},
                                   headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 403


def test_a_devices_own_offline_events_do_not_conflict_with_each_other(phone):
    asset = make_asset(tag="A1")
    make_location("LAB"), make_location("STORE"), make_person("P1")
    seen = asset.version  # everything below was made offline, against this version
    batch = [event("check_out", "A1", {"assignee": "P1"}, 1, seen),
             event("transfer", "A1", {"to_location": "LAB"}, 2, seen),
             event("check_in", "A1", {"location": "STORE"}, 3, seen)]
    assert phone(batch)[0] == ["applied", "applied", "applied"]


def test_another_devices_change_still_conflicts(phone):
    asset = make_asset(tag="A1")
    make_person("P1"), make_person("P2")
    seen = asset.version
    assert phone([event("check_out", "A1", {"assignee": "P1"}, 1, seen)], "phone-a")[0] == \
        ["applied"]
    assert phone([event("check_out", "A1", {"assignee": "P2"}, 2, seen)], "phone-b")[0] == \
        ["conflict"]


def test_catalog_downloads_in_pages_and_then_by_delta(app, phone):
    make_person("P9", name="Ada")
    for i in range(5):
        make_asset(tag=f"C{i}", location=make_location(f"R{i}").code)
    token = make_token(make_user(Role.AUDITOR))
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/sync/catalog?limit=3", headers=headers).json
    assert [a["tag"] for a in first["assets"]] == ["C0", "C1", "C2"] and first["next"]
    assert {"P9"} <= {p["code"] for p in first["people"]} and len(first["locations"]) == 5
    rest = client.get(f"/api/v1/sync/catalog?limit=3&after={first['next']}",
                      headers=headers).json
    assert [a["tag"] for a in rest["assets"]] == ["C3", "C4"] and rest["next"] is None
    assert "people" not in rest
    since = rest["server_time"]
    phone([event("repair", "C3", {"symptom": "dent"})])
    delta = client.get(f"/api/v1/sync/catalog?since={since}", headers=headers).json
    assert "C3" in [a["tag"] for a in delta["assets"]]
    assert client.get("/api/v1/sync/catalog?after=bogus", headers=headers).status_code == 422


def test_a_technician_retires_and_requests_a_replacement_in_one_step(phone):
    make_asset(tag="A1", name="Label printer")
    retire = event("retire", "A1", {"reason": "beyond repair"}, 1)
    request = event("request", "REQ-1A2B3C", {"name": "Replacement for A1",
                                              "notes": "A1 retired: beyond repair"}, 2)
    assert phone([retire, request])[0] == ["applied", "applied"]
    db.session.expire_all()
    new = db.session.scalar(sa.select(Asset).where(Asset.tag == "REQ-1A2B3C"))
    assert (new.status, new.name) == ("requested", "Replacement for A1")
    sneaky = event("request", "REQ-2", {"name": "Laptop", "status": "deployed"}, 3)
    assert phone([sneaky])[0] == ["applied"]  # a request is only ever a request
    db.session.expire_all()
    assert db.session.scalar(sa.select(Asset.status).where(Asset.tag == "REQ-2")) == "requested"


def test_an_id_is_one_event_whichever_way_it_is_written(phone):
    make_asset(tag="A1")
    first = event("repair", "A1", {"symptom": "fan"}, 1)
    upper = first["id"].upper()
    forms = [upper, upper.replace("-", ""), "{" + upper + "}", "urn:uuid:" + first["id"]]
    statuses, results = phone([first] + [{**first, "id": form} for form in forms])
    assert statuses == ["applied"] + ["duplicate"] * 4
    assert [r["id"] for r in results] == [first["id"], *forms]  # as each was sent
    assert n_events() == 2


def test_an_id_used_before_by_another_event_is_refused_not_called_a_duplicate(app, phone):
    make_asset(tag="A1"), make_asset(tag="A2")
    first = event("repair", "A1", {"symptom": "fan"}, 1)
    assert phone([first])[0] == ["applied"]
    other_type = {**first, "type": "mark_lost", "data": {}}
    other_asset = {**first, "asset": "A2"}
    statuses, results = phone([other_type, other_asset, first])
    assert statuses == ["rejected", "rejected", "duplicate"]
    assert [r["code"] for r in results[:2]] == ["id_reused", "id_reused"]
    someone_else = make_token(make_user(Role.TECHNICIAN))
    reply = app.test_client().post("/api/v1/sync", json={"device_id": "p", "events": [first]},
                                   headers={"Authorization": f"Bearer {someone_else}"})
    assert reply.json["results"][0]["status"] == "rejected"
    assert reply.json["results"][0]["details"] == {"differs": ["actor"]}
    assert n_events() == 3  # two creations and the first repair


def nested(depth):
    value = "deep"
    for _ in range(depth):
        value = {"inner": value}
    return value


def test_odd_but_well_formed_json_rejects_only_its_own_event(phone):
    make_asset(tag="A1")
    odd = [
        event("repair", "A1", {"symptom": "half a pair \ud800"}),
        {**event("repair", "A1", {"symptom": "x"}), "occurred_at": "0001-01-01T00:00:00+01:00"},
        {**event("repair", "A1", {"symptom": "x"}), "occurred_at": "9999-12-31T23:59:59-01:00"},
        {**event("repair", "A1", {"symptom": "x"}), "occurred_at": "1066-10-14T09:00:00Z"},
        event("repair", "A1", {"symptom": "x", "extra": nested(200)}),
        event("repair", "A1", {"symptom": "x", "cost": float("nan")}),
        event("repair", "A1", {"symptom": "x", "minutes": float("inf")}),
        event("repair", "A1", {"symptom": "x", "extra": 10**30}),
        event("create", "", {"tag": "N1", "name": "x"}, base_version=2**70),
        {**event("repair", "A1", {"symptom": "x"}), "asset": 10**30},
        {**event("repair", "A1", {"symptom": "x"}), "id": "\ud800"},
    ]
    good = event("repair", "A1", {"symptom": "fine"}, 1)
    statuses, results = phone(odd + [good])
    assert statuses == ["rejected"] * len(odd) + ["applied"], results
    assert all(r["reason"] for r in results[:-1])
    assert "surrogate" in results[0]["reason"] and "nested" in results[4]["reason"]
    assert "NaN" in results[5]["reason"] and "1900" in results[1]["reason"]
    assert results[-2]["id"] == ""  # an id that is not text cannot be echoed


DEEP = b"[" * 100_000 + b"]" * 100_000  # past what the JSON parser itself will read


@pytest.mark.parametrize(("url", "raw"), [
    ("/api/v1/sync", b'{"device_id": "p", "events": [], "x": ' + DEEP + b"}"),
    ("/api/v1/assets", b'{"tag": "A9", "name": "x", "notes": ' + DEEP + b"}"),
    ("/api/v1/assets", b'{"tag": "A9", "name": "x", "purchase_cost": NaN}'),
    ("/api/v1/assets", b'{"tag": "A9", "name": "\\ud800"}'),
    ("/api/v1/locations", b'{"code": "L9", "name": "x", "extra": 1e999}')])
def test_a_body_that_cannot_be_taken_is_a_400_not_a_500(app, url, raw):
    token = make_token(make_user(Role.ADMIN))
    reply = app.test_client().post(url, data=raw, content_type="application/json",
                                   headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 400 and reply.json["error"]["message"], reply.json
    assert n_events() == 0


def test_the_catalogue_tells_the_phone_each_event_type_in_its_forms_order(app):
    token = make_token(make_user(Role.TECHNICIAN))
    reply = app.test_client().get("/api/v1/sync/catalog",
                                  headers={"Authorization": f"Bearer {token}"})
    kinds = reply.json["event_types"]
    assert "resolve_conflict" not in kinds  # made on its own page, never from a device
    assert list(kinds["repair"]["fields"]) == ["symptom", "work_done", "parts", "cost",
                                               "minutes", "status", "note"]
    assert kinds["repair"]["to"] is None and kinds["repair"]["to_by"] == {
        "field": "status", "cases": {"open": "in_repair", "closed": "in_stock"},
        "only_from": {"closed": {"statuses": ["in_repair"], "refusal":
                                 "{tag} is not in repair, so there is no repair to close."}}}
    assert kinds["check_out"]["to"] == "deployed"
    assert kinds["check_out"]["fields"]["assignee"] == {
        "kind": "person", "required": True, "label": "Person", "sets": "custody",
        "unknown": "There is no person with the code or e-mail {value!r}.",
        "missing": "assignee: Missing data for required field."}
    assert kinds["check_out"]["not_from"] == "An asset that is {status} cannot be checked out."
    assert kinds["transfer"]["fields"]["to_location"]["unknown"] == (
        "There is no location with the code {value!r}.")
    assert kinds["dispose"]["refused_when"] == {
        "unwiped_data": "{tag} holds data: wipe it first (a verified wipe), then dispose of it."}
    assert kinds["wipe"]["fields"]["verified"]["clears"] == "unwiped_data"
    assert [s[0] for s in kinds["wipe"]["signatures"]] == ["operator", "witness"]
    assert kinds["wipe"]["fields"]["witness"]["required"] is True  # WITNESS_REQUIRED
    assert kinds["wipe"]["fields"]["witness"]["missing"] == "A wipe needs a witness."


def test_the_phone_refuses_what_the_pipeline_would_with_the_same_words(app, phone):
    """The templates the catalogue serves, filled in as the phone fills them, are the
    pipeline's own refusals of the same events."""
    from app.catalog.service import create_category
    make_location("STORE", "Store"), make_person("P1", name="Olga Novak")
    disk = create_category(name="Laptops", holds_data=True)
    make_asset(tag="A1", name="Laptop", location="STORE", category=disk.name)
    make_asset(tag="A2", name="Chair", location="STORE")
    token = make_token(make_user(Role.TECHNICIAN))
    catalogue = app.test_client().get("/api/v1/sync/catalog",
                                      headers={"Authorization": f"Bearer {token}"}).json
    kinds = catalogue["event_types"]
    flags = {a["tag"]: a["unwiped_data"] for a in catalogue["assets"]}
    assert flags == {"A1": True, "A2": False}
    _, results = phone([event("check_out", "A1", {}),
                        event("check_out", "A1", {"assignee": "Tom Berg"}),
                        event("retire", "A1", {"reason": "old"}, 1),
                        event("dispose", "A1", {"method": "recycling"}, 2),
                        event("mark_found", "A2", {})])
    assert [r["reason"] for r in results] == [
        kinds["check_out"]["fields"]["assignee"]["missing"],
        kinds["check_out"]["fields"]["assignee"]["unknown"].replace("{value!r}", "'Tom Berg'"),
        "", kinds["dispose"]["refused_when"]["unwiped_data"].replace("{tag}", "A1"),
        kinds["mark_found"]["not_from"].replace("{status}", "in stock")]


def test_the_offline_register_travels_compressed(app):
    import gzip
    import json
    for n in range(60):
        make_asset(tag=f"Z{n:03d}", name="A laptop with a long enough name to matter")
    token = make_token(make_user(Role.TECHNICIAN))
    reply = app.test_client().get("/api/v1/sync/catalog", headers={
        "Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
    assert reply.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(reply.data)
    assert len(reply.data) < len(body) / 3 and len(json.loads(body)["assets"]) == 60
