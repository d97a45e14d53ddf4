"""The one function that applies a lifecycle event. Forms, the sync API, the REST API,
importers and CLI commands build an EventIn and call apply_event(); nothing else writes an
asset's status, location or assignee."""
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.assets.models import Asset, tag_is, tag_key
from app.assets.search import search_text, searched_fields_changed
from app.auth.models import User
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import audit, states, types
from app.lifecycle.models import Conflict, Event
from app.lifecycle.states import AssetStatus
from app.memo import lookups_remembered
from app.timeutil import isoformat, utcnow

MAX_CLOCK_SKEW = timedelta(hours=24)  # how far in the future a device clock may run


# The forms of one UUID a client may write: any case, with or without hyphens, in braces, or
# as a URN. All are the same event.
_UUID = re.compile(r"(?:urn:uuid:)?(\{)?[0-9a-f]{8}(-?)[0-9a-f]{4}\2[0-9a-f]{4}\2[0-9a-f]{4}\2"
                   r"[0-9a-f]{12}(?(1)\})", re.IGNORECASE)


def server_event_id(*parts) -> str:
    """The id of an event the server makes itself (a reconciliation's), the same for the same
    parts every time, so a re-run changes nothing, and derived from the server's secret, so
    no device can guess it and send another event under it first."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"server event ids",
                   "sha256").digest()
    digest = hmac.new(key, "/".join(map(str, parts)).encode(), "sha256").digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def canonical_id(text) -> str | None:
    """The event id `text` stands for, in the one form stored (lower case, hyphens)."""
    if not isinstance(text, str) or not _UUID.fullmatch(text):
        return None
    return str(uuid.UUID(text))


@dataclass
class EventIn:
    type: str
    asset: str  # the asset's tag
    data: dict = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime | None = None
    base_version: int | None = None  # the version the device saw; None: the current one
    device: str = "web"
    sent_id: str = field(init=False, default="")  # the id as the device wrote it

    def __post_init__(self):
        self.sent_id = self.id
        self.id = canonical_id(self.id) or self.id  # not a UUID: _check_envelope says so


@dataclass
class Outcome:
    id: str
    status: str  # applied | duplicate | conflict | rejected
    reason: str = ""
    code: str = ""
    details: dict = field(default_factory=dict)
    event: Event | None = None

    def as_json(self) -> dict:
        result = {"id": self.id, "status": self.status, "reason": self.reason}
        if self.code:
            result["code"] = self.code
        if self.details:
            result["details"] = self.details
        if self.event is not None:
            result["version"] = self.event.version
            kind = types.REGISTERED.get(self.event.type)
            for key in kind.echo if kind else ():  # what a stock-take scan counted as
                if key in self.event.data:
                    result[key] = self.event.data[key]
        return result


def apply_event(incoming: EventIn, *, actor: User) -> Outcome:
    """Apply one event in a savepoint: all of it is written, or none of it.

    A repeated id returns the first outcome; an event made against an older version that
    contradicts what happened since is stored as a conflict. The caller commits."""
    head = audit.lock_chain()
    earlier = _earlier(incoming, actor)
    if earlier is not None:
        return earlier
    try:
        with db.session.begin_nested():
            return _apply(incoming, actor, head)
    except DomainError as exc:
        return Outcome(incoming.id, "rejected", exc.message, exc.code, exc.details)
    except IntegrityError:
        # Another worker stored the same event id a moment ago.
        earlier = _earlier(incoming, actor)
        if earlier is None:
            raise
        return earlier


def apply_batch(events: list[EventIn], *, actor: User) -> list[Outcome]:
    """Apply `events` in the order given, each exactly as apply_event() would, with far fewer
    round trips: known ids and target assets are read in one query each, places and people
    once, and the events of types that change only their own asset (asset_only) are written
    together in one flush, a refused one undone in memory. The caller commits."""
    head = audit.lock_chain()
    with lookups_remembered():
        return _Batch(events, actor, head).run()


class _Batch:
    def __init__(self, events: list[EventIn], actor: User, head):
        self.events, self.actor, self.head = events, actor, head
        ids = [e.id for e in events if isinstance(e.id, str)]
        # Under the chain lock: nobody else can store one of these ids meanwhile.
        self.known = {event.id: event for event in db.session.scalars(
            sa.select(Event).where(Event.id.in_(ids)).options(so.joinedload(Event.asset)))}
        tags = {_tag(e) for e in events if _asset_only(e)}
        self.assets = {tag_key(asset.tag): asset for asset in db.session.scalars(
            sa.select(Asset).where(sa.func.upper(Asset.tag).in_([tag_key(t) for t in tags]))
            .with_for_update(of=Asset)
            .options(so.joinedload(Asset.model), so.joinedload(Asset.location),
                     so.joinedload(Asset.assignee)))}
        for kind in types.REGISTERED.values():
            mine = [(e.data, self.assets.get(tag_key(_tag(e)))) for e in events
                    if kind.prepare and e.type == kind.name and isinstance(e.data, dict)]
            if mine:
                kind.prepare(mine)
        self.stored: dict[str, Event] = {}  # by id, the events this batch has stored

    def run(self) -> list[Outcome]:
        outcomes = []
        for incoming in self.events:
            outcome = self._one(incoming)
            if outcome.event is not None and outcome.status != "duplicate":
                self.stored[incoming.id] = outcome.event
            outcomes.append(outcome)
        return outcomes

    def _one(self, incoming: EventIn) -> Outcome:
        earlier = self.stored.get(incoming.id) or self.known.get(incoming.id)
        if earlier is not None:
            return _repeat(earlier, incoming, self.actor)
        if not _asset_only(incoming):
            return apply_event(incoming, actor=self.actor)
        try:
            return _apply(incoming, self.actor, self.head, self)
        except DomainError as exc:
            return Outcome(incoming.id, "rejected", exc.message, exc.code, exc.details)


def _asset_only(incoming: EventIn) -> bool:
    kind = types.REGISTERED.get(incoming.type) if isinstance(incoming.type, str) else None
    return kind is not None and kind.asset_only


class _Snapshot:
    """Undo in memory, for a batch: the asset's fields as they were before this event."""

    def __init__(self, asset: Asset, saved: dict):
        self.asset, self.state, self.saved = asset, sa.inspect(asset), saved

    def rollback(self) -> None:
        for key in _scalar_attributes():
            before = self.saved.get(key, _UNLOADED)
            if self.state.dict.get(key, _UNLOADED) is before:
                continue
            if before is _UNLOADED:
                # Not loaded before, so unchanged since the last flush: forget this change.
                db.session.expire(self.asset, [key])
            else:
                setattr(self.asset, key, before)

    def commit(self) -> None:
        pass


