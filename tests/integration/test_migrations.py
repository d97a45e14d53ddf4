"""The migrations build exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_asset, make_user

UNMODELLED = ("asset_search", "ix_asset_search_trgm")  # as in migrations/env.py


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_upgrade_head_matches_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": lambda name, *_: not (name or "").startswith(UNMODELLED)})
        assert compare_metadata(context, db.metadata) == []


def test_search_index_follows_changes(app):
    from app.assets import service
    asset = make_asset(name="Espresso machine")
    assert [a.tag for a in service.list_assets(service.AssetQuery(q="presso")).items] == [asset.tag]
    service.record(asset.tag, "update", {"name": "Kettle"}, actor=make_user(Role.ADMIN))
    db.session.commit()
    assert service.list_assets(service.AssetQuery(q="presso")).total == 0
    assert service.list_assets(service.AssetQuery(q="kettle")).total == 1
    assert service.list_assets(service.AssetQuery(q="ke tle")).total == 1  # short word: a scan


def test_common_words_are_searched_row_by_row(app, monkeypatch):
    from app.assets import search, service
    monkeypatch.setattr(search, "FEW", 1)  # every word counts as common here
    make_asset(name="Espresso machine"), make_asset(name="Espresso grinder")
    assert service.list_assets(service.AssetQuery(q="espresso")).total == 2
    assert service.list_assets(service.AssetQuery(q="espresso grind")).total == 1
