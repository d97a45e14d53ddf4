"""The one event pipeline: idempotency, conflicts, atomicity and the audit chain."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Conflict, Event
from app.lifecycle.pipeline import EventIn, apply_batch, apply_event
from app.lifecycle.states import AssetStatus
from app.timeutil import utcnow
from tests.factories import make_asset, make_location, make_person, make_user


@pytest.fixture
def tech(app):
    return make_user(Role.TECHNICIAN)


def apply(actor, event_type, tag, data=None, **kw):
    outcome = apply_event(EventIn(event_type, tag, data or {}, **kw), actor=actor)
    db.session.commit()
    return outcome


def reload(asset):
    db.session.expire_all()
    return db.session.get(Asset, asset.id)


def event_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_check_out_changes_asset_and_writes_one_chained_event(tech):
    asset, person = make_asset(), make_person("P1")
    outcome = apply(tech, "check_out", asset.tag, {"assignee": "P1"})
    asset = reload(asset)
    assert outcome.status == "applied"
    assert (asset.status, asset.assignee_id, asset.version) == (AssetStatus.DEPLOYED, person.id, 2)
    assert outcome.event.version == 2 and outcome.event.hash == audit.event_hash(outcome.event)
    assert outcome.event.data["effects"] == {"custody": "P1", "status": "deployed"}


def test_repeated_event_id_returns_first_outcome_and_changes_nothing(tech):
    asset = make_asset()
    make_person("P1"), make_person("P2")
    event_id = str(uuid.uuid4())
    first = apply(tech, "check_out", asset.tag, {"assignee": "P1"}, id=event_id)
    before = (reload(asset).version, event_count())
    again = apply(tech, "check_out", asset.tag, {"assignee": "P2"}, id=event_id)
    assert first.status == "applied"
    assert again.status == "duplicate" and again.details == {"outcome": "applied"}
    assert (reload(asset).version, event_count()) == before
    assert reload(asset).assignee.code == "P1"


def test_stale_contradicting_check_out_becomes_a_conflict(tech):
    asset = make_asset()
    make_person("P1"), make_person("P2")
    seen = asset.version
    winner = apply(make_user(Role.MANAGER), "check_out", asset.tag, {"assignee": "P1"},
                   base_version=seen)
    late = apply(tech, "check_out", asset.tag, {"assignee": "P2"}, base_version=seen)
    asset = reload(asset)
    assert late.status == "conflict"
    assert asset.assignee.code == "P1" and asset.version == 2
    conflict = db.session.scalar(sa.select(Conflict))
    assert conflict.event_id == late.id and conflict.against == [winner.id]
    assert db.session.get(Event, late.event.seq).outcome == "conflict"


def test_stale_commuting_event_still_applies(tech):
    asset, lab = make_asset(), make_location("LAB")
    seen = asset.version
    apply(make_user(Role.MANAGER), "transfer", asset.tag, {"to_location": "LAB"}, base_version=seen)
    repair = apply(tech, "repair", asset.tag, {"symptom": "Loose hinge"}, base_version=seen)
    asset = reload(asset)
    assert repair.status == "applied"
    assert asset.location_id == lab.id and asset.version == 3


def test_transfer_of_asset_disposed_meanwhile_is_a_conflict(tech):
    asset = make_asset()
    make_location("LAB")
    seen = asset.version
    manager = make_user(Role.MANAGER)
    for event_type, data in [("retire", {"reason": "old"}),
                             ("dispose", {"method": "recycling"})]:
        assert apply(manager, event_type, asset.tag, data).status == "applied"
    late = apply(tech, "transfer", asset.tag, {"to_location": "LAB"}, base_version=seen)
    assert late.status == "conflict" and "disposed" in late.reason
    assert reload(asset).status is AssetStatus.DISPOSED


def test_refused_transition_on_current_version_is_rejected_and_not_stored(tech):
    asset = make_asset()
    count = event_count()
    outcome = apply(tech, "dispose", asset.tag, {"method": "recycling"},
                    base_version=asset.version)
    assert outcome.status == "rejected" and outcome.code == "invalid_transition"
    assert event_count() == count and reload(asset).status is AssetStatus.IN_STOCK


def test_event_failing_midway_leaves_nothing_written(tech):
    asset = make_asset()
    make_person("P1")
    count = event_count()
    # The assignee is set before the unknown location is found: all of it must go.
    outcome = apply(tech, "check_out", asset.tag, {"assignee": "P1", "location": "NOWHERE"})
    asset = reload(asset)
    assert outcome.status == "rejected" and "NOWHERE" in outcome.reason
    assert (asset.assignee_id, asset.version, event_count()) == (None, 1, count)


def test_crash_after_changes_rolls_everything_back(tech, monkeypatch):
    asset = make_asset()
    make_person("P1")
    count = event_count()

    def crash(event, head):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit, "append", crash)
    with pytest.raises(RuntimeError):
        apply_event(EventIn("check_out", asset.tag, {"assignee": "P1"}), actor=tech)
    db.session.rollback()
    asset = reload(asset)
    assert (asset.status, asset.version, event_count()) == (AssetStatus.IN_STOCK, 1, count)


def test_one_bad_event_does_not_block_the_rest_of_a_batch(tech):
    asset = make_asset()
    make_person("P1")
    batch = [EventIn("repair", asset.tag, {"symptom": "fan noise"}),
             EventIn("teleport", asset.tag, {}),
             EventIn("check_out", "NO-SUCH-TAG", {"assignee": "P1"}),
             EventIn("check_out", asset.tag, {"assignee": "P1"})]
    results = [apply_event(e, actor=tech).status for e in batch]
    db.session.commit()
    assert results == ["applied", "rejected", "rejected", "applied"]
    assert reload(asset).version == 3


def _mixed_batch(prefix: str) -> list[EventIn]:
    """Every path a batch can take, on assets of its own: in-memory and savepoint events, a
    refusal after a field was already set, a duplicate id, a new asset used at once, a stale
    contradiction (another device), a code attached, a refused transition."""
    for n in (1, 2):
        make_asset(tag=f"{prefix}-{n}", location="SHOP")
    t1, t2, t3 = (f"{prefix}-{n}" for n in (1, 2, 3))
    repeated = str(uuid.uuid4())
    return [EventIn("transfer", t1, {"to_location": "LAB"}),
            EventIn("check_out", t1, {"assignee": "P1"}, id=repeated),
            EventIn("check_out", t1, {"assignee": "P2"}, id=repeated),
            EventIn("check_out", t1, {"assignee": "P2", "location": "NOWHERE"}),
            EventIn("create", t3, {"name": "Dock", "location": "LAB"}),
            EventIn("transfer", t3, {"to_location": "SHOP"}),
            EventIn("check_out", t2, {"assignee": "P1"}, device="phone-a"),
            EventIn("check_out", t2, {"assignee": "P2"}, base_version=1, device="phone-b"),
            EventIn("dispose", t2, {"method": "recycling"}),
            EventIn("attach_code", t1, {"code": f"OLD-{prefix}"}),
            EventIn("repair", t1, {"symptom": "Cracked screen", "status": "open"}),
            EventIn("mark_found", t3, {})]


def _state(prefix: str) -> list[tuple]:
    db.session.expire_all()
    return [(a.status, a.location and a.location.code, a.assignee and a.assignee.code,
             a.version, sorted(c.code.replace(prefix, "") for c in a.codes))
            for a in db.session.scalars(sa.select(Asset).where(Asset.tag.startswith(prefix))
                                        .order_by(Asset.tag))]


def test_a_batch_ends_exactly_as_the_same_events_applied_one_by_one(app):
    manager = make_user(Role.MANAGER)
    make_location("LAB"), make_location("SHOP"), make_person("P1"), make_person("P2")
    db.session.commit()
    alone = [apply_event(e, actor=manager) for e in _mixed_batch("ONE")]
    db.session.commit()
    batched = apply_batch(_mixed_batch("BAT"), actor=manager)
    db.session.commit()
    assert [(o.status, o.code) for o in batched] == [(o.status, o.code) for o in alone] == [
        ("applied", ""), ("applied", ""), ("duplicate", ""), ("rejected", "invalid"),
        ("applied", ""), ("applied", ""), ("applied", ""), ("conflict", "conflict"),
        ("rejected", "invalid_transition"), ("applied", ""), ("applied", ""),
        ("rejected", "invalid_transition")]
    assert _state("BAT") == _state("ONE")
    # The refused check-out had set the assignee before its location failed: undone.
    assert _state("BAT")[0][2] == "P1" and batched[1].event.data["effects"]["custody"] == "P1"
    assert audit.verify().ok


def test_a_batch_repeated_changes_nothing(tech):
    asset = make_asset()
    make_location("LAB")
    events = [EventIn("transfer", asset.tag, {"to_location": "LAB"}),
              EventIn("repair", asset.tag, {"symptom": "Fan noise"})]
    assert [o.status for o in apply_batch(events, actor=tech)] == ["applied", "applied"]
    db.session.commit()
    before = (reload(asset).version, event_count())
    again = apply_batch(events, actor=tech)
    db.session.commit()
    assert [o.status for o in again] == ["duplicate", "duplicate"]
    assert (reload(asset).version, event_count()) == before == (3, before[1])


@pytest.mark.parametrize(("event", "code"), [
    (EventIn("repair", "", {"symptom": "x"}), "invalid"),
    (EventIn("repair", "T", {"symptom": "x"}, id="not-a-uuid"), "invalid"),
    (EventIn("repair", "T", {"symptom": "x"}, occurred_at=utcnow() + timedelta(days=30)),
     "invalid"),
    (EventIn("repair", "T", {"symptom": "x" * 100, "note": "y" * 1_100_000}), "too_large"),
    (EventIn("repair", "T", {"symptom": 12}), "invalid"),
    (EventIn("repair", "T", {"symptom": "x"}, base_version=99), "invalid"),
])
def test_malformed_events_are_rejected_with_a_reason(tech, event, code):
    make_asset(tag="T")
    outcome = apply_event(event, actor=tech)
    assert (outcome.status, outcome.code) == ("rejected", code) and outcome.reason


def test_auditor_cannot_apply_events(app):
    asset = make_asset()
    outcome = apply(make_user(Role.AUDITOR), "mark_lost", asset.tag)
    assert (outcome.status, outcome.code) == ("rejected", "forbidden")


def test_audit_chain_verifies_and_detects_a_changed_row(app, tech):
    asset = make_asset()
    for _ in range(3):
        apply(tech, "repair", asset.tag, {"symptom": "squeak"})
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "4 events" in ok.output
    db.session.execute(sa.text("UPDATE event SET data = :d WHERE seq = 3"),
                       {"d": '{"symptom": "nothing happened"}'})
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "event #3" in broken.output


@pytest.mark.parametrize("column,value", [("actor_id", None), ("occurred_at", "2001-01-01"),
                                          ("type", "dispose"), ("outcome", "conflict"),
                                          ("device", "forged")])
def test_changing_any_stored_column_is_detected(app, tech, column, value):
    asset = make_asset()
    apply(tech, "repair", asset.tag, {"symptom": "squeak"})
    if column == "actor_id":
        value = make_user().id
    db.session.execute(sa.text(f"UPDATE event SET {column} = :v WHERE seq = 2"), {"v": value})
    db.session.commit()
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == 2


def test_removed_rows_are_detected(app, tech):
    asset = make_asset()
    for _ in range(3):
        apply(tech, "repair", asset.tag, {"symptom": "squeak"})
    db.session.execute(sa.text("DELETE FROM event WHERE seq = 4"))
    db.session.commit()
    assert not audit.verify().ok
    db.session.execute(sa.text("DELETE FROM event WHERE seq = 2"))
    db.session.commit()
    assert audit.verify().seq == 2