_UNLOADED = object()


def _scalar_attributes() -> list[str]:
    """The asset's columns and the one-valued relationships (its location, assignee ...)."""
    return [p.key for p in sa.inspect(Asset).attrs
            if not (isinstance(p, so.RelationshipProperty) and p.uselist)]


def apply_or_raise(incoming: EventIn, *, actor: User) -> Event:
    """For forms and the REST API: the applied event, or the refusal as a DomainError."""
    outcome = apply_event(incoming, actor=actor)
    if outcome.status == "rejected":
        raise DomainError(outcome.reason, outcome.details, code=outcome.code)
    if outcome.status == "conflict":
        raise DomainError(f"Saved as a conflict for a manager to resolve: {outcome.reason}",
                          code="conflict")
    return outcome.event


def _earlier(incoming: EventIn, actor: User) -> Outcome | None:
    event = db.session.scalar(sa.select(Event).where(Event.id == incoming.id))
    return None if event is None else _repeat(event, incoming, actor)


def _tag_of(event: Event) -> str:
    # From the identity map when the batch has the asset (an event it stored links by id).
    return db.session.get(Asset, event.asset_id).tag


def _repeat(earlier: Event, incoming: EventIn, actor: User) -> Outcome:
    """The first outcome again, for a retry of the same event. Another event under an id
    already used is refused: a device makes its ids, it cannot claim someone else's."""
    claimed = _tag(incoming) or (incoming.data.get("tag") if incoming.type in states.CREATING
                                 and isinstance(incoming.data, dict) else "")
    differs = [name for name, same in (
        ("type", earlier.type == incoming.type),
        ("asset", _tag_of(earlier).upper() == str(claimed or "").strip().upper()),
        ("actor", earlier.actor_id == actor.id)) if not same]
    if differs:
        return Outcome(incoming.id, "rejected", "This event id was already used by another "
                       f"event (another {' and '.join(differs)}); give each event an id of its "
                       "own.", "id_reused", {"differs": differs})
    return Outcome(earlier.id, "duplicate", f"already received: {earlier.outcome}",
                   event=earlier, details={"outcome": earlier.outcome})


