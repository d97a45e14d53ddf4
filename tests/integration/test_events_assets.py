"""The register's events: create and request, update, attach a code, approve and order; and
that the event types which touch only their asset add no rows of their own."""
import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.pipeline import EventIn, apply_batch, apply_event
from tests.factories import make_asset, make_location, make_model, make_person, make_user


def apply(event_type, tag, data=None, role=Role.ADMIN):
    outcome = apply_event(EventIn(event_type, tag, data or {}), actor=make_user(role))
    db.session.commit()
    return outcome


@pytest.mark.parametrize(("data", "field"), [({"assignee": "P1"}, "assignee"),
                                             ({"location": "LAB"}, "location")])
def test_update_refuses_what_only_movements_change(app, data, field):
    make_person("P1"), make_location("LAB")
    make_asset(tag="A1")
    outcome = apply("update", "A1", data)
    assert outcome.status == "rejected" and field in outcome.details, outcome.details


def test_update_records_the_category_a_model_brings(app):
    make_asset(tag="A1")
    model = make_model("Latitude 7440", category="Laptops")
    outcome = apply("update", "A1", {"model": model.name})
    assert outcome.event.data["effects"] == {"model": "Latitude 7440", "category": "Laptops"}


def test_create_in_a_status_the_data_names_and_request_as_requested(app):
    make_person("P1")
    assert apply("create", "", {"tag": "N1", "name": "x", "status": "deployed",
                                "assignee": "P1"}).event.asset.status == "deployed"
    assert apply("create", "", {"tag": "N2", "name": "x", "status": "deployed"}).code == "invalid"
    request = apply("request", "", {"tag": "N3", "name": "x"}, role=Role.TECHNICIAN)
    assert request.event.asset.status == "requested"
    assert apply("approve", "N3").status == "applied"
    assert apply("order", "N3").event.asset.status == "ordered"


# A valid event of each type that changes only its asset, for an asset in stock (or as named).
ASSET_ONLY = {"update": {"name": "Renamed"}, "receive": ({"location": "R2"}, "ordered"),
              "check_in": {"location": "R2"}, "check_out": {"assignee": "P1"},
              "transfer": {"to_location": "R2"}, "repair": {"symptom": "fan"},
              "retire": {"reason": "old"}, "mark_lost": {}, "mark_found": ({}, "missing"),
              "approve": ({}, "requested"), "order": ({}, "approved"),
              "stocktake_scan": None, "warranty": None,  # None: its rows come as records
              "readings": {"batch": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "count": 1,
                           "meters": {"hours": 1}, "first": "2026-01-01T00:00:00Z",
                           "last": "2026-01-01T00:00:00Z", "sha256": "0" * 64}}


def row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_every_asset_only_type_is_listed_here():
    assert set(ASSET_ONLY) == {n for n, k in types.REGISTERED.items() if k.asset_only}


@pytest.mark.parametrize("name", sorted(n for n in ASSET_ONLY if ASSET_ONLY[n] is not None))
def test_a_type_that_touches_only_its_asset_adds_no_rows(app, name):
    make_location("R1"), make_location("R2"), make_person("P1")
    data, status = ASSET_ONLY[name] if isinstance(ASSET_ONLY[name], tuple) \
        else (ASSET_ONLY[name], "in_stock")
    asset = make_asset(tag="A1", location="R1", status="in_stock" if status in (
        "missing",) else status)
    if status == "missing":
        apply("mark_lost", "A1")
    before = row_counts()
    [outcome] = apply_batch([EventIn(name, asset.tag, data)], actor=make_user(Role.ADMIN))
    db.session.commit()
    assert outcome.status == "applied", outcome.reason
    after = row_counts()
    assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {
        "event": 1, "user": 1}  # the event, and the actor made for it
