"""Free-text search over the register: tag, serial, name, model, assignee and location.

Every word must appear somewhere in the asset's search text, as a substring. Words of three
or more letters use the trigram index the migrations build (FTS5 on SQLite, pg_trgm on
PostgreSQL); shorter words fall back to a scan, which the other words usually narrow first."""
import sqlalchemy as sa

from app.assets.models import Asset
from app.extensions import db

MAX_WORDS = 8


def _like(word: str):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Asset.search_text.like(f"%{escaped}%", escape="\\")


def matches(q: str):
    """A condition true for assets whose search text holds every word of `q`."""
    words = q.lower().split()[:MAX_WORDS]
    indexed = [w for w in words if len(w) >= 3]
    short = [_like(w) for w in words if len(w) < 3]
    if db.engine.dialect.name != "sqlite" or not indexed:
        return sa.and_(*(_like(w) for w in words))
    phrase = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
    hits = sa.select(sa.column("rowid")).select_from(sa.table("asset_search")).where(
        sa.text("asset_search MATCH :phrase").bindparams(phrase=phrase))
    return sa.and_(Asset.id.in_(hits), *short)
