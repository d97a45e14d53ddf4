"""Free-text search over the register: tag, serial, name, model, assignee and location."""
import sqlalchemy as sa

from app.assets.models import Asset


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(q: str):
    """A condition true for assets whose search text holds every word of `q`."""
    words = q.lower().split()[:8]
    return sa.and_(*(Asset.search_text.like(f"%{_escape(w)}%", escape="\\") for w in words))
