"""Documents that are not assets (stock-takes, conflicts, work orders, requests, purchase
orders) keep a status enum with a transitions table beside it. This is the one way a
document's status moves: checked against its table, and written so that of two people
moving it at once only one wins. A step of a document that has no asset of its own (a
request approved) is recorded here, in the audit trail's one hash chain."""
import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.errors import DomainError, Duplicate, InvalidTransition
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.timeutil import utcnow


def move(document, to: StrEnum, transitions: Mapping[StrEnum, frozenset], *, what: str,
         refusal: type[DomainError] = InvalidTransition, **values) -> None:
    """Move `document` (a flushed row with `id` and `status`) to status `to`, setting
    `values` with it, or raise `refusal` when its table does not allow it from where it is,
    or when someone else moved it first. The caller commits."""
    now = document.status
    if to not in transitions.get(now, frozenset()):
        raise refusal(f"{what} is {now}: it cannot be {to} now.", {"status": str(now)})
    model = type(document)
    moved = db.session.execute(
        sa.update(model).where(model.id == document.id, model.status == now)
        .values(status=to, **values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise refusal(f"{what} was changed by someone else just now: reload it.",
                      {"status": "changed"})
    db.session.refresh(document)


# The steps documents record (name: what it says), added by each domain in app/events.py
# beside its event types, so the audit page can offer them.
STEP_TYPES: dict[str, str] = {}


def record(type_: str, document: str, data: dict, *, actor: User, id: str | None = None,
           occurred_at: datetime | None = None, device: str = "web") -> Event:
    """Append one step of `document` (its number) to the audit trail: what happened (`type_`,
    such as "request_approved"), by whom, with `data`. Sent again under the same `id`, the
    first record is returned and nothing is written; under an id another step has, refused.
    Call it before any savepoint (the chain's lock is the transaction's first write); the
    caller commits, with the document's own change in the same transaction."""
    if type_ not in STEP_TYPES:
        raise ValueError(f"{type_!r} is no document step: add it to STEP_TYPES (app/events.py).")
    head = audit.lock_chain()
    ident = str(uuid.UUID(id)) if id else str(uuid.uuid4())
    earlier = db.session.scalar(sa.select(Event).where(Event.id == ident))
    if earlier is not None:
        if (earlier.type, earlier.document, earlier.actor_id) != (type_, document, actor.id):
            raise Duplicate("This id was already used by another step; give each its own.",
                            {"id": ident})
        return earlier
    now = utcnow()
    event = Event(id=ident, type=type_, asset_id=None, document=document, actor_id=actor.id,
                  device=device[:100], occurred_at=occurred_at or now, received_at=now,
                  base_version=None, version=0, data=data, outcome="applied", reason="")
    audit.append(event, head)
    return event


def steps(document: str) -> list[Event]:
    """The audit trail's steps of `document`, oldest first."""
    return db.session.scalars(sa.select(Event).where(Event.document == document)
                              .options(so.joinedload(Event.actor)).order_by(Event.seq)).all()
