"""Document statuses move only as their transitions tables say, and of two moves at once
only one wins (stock-takes and conflicts here; work orders and orders use the same); a
document's steps are recorded in the audit trail's one chain."""
import uuid

import pytest
import sqlalchemy as sa

from app import documents, trail
from app.auth.roles import Role
from app.errors import Duplicate, InvalidTransition
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.org.models import LocationKind
from app.stocktakes import service
from app.stocktakes.models import STOCKTAKE_TRANSITIONS, Stocktake, StocktakeStatus
from tests.factories import make_asset, make_location, make_user


@pytest.fixture
def stocktake(app):
    site = make_location("SITE", kind=LocationKind.SITE)
    made = service.start(site, actor=make_user(Role.MANAGER))
    db.session.commit()
    return made


def test_a_finished_stocktake_cannot_be_cancelled(stocktake):
    service.finish(stocktake, actor=make_user(Role.MANAGER))
    with pytest.raises(InvalidTransition, match="is finished: it cannot be cancelled"):
        service.cancel(stocktake, actor=make_user(Role.MANAGER))


def test_of_two_moves_at_once_only_one_wins(stocktake):
    manager = make_user(Role.MANAGER)
    assert stocktake.status is StocktakeStatus.OPEN  # what we read
    # Someone else cancels it between our reading it and our finishing it.
    db.session.execute(sa.update(Stocktake).values(status=StocktakeStatus.CANCELLED)
                       .execution_options(synchronize_session=False))
    with pytest.raises(InvalidTransition, match="changed by someone else"):
        service.finish(stocktake, actor=manager)
    db.session.expire_all()
    assert db.session.get(Stocktake, stocktake.id).status is StocktakeStatus.CANCELLED


def test_final_statuses_go_nowhere():
    assert set(STOCKTAKE_TRANSITIONS) == {StocktakeStatus.OPEN}


@pytest.fixture
def steps(monkeypatch):
    """Two document steps of a test's own, as a domain lists its steps in app/events.py."""
    monkeypatch.setitem(documents.STEP_TYPES, "thing_raised", "Thing raised")
    monkeypatch.setitem(documents.STEP_TYPES, "thing_approved", "Thing approved")


def test_a_documents_steps_are_in_the_chain_and_checked(app, steps, login):
    manager = make_user(Role.MANAGER)
    make_asset(tag="A1")  # an asset's events and a document's steps share the one chain
    first = documents.record("thing_raised", "TH-2026-000001", {"amount": "10.00"},
                             actor=manager)
    documents.record("thing_approved", "TH-2026-000001", {"comment": "ok"}, actor=manager)
    db.session.commit()
    assert [s.type for s in documents.steps("TH-2026-000001")] == ["thing_raised",
                                                                   "thing_approved"]
    assert (first.asset_id, first.version) == (None, 0) and first.seq == 2
    assert trail.check().ok  # the chain, and every asset against its events
    page = login(Role.AUDITOR).get("/admin/audit/?asset=th-2026-000001").get_data(
        as_text=True)
    assert "2 events" in page and "thing approved" in page and "TH-2026-000001" in page
    assert "1 events" in login(Role.AUDITOR).get(
        "/admin/audit/?type=thing_raised").get_data(as_text=True)

    # Whoever rewrites which document a step belongs to is found out.
    db.session.execute(sa.update(Event).where(Event.id == first.id)
                       .values(document="TH-2026-000999"))
    verdict = audit.verify()
    assert not verdict.ok and f"event #{first.seq}" in verdict.problem


def test_a_step_sent_again_is_recorded_once(app, steps):
    manager, other = make_user(Role.MANAGER), make_user(Role.MANAGER)
    ident = str(uuid.uuid4())
    first = documents.record("thing_raised", "TH-1", {}, actor=manager, id=ident)
    assert documents.record("thing_raised", "TH-1", {}, actor=manager, id=ident) is first
    with pytest.raises(Duplicate, match="already used"):
        documents.record("thing_approved", "TH-1", {}, actor=manager, id=ident)
    with pytest.raises(Duplicate):
        documents.record("thing_raised", "TH-1", {}, actor=other, id=ident)
    with pytest.raises(ValueError, match="no document step"):
        documents.record("thing_lost", "TH-1", {}, actor=manager)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1
