"""Resolving conflicts: the manager pages, the phone's JSON, and what each choice leaves behind."""
import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.roles import Role
from app.errors import NotAllowed, ValidationFailed
from app.extensions import db
from app.lifecycle import audit, conflicts
from app.lifecycle.models import Conflict, ConflictStatus, Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.lifecycle.states import AssetStatus
from tests.factories import make_asset, make_location, make_person, make_user


@pytest.fixture
def manager(app):
    return make_user(Role.MANAGER)


def client(app, user):
    return app.test_client(user=user)


def apply(actor, event_type, tag, data, **kw):
    outcome = apply_event(EventIn(event_type, tag, data, **kw), actor=actor)
    db.session.commit()
    return outcome


def checkout_conflict(tech=None, tag="A1") -> Conflict:
    """Two check-outs made against the same version: to P1 (applied), then to P2 (conflict)."""
    tech = tech or make_user(Role.TECHNICIAN)
    asset = make_asset(tag=tag)
    for code in ("P1", "P2"):
        if not db.session.scalar(sa.text("SELECT 1 FROM person WHERE code = :c"), {"c": code}):
            make_person(code, name=f"Person {code}")
    seen = asset.version
    assert apply(make_user(Role.TECHNICIAN), "check_out", tag, {"assignee": "P1"},
                 base_version=seen).status == "applied"
    late = apply(tech, "check_out", tag, {"assignee": "P2"}, base_version=seen, device="phone-7")
    assert late.status == "conflict"
    return db.session.scalar(sa.select(Conflict).where(Conflict.event_id == late.id))


def disposed_transfer_conflict() -> Conflict:
    asset = make_asset(tag="D1")
    make_location("LAB")
    seen, office = asset.version, make_user(Role.MANAGER)
    apply(office, "retire", "D1", {"reason": "old"})
    apply(office, "dispose", "D1", {"method": "recycling"})
    late = apply(make_user(Role.TECHNICIAN), "transfer", "D1", {"to_location": "LAB"},
                 base_version=seen, device="phone-7")
    assert late.status == "conflict"
    return db.session.scalar(sa.select(Conflict).where(Conflict.event_id == late.id))


def asset(tag):
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def events(tag, event_type, outcome="applied"):
    return db.session.scalars(sa.select(Event).join(Asset).where(
        Asset.tag == tag, Event.type == event_type, Event.outcome == outcome)
        .order_by(Event.seq)).all()


def test_open_conflict_shows_both_sides_on_the_page(app, manager):
    conflict = checkout_conflict()
    page = client(app, manager).get("/admin/conflicts/")
    html = page.get_data(as_text=True)
    card = html[html.index(f'id="conflict-{conflict.id}"'):]
    assert page.status_code == 200 and "A1" in card
    assert "The device tried" in card and "assignee: P2" in card and "phone-7" in card
    assert "What happened since" in card and "assignee: P1" in card
    assert 'value="keep_current"' in card and 'value="apply_theirs"' in card
    assert conflicts.open_count() == 1


def test_conflicts_api_lists_both_sides(app, manager):
    conflict = checkout_conflict()
    reply = client(app, manager).get("/api/v1/conflicts?device=phone-7")
    [item] = reply.json["items"]
    assert item["id"] == conflict.id and item["event_id"] == conflict.event_id
    assert (item["asset"], item["type"], item["data"], item["status"]) == (
        "A1", "check_out", {"assignee": "P2"}, "open")
    assert [a["data"]["assignee"] for a in item["against"]] == ["P1"]
    assert set(item["against"][0]) >= {"id", "type", "data", "occurred_at", "actor"}
    assert client(app, manager).get("/api/v1/conflicts?device=other").json["items"] == []


