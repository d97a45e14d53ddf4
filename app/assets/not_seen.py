"""Assets no one has seen for a long time: on hand, with no event in that time that means
someone had the asset in front of them (the types registered as physical)."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.assets.models import Asset
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.models import Event
from app.lifecycle.states import ABSENT
from app.org.models import Location
from app.timeutil import utcnow


@dataclass
class NotSeen:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def not_seen_days() -> int:
    return current_app.config["NOT_SEEN_DAYS"]


def not_seen(days: int | None = None, page: int = 1, per_page: int = 50) -> NotSeen:
    """Assets on hand (not planned, not disposed) with no physical event in `days` days,
    never-seen ones first, then the longest unseen."""
    cutoff: datetime = utcnow() - timedelta(days=days or not_seen_days())
    last = (sa.select(Event.asset_id, sa.func.max(Event.occurred_at).label("seen"))
            .where(Event.type.in_(types.physical())).group_by(Event.asset_id).subquery())
    where = (Asset.status.not_in(ABSENT),
             sa.or_(last.c.seen.is_(None), last.c.seen < cutoff))
    stmt = (sa.select(Asset.tag, Asset.name, Asset.status, Location.code.label("location"),
                      Location.name.label("location_name"), last.c.seen)
            .outerjoin(last, last.c.asset_id == Asset.id)
            .outerjoin(Location, Location.id == Asset.location_id).where(*where)
            .order_by(last.c.seen.asc().nulls_first(), Asset.tag)
            .limit(per_page).offset((page - 1) * per_page))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Asset)
                              .outerjoin(last, last.c.asset_id == Asset.id).where(*where))
    return NotSeen(db.session.execute(stmt).all(), total, page, per_page)
