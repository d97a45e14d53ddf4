"""Free-text search over the register: tag, serial, name, model, assignee and location.

Every word must appear somewhere in the asset's search text, as a substring. The trigram
index the migrations build (FTS5 on SQLite, pg_trgm on PostgreSQL) finds words of three
letters or more. On SQLite the plan depends on how many assets match: a rare word is looked
up in the index and its few ids fetched by key; a common one is cheaper to test row by row
while walking the filter's index in page order, since the first page fills at once."""
import sqlalchemy as sa

from app.assets.models import Asset
from app.extensions import db

MAX_WORDS = 8
FEW = 2000  # up to this many index hits, fetch them by id


def _like(word: str):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Asset.search_text.like(f"%{escaped}%", escape="\\")


def matches(q: str):
    """A condition true for assets whose search text holds every word of `q`."""
    words = q.lower().split()[:MAX_WORDS]
    indexed = [w for w in words if len(w) >= 3]
    if db.engine.dialect.name != "sqlite" or not indexed:
        return sa.and_(*(_like(w) for w in words))
    phrase = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
    hits = db.session.scalars(sa.text(
        "SELECT rowid FROM asset_search WHERE asset_search MATCH :phrase LIMIT :n"),
        {"phrase": phrase, "n": FEW + 1}).all()
    if len(hits) > FEW:
        return sa.and_(*(_like(w) for w in words))
    return sa.and_(Asset.id.in_(hits), *(_like(w) for w in words if len(w) < 3))


SEARCHED = ("name", "serial", "model", "assignee", "location")
_UNLOADED = object()


def searched_fields_changed(asset: Asset, before: dict) -> bool:
    """Whether an event changed a field the search text holds. A field the handler set is in
    the asset's state as a new object; one it never touched is the same object as before
    (`before`: the loaded fields then), or still not loaded."""
    now = sa.inspect(asset).dict
    return any(key in now and now[key] is not before.get(key, _UNLOADED) for key in SEARCHED)


def search_text(asset: Asset) -> str:
    parts = [asset.tag, asset.serial, asset.name, asset.model and asset.model.name,
             asset.assignee and asset.assignee.name, asset.location and asset.location.name]
    return " ".join(p for p in parts if p).lower()