def test_what_happened_since_is_listed_in_the_order_it_happened(app, manager):
    make_asset(tag="A1")
    for code in ("L1", "L2", "L3", "L4"):
        make_location(code)
    office = make_user(Role.MANAGER)
    # Ids that sort the other way round from the order the transfers were applied in.
    for n, place in ((9, "L1"), (5, "L2"), (1, "L3")):
        apply(office, "transfer", "A1", {"to_location": place},
              id=f"{n}0000000-0000-4000-8000-000000000000")
    late = apply(make_user(Role.TECHNICIAN), "transfer", "A1", {"to_location": "L4"},
                 base_version=1, device="phone-7")
    assert late.status == "conflict"
    [item] = client(app, manager).get("/api/v1/conflicts").json["items"]
    assert [a["data"]["to_location"] for a in item["against"]] == ["L1", "L2", "L3"]
    page = client(app, manager).get("/admin/conflicts/").get_data(as_text=True)
    assert page.index("to location: L1") < page.index("to location: L2") < page.index(
        "to location: L3")


def test_keep_current_resolves_and_leaves_the_asset_as_it_is(app, manager):
    conflict = checkout_conflict()
    stored = db.session.get(Event, conflict.event.seq)
    before = (stored.hash, stored.outcome, dict(stored.data))
    reply = client(app, manager).post(f"/admin/conflicts/{conflict.id}/resolve",
                                      data={"choice": "keep_current", "note": "P1 has it"},
                                      follow_redirects=True)
    assert "resolved" in reply.get_data(as_text=True)
    db.session.expire_all()
    assert conflict.status is ConflictStatus.RESOLVED
    assert conflict.resolved_by_id == manager.id and conflict.resolved_at is not None
    assert "keep_current" in conflict.resolution and "P1 has it" in conflict.resolution
    assert asset("A1").assignee.code == "P1"
    [decision] = events("A1", "resolve_conflict")
    assert decision.data["conflict"] == conflict.event_id
    assert decision.data["choice"] == "keep_current" and decision.actor_id == manager.id
    stored = db.session.get(Event, conflict.event.seq)
    assert (stored.hash, stored.outcome, stored.data) == before
    assert audit.verify().ok and conflicts.open_count() == 0
    history = client(app, manager).get("/admin/assets/A1").get_data(as_text=True)
    assert "resolve conflict" in history


def test_apply_theirs_applies_the_device_change_as_a_new_event(app, manager):
    conflict = checkout_conflict()
    reply = client(app, manager).post(f"/api/v1/conflicts/{conflict.id}/resolve",
                                      json={"choice": "apply_theirs"})
    assert reply.status_code == 200, reply.json
    assert reply.json["status"] == "resolved" and "apply_theirs" in reply.json["resolution"]
    assert asset("A1").assignee.code == "P2"
    [_, redo] = events("A1", "check_out")
    [decision] = events("A1", "resolve_conflict")
    assert redo.data["resolves"] == conflict.event_id and redo.actor_id == manager.id
    assert decision.data["applied"] == redo.id and decision.seq > redo.seq
    assert audit.verify().ok


def test_apply_theirs_refused_when_the_asset_was_disposed_keeps_it_open(app, manager):
    conflict = disposed_transfer_conflict()
    page = client(app, manager).post(f"/admin/conflicts/{conflict.id}/resolve",
                                     data={"choice": "apply_theirs"}, follow_redirects=True)
    assert "not resolved" in page.get_data(as_text=True)
    assert "disposed" in page.get_data(as_text=True)
    api = client(app, manager).post(f"/api/v1/conflicts/{conflict.id}/resolve",
                                    json={"choice": "apply_theirs"})
    assert api.status_code == 409 and api.json["error"]["code"] == "not_applied"
    assert "disposed" in api.json["error"]["message"]
    db.session.expire_all()
    assert conflict.status is ConflictStatus.OPEN
    assert asset("D1").status is AssetStatus.DISPOSED
    assert events("D1", "resolve_conflict") == [] and events("D1", "transfer") == []
    keep = client(app, manager).post(f"/api/v1/conflicts/{conflict.id}/resolve",
                                     json={"choice": "keep_current"})
    assert keep.status_code == 200 and keep.json["status"] == "resolved"