class _Clash(Exception):
    def __init__(self, reason: str, against: list):
        super().__init__(reason)
        self.reason, self.against = reason, against


def _apply(incoming: EventIn, actor: User, head, batch: _Batch | None = None) -> Outcome:
    kind = _check_envelope(incoming)
    words = {"label": kind.label, "past": kind.past}
    states.check(incoming.type, None, actor.role, **words)
    asset = _target(incoming, batch)
    since = _others_since(asset, incoming, actor)
    stale = bool(since)
    data = dict(incoming.data)
    if kind.dated and data.get(kind.dated) is None:
        data[kind.dated] = isoformat(incoming.occurred_at or utcnow())
    if incoming.type in states.CREATING:
        data["tag"] = asset.tag
    # How to undo what the handler did if the event is refused, or stored as a conflict: in a
    # batch, put the asset's fields back; alone, an inner savepoint when stale (a current
    # event is all or nothing with apply_event's own savepoint).
    before = dict(sa.inspect(asset).dict)  # the asset's loaded fields, as they were
    attempt = (_Snapshot(asset, before) if batch is not None
               else db.session.begin_nested() if stale else None)
    try:
        if incoming.type not in states.CREATING:
            states.check(incoming.type, asset.status, actor.role, **words)
        with db.session.no_autoflush:  # a half-filled new asset must not reach the database
            change = kind.handler(asset, data)
        new_status = states.result(incoming.type, asset.status, change.data, asset.tag)
        effects = dict(change.effects)
        if new_status != asset.status:
            effects["status"] = str(new_status)
        _check_commutes(asset, since, effects)
    except _Clash as clash:
        attempt.rollback()
        return _conflict(incoming, asset, actor, head, clash.reason, clash.against)
    except DomainError as exc:
        if attempt is not None:
            attempt.rollback()
        if not stale:
            raise
        if exc.code == "invalid_transition":
            # It was valid on the device when it was made; the asset has moved on since.
            return _conflict(incoming, asset, actor, head, exc.message,
                             [e.id for e in since])
        raise
    asset.status = new_status
    asset.version += 1
    if kind.changes_catalogue or incoming.type in states.CREATING:
        asset.updated_at = utcnow()
    if incoming.type in states.CREATING or searched_fields_changed(asset, before):
        asset.search_text = search_text(asset)
    if incoming.type in states.CREATING:
        db.session.add(asset)
        db.session.flush()  # the new asset's id, which the event's hash covers
    event = _event(incoming, asset, actor, change.data | {"effects": effects}, "applied")
    audit.append(event, head)
    db.session.add_all([make(event) for make in change.records])
    for listener in types.listeners(incoming.type):
        listener(event, asset, actor)
    if attempt is not None:
        attempt.commit()
    return Outcome(incoming.id, "applied", event=event)


