"""Document statuses move only as their transitions tables say, and of two moves at once
only one wins (stock-takes and conflicts here; work orders and orders will use the same)."""
import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.errors import InvalidTransition
from app.extensions import db
from app.org.models import LocationKind
from app.stocktakes import service
from app.stocktakes.models import STOCKTAKE_TRANSITIONS, Stocktake, StocktakeStatus
from tests.factories import make_location, make_user


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