def test_resolving_twice_is_refused(app, manager):
    conflict = checkout_conflict()
    url = f"/api/v1/conflicts/{conflict.id}/resolve"
    assert client(app, manager).post(url, json={"choice": "keep_current"}).status_code == 200
    again = client(app, manager).post(url, json={"choice": "apply_theirs"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_resolved"
    assert asset("A1").assignee.code == "P1" and len(events("A1", "resolve_conflict")) == 1


def test_a_bad_choice_is_refused(app, manager):
    conflict = checkout_conflict()
    reply = client(app, manager).post(f"/api/v1/conflicts/{conflict.id}/resolve",
                                      json={"choice": "flip_a_coin"})
    assert reply.status_code == 422 and "choice" in reply.json["error"]["message"]
    assert client(app, manager).post(f"/api/v1/conflicts/{conflict.id + 99}/resolve",
                                     json={"choice": "keep_current"}).status_code == 404
    with pytest.raises(ValidationFailed):
        conflicts.resolve(conflict, choice="flip_a_coin", actor=manager)


def test_technicians_list_their_own_conflicts_but_cannot_resolve(app):
    mine, theirs = make_user(Role.TECHNICIAN), make_user(Role.TECHNICIAN)
    own = checkout_conflict(mine, "A1")
    checkout_conflict(theirs, "A2")
    tech = client(app, mine)
    listed = tech.get("/api/v1/conflicts?status=all").json["items"]
    assert [item["id"] for item in listed] == [own.id]
    assert tech.get("/admin/conflicts/").status_code == 200
    assert tech.post(f"/api/v1/conflicts/{own.id}/resolve",
                     json={"choice": "keep_current"}).status_code == 403
    assert tech.post(f"/admin/conflicts/{own.id}/resolve",
                     data={"choice": "keep_current"}).status_code == 403
    with pytest.raises(NotAllowed):
        conflicts.resolve(own, choice="keep_current", actor=mine)
    assert conflicts.open_count() == 2 and conflicts.open_count(mine) == 1


def test_auditors_see_everything_but_cannot_resolve(app):
    conflict = checkout_conflict()
    auditor = client(app, make_user(Role.AUDITOR))
    page = auditor.get("/admin/conflicts/").get_data(as_text=True)
    assert "assignee: P2" in page and 'value="keep_current"' not in page
    assert [i["id"] for i in auditor.get("/api/v1/conflicts").json["items"]] == [conflict.id]
    assert auditor.post(f"/admin/conflicts/{conflict.id}/resolve",
                        data={"choice": "keep_current"}).status_code == 403
    assert auditor.post(f"/api/v1/conflicts/{conflict.id}/resolve",
                        json={"choice": "keep_current"}).status_code == 403


def test_resolved_filter(app, manager):
    conflict = checkout_conflict()
    conflicts.resolve(conflict, choice="keep_current", actor=manager, note="checked")
    db.session.commit()
    web = client(app, manager)
    assert "assignee: P2" not in web.get("/admin/conflicts/").get_data(as_text=True)
    resolved = web.get("/admin/conflicts/?status=resolved").get_data(as_text=True)
    assert "assignee: P2" in resolved and "keep_current: checked" in resolved
    api = web.get("/api/v1/conflicts?status=resolved").json["items"]
    assert [i["status"] for i in api] == ["resolved"]
    assert web.get("/api/v1/conflicts?status=maybe").status_code == 422


def test_a_resolve_conflict_event_needs_a_real_open_conflict(app, manager):
    conflict = checkout_conflict()
    bogus = apply(manager, "resolve_conflict", "A1",
                  {"conflict": "no-such-event", "choice": "keep_current"})
    assert bogus.status == "rejected" and bogus.code == "invalid"
    conflicts.resolve(conflict, choice="keep_current", actor=manager)
    db.session.commit()
    again = apply(manager, "resolve_conflict", "A1",
                  {"conflict": conflict.event_id, "choice": "keep_current"})
    assert again.status == "rejected" and again.code == "duplicate"