def _check_envelope(incoming: EventIn) -> types.EventType:
    if canonical_id(incoming.id) != incoming.id:
        raise ValidationFailed("An event id must be a UUID.", {"id": "not a UUID"})
    kind = types.get(incoming.type)
    if not isinstance(incoming.data, dict):
        raise ValidationFailed("An event's data must be a JSON object.", {"data": "not an object"})
    size = len(json.dumps(incoming.data, default=str))
    limit = current_app.config["MAX_EVENT_DATA_BYTES"]
    if size > limit:
        raise ValidationFailed(f"This event's data is {size:,} bytes; the limit is {limit:,}.",
                               {"data": "too large"}, code="too_large")
    if incoming.occurred_at and incoming.occurred_at > utcnow() + MAX_CLOCK_SKEW:
        raise ValidationFailed("This event says it happened in the future; check the device's "
                               "clock.", {"occurred_at": "in the future"})
    return kind


def _tag(incoming: EventIn) -> str:
    return incoming.asset.strip() if isinstance(incoming.asset, str) else ""


def _target(incoming: EventIn, batch: _Batch | None = None) -> Asset:
    tag = _tag(incoming)
    if incoming.type in states.CREATING:
        tag = tag or incoming.data.get("tag")
        # Added to the session only once its handler has filled it in (and checked the tag).
        return Asset(tag=tag, version=0, status=AssetStatus.IN_STOCK)
    if not tag:
        raise ValidationFailed("Which asset? The event names no tag.", {"asset": "required"})
    asset = batch.assets.get(tag_key(tag)) if batch is not None else None
    if asset is None:
        asset = db.session.scalar(sa.select(Asset).where(tag_is(tag)).with_for_update())
    if asset is None:
        raise NotFound(f"There is no asset with the tag {tag!r}.", {"asset": tag})
    if incoming.base_version is not None and incoming.base_version > asset.version:
        raise ValidationFailed(f"base_version {incoming.base_version} is newer than the asset "
                               f"(version {asset.version}).", {"base_version": "unknown"})
    return asset


def _others_since(asset: Asset, incoming: EventIn, actor: User) -> list[Event]:
    """Events applied since the version the device saw, made by anyone else. The device's
    own later events are not news to it: it made them knowing what it had done before."""
    if incoming.base_version is None or incoming.base_version >= asset.version:
        return []
    mine = sa.and_(Event.device == incoming.device, Event.actor_id == actor.id)
    return db.session.scalars(sa.select(Event).where(
        Event.asset_id == asset.id, Event.version > incoming.base_version,
        Event.outcome == "applied", sa.not_(mine)).order_by(Event.seq)).all()


def _check_commutes(asset: Asset, since: list[Event], effects: dict) -> None:
    """Raise _Clash if an event in `since` set something this one sets, differently."""
    clashing = []
    for event in since:
        theirs = event.data.get("effects", {})
        for key, value in effects.items():
            if key in theirs and theirs[key] != value:
                clashing.append((event, key, theirs[key]))
    if clashing:
        event, key, value = clashing[-1]
        raise _Clash(f"{asset.tag}: this event sets the {types.label(key)} to "
                     f"{effects[key]!r}, but a {types.label(event.type)} since set it to "
                     f"{value!r}.", list(dict.fromkeys(e.id for e, _, _ in clashing)))


def _conflict(incoming, asset, actor, head, reason: str, against: list[str]):
    event = _event(incoming, asset, actor, dict(incoming.data), "conflict", reason)
    audit.append(event, head)
    db.session.add(Conflict(event_id=event.id, asset=asset, reason=reason, against=against))
    db.session.flush()
    return Outcome(incoming.id, "conflict", reason, "conflict", {"against": against},
                   event=event)


def _event(incoming, asset, actor, data, outcome, reason="") -> Event:
    now = utcnow()
    return Event(id=incoming.id, type=incoming.type, asset_id=asset.id, actor_id=actor.id,
                 device=(incoming.device or "web")[:100], occurred_at=incoming.occurred_at or now,
                 received_at=now, base_version=incoming.base_version, version=asset.version,
                 data=data, outcome=outcome, reason=reason)
