"""Movements: receive, check in and out, transfer, lost and found; what each sets and refuses."""
import pytest

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from tests.factories import make_asset, make_location, make_person, make_user


def apply(event_type, tag, data=None, **kw):
    outcome = apply_event(EventIn(event_type, tag, data or {}, **kw),
                          actor=make_user(Role.TECHNICIAN))
    db.session.commit()
    return outcome


def current(tag) -> Asset:
    db.session.expire_all()
    return db.session.scalar(db.select(Asset).where(Asset.tag == tag))


@pytest.fixture
def asset(app):
    make_location("STORE"), make_location("LAB"), make_person("P1", email="p1@example.org")
    return make_asset(tag="A1", location="STORE")


def test_a_transfer_to_where_it_already_is_is_refused(asset):
    outcome = apply("transfer", "A1", {"to_location": "STORE"})
    assert outcome.status == "rejected" and "already at" in outcome.reason
    assert current("A1").version == 1


def test_a_transfer_records_where_it_came_from(asset):
    outcome = apply("transfer", "A1", {"to_location": "LAB"})
    assert outcome.event.data["from_location"] == "STORE"
    assert current("A1").location.code == "LAB"


def test_check_out_by_email_records_the_persons_code_and_check_in_releases_it(asset):
    out = apply("check_out", "A1", {"assignee": "P1@EXAMPLE.ORG", "location": "LAB"})
    assert out.event.data["assignee"] == "P1"
    assert out.event.data["effects"] == {"custody": "P1", "location": "LAB", "status": "deployed"}
    back = apply("check_in", "A1", {"location": "STORE"})
    assert back.event.data["effects"]["custody"] is None
    assert (current("A1").assignee, current("A1").status) == (None, "in_stock")


@pytest.mark.parametrize(("event_type", "data", "field"), [
    ("check_out", {"assignee": "NOBODY"}, "assignee"), ("check_in", {"location": "NOWHERE"},
                                                        "location"),
    ("transfer", {"to_location": "NOWHERE"}, "to_location"), ("check_out", {}, "assignee")])
def test_unknown_or_missing_references_are_refused_naming_the_field(asset, event_type, data,
                                                                    field):
    outcome = apply(event_type, "A1", data)
    assert outcome.status == "rejected" and field in str(outcome.details), outcome.details


def test_lost_then_found_somewhere_else(asset):
    apply("check_out", "A1", {"assignee": "P1"})
    assert apply("mark_lost", "A1").status == "applied"
    assert current("A1").assignee is not None  # still on their books until it turns up
    found = apply("mark_found", "A1", {"location": "LAB"})
    assert found.event.data["effects"] == {"custody": None, "location": "LAB",
                                           "status": "in_stock"}


def test_receive_needs_an_ordered_asset(app):
    make_location("DOCK")
    make_asset(tag="A2", status="ordered", location=None)
    assert apply("receive", "A2", {"location": "DOCK"}).status == "applied"
    assert apply("receive", "A2", {"location": "DOCK"}).code == "invalid_transition"
