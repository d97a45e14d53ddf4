"""Who held what, and when: a person's assets now, and each time one was in their hands,
read from the events that changed who holds it (check-out, check-in, retire ...)."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.states import CREATING
from app.org.models import Person

MAX_ASSETS = 200  # the most recently held, on one page


@dataclass
class Period:
    asset: Asset
    since: datetime
    until: datetime | None  # None: they hold it still
    given_by: Event
    ended_by: Event | None


def _custody(event: Event, person: Person) -> bool | None:
    """Whether `event` left `person` holding its asset (None: it did not change who does)."""
    effects = event.data.get("effects") or {}
    if "custody" in effects:
        return effects["custody"] == person.code
    if event.type in CREATING and event.data.get("assignee"):
        given = event.data["assignee"].strip()
        return given == person.code or bool(person.email) and given.lower() == person.email.lower()
    return None


def history(person: Person) -> list[Period]:
    """Every time an asset was in `person`'s hands, newest first."""
    custody = Event.data["effects"]["custody"].as_string()
    given = sa.or_(custody == person.code, sa.and_(
        Event.type.in_(CREATING), Event.data["assignee"].as_string().in_(
            [person.code] + ([person.email] if person.email else []))))
    asset_ids = db.session.scalars(
        sa.select(Event.asset_id).where(Event.outcome == "applied", given)
        .group_by(Event.asset_id).order_by(sa.func.max(Event.seq).desc())
        .limit(MAX_ASSETS)).all()
    if not asset_ids:
        return []
    events = db.session.scalars(
        sa.select(Event).where(Event.asset_id.in_(asset_ids), Event.outcome == "applied")
        .options(so.joinedload(Event.asset)).order_by(Event.seq)).all()
    periods, open_ = [], {}
    for event in events:
        holds = _custody(event, person)
        if holds is True and event.asset_id not in open_:
            open_[event.asset_id] = Period(event.asset, event.occurred_at, None, event, None)
        elif holds is False and event.asset_id in open_:
            period = open_.pop(event.asset_id)
            period.until, period.ended_by = event.occurred_at, event
            periods.append(period)
    periods += open_.values()
    return sorted(periods, key=lambda p: p.since, reverse=True)


def holding(person: Person) -> list[Asset]:
    return db.session.scalars(sa.select(Asset).where(Asset.assignee_id == person.id)
                              .options(so.joinedload(Asset.location))
                              .order_by(Asset.tag)).all()
