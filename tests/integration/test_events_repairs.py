"""Repairs: logged, opened (to repair) and closed (back to stock); the state machine reads which
from the event's data."""
import pytest

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from tests.factories import make_asset, make_person, make_user


def apply(tag, data):
    outcome = apply_event(EventIn("repair", tag, data), actor=make_user(Role.TECHNICIAN))
    db.session.commit()
    return outcome


def status(tag) -> str:
    db.session.expire_all()
    return str(db.session.scalar(db.select(Asset.status).where(Asset.tag == tag)))


@pytest.fixture
def asset(app):
    make_person("P1")
    asset = make_asset(tag="A1")
    apply_event(EventIn("check_out", "A1", {"assignee": "P1"}), actor=make_user())
    db.session.commit()
    return asset


def test_closing_a_repair_of_an_asset_not_in_repair_is_refused(asset):
    outcome = apply("A1", {"symptom": "fan", "status": "closed", "work_done": "cleaned"})
    assert outcome.code == "invalid_transition" and "not in repair" in outcome.reason
    assert status("A1") == "deployed"
    db.session.expire_all()
    assert db.session.scalar(db.select(Asset).where(Asset.tag == "A1")).assignee is not None


def test_open_then_close(asset):
    assert apply("A1", {"symptom": "fan", "status": "open"}).status == "applied"
    assert status("A1") == "in_repair"
    closed = apply("A1", {"symptom": "fan", "status": "closed", "cost": "12.5", "minutes": 30})
    assert closed.event.data["cost"] == "12.50" and closed.event.data["effects"] == {
        "custody": None, "status": "in_stock"}
    assert status("A1") == "in_stock"


def test_a_repair_only_logged_leaves_the_status(asset):
    assert apply("A1", {"symptom": "squeak"}).event.data["effects"] == {}
    assert status("A1") == "deployed"


@pytest.mark.parametrize("data", [{}, {"symptom": ""}, {"symptom": "x", "status": "maybe"},
                                  {"symptom": "x", "cost": "-1"}, {"symptom": "x", "minutes": -5}])
def test_a_malformed_repair_is_refused(asset, data):
    assert apply("A1", data).code == "invalid"
