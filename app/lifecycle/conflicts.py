"""Resolving conflicts. A manager keeps the asset as it is, or applies the device's change now;
either way the decision is a `resolve_conflict` event in the asset's history, and the stored
conflict event is never changed. The caller commits."""
import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so
from marshmallow import fields, validate

from app import documents
from app.assets.models import Asset
from app.auth.models import User
from app.auth.roles import Permission, Role
from app.errors import DomainError, Duplicate, NotAllowed, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.models import CONFLICT_TRANSITIONS, Conflict, ConflictStatus, Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.lifecycle.types import Change, EventData, EventType, load
from app.timeutil import utcnow

CHOICES = ("keep_current", "apply_theirs")
STATUSES = ("open", "resolved", "all")
PIPELINE_KEYS = frozenset({"effects", "resolves"})  # added by the server, not the device
MAX_NOTE = 2000


class AlreadyResolved(DomainError):
    code = "already_resolved"


class NotApplied(DomainError):
    """The device's change cannot be applied to the asset as it is now."""

    code = "not_applied"


def query(status: str = "open", *, device: str | None = None,
          viewer: User | None = None) -> sa.Select:
    """Conflicts, newest first. A technician sees only conflicts of events they made."""
    stmt = (sa.select(Conflict).join(Conflict.event)
            .options(so.contains_eager(Conflict.event).joinedload(Event.actor),
                     so.joinedload(Conflict.asset))
            .order_by(Conflict.created_at.desc(), Conflict.id.desc()))
    if status != "all":
        stmt = stmt.where(Conflict.status == ConflictStatus(status))
    if device:
        stmt = stmt.where(Event.device == device)
    if viewer is not None and viewer.role is Role.TECHNICIAN:
        stmt = stmt.where(Event.actor_id == viewer.id)
    return stmt


def list_open(*, device: str | None = None, viewer: User | None = None) -> list[Conflict]:
    return db.session.scalars(query("open", device=device, viewer=viewer)).all()


def open_count(viewer: User | None = None) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        query("open", viewer=viewer).order_by(None).subquery()))


def get(conflict_id: int) -> Conflict:
    conflict = db.session.get(Conflict, conflict_id)
    if conflict is None:
        raise NotFound(f"There is no conflict {conflict_id}.", {"conflict": conflict_id})
    return conflict


def against_events(conflicts: list[Conflict]) -> dict[int, list[Event]]:
    """The events each conflict contradicts (what happened since), in the order they were
    applied, by conflict id; read in one query."""
    ids = {event_id for c in conflicts for event_id in c.against}
    events = {event.id: event for event in db.session.scalars(
        sa.select(Event).where(Event.id.in_(ids)).options(so.joinedload(Event.actor)))
    } if ids else {}
    return {c.id: sorted((events[i] for i in c.against if i in events), key=lambda e: e.seq)
            for c in conflicts}


def resolve(conflict: Conflict, *, choice: str, actor: User, note: str = "") -> Conflict:
    """Keep the asset as it is, or apply the device's change now as a new event."""
    if not actor.can(Permission.MANAGE):
        raise NotAllowed(f"A {actor.role} may not resolve conflicts.")
    if choice not in CHOICES:
        raise ValidationFailed(f"choice: must be one of {', '.join(CHOICES)}.",
                               {"choice": list(CHOICES)})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(f"note: at most {MAX_NOTE} characters.", {"note": "too long"})
    if conflict.status is ConflictStatus.RESOLVED:
        raise AlreadyResolved(f"Conflict {conflict.id} was already resolved: "
                              f"{conflict.resolution}", {"conflict": conflict.id})
    with db.session.begin_nested():  # a refusal below leaves nothing written
        record = {"conflict": conflict.event_id, "choice": choice}
        if note:
            record["note"] = note
        if choice == "apply_theirs":
            record["applied"] = _apply_theirs(conflict, actor)
        _apply(EventIn("resolve_conflict", conflict.asset.tag, record), actor)
        _mark_resolved(conflict, choice, note, actor)
    return conflict


class ResolveData(EventData):
    conflict = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    choice = fields.Str(required=True, validate=validate.OneOf(CHOICES))


def resolve_conflict(asset: Asset, data: dict) -> Change:
    """The manager's decision, as an event in the asset's history."""
    clean = load(ResolveData, data)
    status = db.session.scalar(sa.select(Conflict.status).join(Event).where(
        Event.id == clean["conflict"], Conflict.asset_id == asset.id))
    if status is None:
        raise ValidationFailed(f"{asset.tag} has no conflict {clean['conflict']!r}.",
                               {"conflict": "unknown"})
    if status is not ConflictStatus.OPEN:
        raise Duplicate("That conflict has already been resolved.", {"conflict": "resolved"})
    return Change(clean)


TYPES = (EventType("resolve_conflict", resolve_conflict, ResolveData, "Resolve conflict",
                   "resolved", offered=frozenset(), from_devices=False),)


def _apply_theirs(conflict: Conflict, actor: User) -> str:
    original = conflict.event
    data = {k: v for k, v in original.data.items() if k not in PIPELINE_KEYS}
    incoming = EventIn(original.type, conflict.asset.tag, data | {"resolves": original.id},
                       id=str(uuid.uuid4()), base_version=None, device=original.device)
    outcome = apply_event(incoming, actor=actor)
    if outcome.status != "applied":
        raise NotApplied(f"The device's {types.label(original.type)} cannot be applied now: "
                         f"{outcome.reason}", {"code": outcome.code, **outcome.details})
    return outcome.id


def _apply(incoming: EventIn, actor: User) -> None:
    outcome = apply_event(incoming, actor=actor)
    if outcome.status != "applied":
        error = AlreadyResolved if outcome.code == "duplicate" else NotApplied
        raise error(outcome.reason, outcome.details)


def _mark_resolved(conflict: Conflict, choice: str, note: str, actor: User) -> None:
    """Only one resolution wins, however many managers click at once."""
    documents.move(conflict, ConflictStatus.RESOLVED, CONFLICT_TRANSITIONS,
                   what=f"Conflict {conflict.id}", refusal=AlreadyResolved,
                   resolution=choice + (f": {note}" if note else ""), resolved_by_id=actor.id,
                   resolved_at=utcnow())
