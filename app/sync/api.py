"""POST /api/v1/sync: apply a batch of events from a device, each on its own, in the order
they happened. One bad event never blocks the rest; a retried batch changes nothing."""
from flask import Blueprint, current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import EXCLUDE, Schema, fields, validate

from app import inputs
from app.api import documented, int_arg, json_body, load
from app.auth.access import requires
from app.auth.roles import Permission
from app.dbtypes import MAX_INT
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.pipeline import EventIn, Outcome, apply_batch
from app.lifecycle.states import AssetStatus, next_events
from app.sync import catalog
from app.timeutil import EARLIEST, LATEST, parse_datetime

bp = Blueprint("sync_api", __name__, url_prefix="/api/v1")


class SyncBatch(Schema):
    class Meta:
        unknown = EXCLUDE

    device_id = fields.Str(required=True, validate=[
        validate.Length(min=1, max=100),
        validate.Predicate("isprintable", error="A device id is printable text.")])
    events = fields.List(fields.Raw(), required=True, validate=validate.Length(max=1000))


def _refused(event_id: str, reason: str) -> Outcome:
    return Outcome(event_id, "rejected", reason, "invalid")


def _event_in(raw, device: str) -> EventIn | Outcome:
    """The event as the pipeline takes it, or its rejection: whatever is wrong with one event
    rejects that event alone, with a reason, and the rest of the batch goes on."""
    if not isinstance(raw, dict):
        return _refused("", "An event must be a JSON object.")
    sent = raw.get("id")
    sent = sent if isinstance(sent, str) and inputs.problem(sent) is None else ""
    reason = inputs.problem(raw)
    if reason:
        return _refused(sent, f"This event cannot be taken: {reason}.")
    try:
        occurred_at = parse_datetime(raw["occurred_at"]) if raw.get("occurred_at") else None
    except (TypeError, ValueError, AttributeError):
        return _refused(sent, f"occurred_at must be an ISO 8601 time between {EARLIEST.year} "
                        f"and {LATEST.year}.")
    base = raw.get("base_version")
    if base is not None and (type(base) is not int or not 0 <= base <= MAX_INT):
        return _refused(sent, "base_version must be a whole number, the version the device saw.")
    if not isinstance(raw.get("type"), str):
        return _refused(sent, 'An event\'s type must be a name such as "transfer".')
    kind = types.REGISTERED.get(raw["type"])
    if kind is not None and not kind.from_devices:
        return _refused(sent, f"{kind.label} is done on its own page, not from a device.")
    return EventIn(type=raw["type"], asset=raw.get("asset"), data=raw.get("data", {}), id=sent,
                   occurred_at=occurred_at, base_version=base, device=device)


@bp.post("/sync")
@requires(Permission.FIELD)
@documented(SyncBatch)
def sync():
    """Apply a device's batch of events, each on its own, in the order they happened."""
    batch = load(SyncBatch(), json_body(checked_later=True))  # event by event, below
    parsed = [_event_in(raw, batch["device_id"]) for raw in batch["events"]]
    results: dict[int, dict] = {}
    todo = [(i, e) for i, e in enumerate(parsed) if isinstance(e, EventIn)]
    for i, outcome in enumerate(parsed):
        if isinstance(outcome, Outcome):
            results[i] = outcome.as_json()
    # Applied in the order they happened on the devices, whatever order they arrive in.
    todo.sort(key=lambda item: (item[1].occurred_at is None, item[1].occurred_at or 0, item[0]))
    outcomes = apply_batch([event for _, event in todo], actor=current_user)
    for (i, event), outcome in zip(todo, outcomes, strict=True):
        # The id as the device wrote it (the pipeline knows it in its canonical form).
        results[i] = outcome.as_json() | {"id": event.sent_id}
    db.session.commit()
    current_app.logger.info("sync from %s: %d events", batch["device_id"], len(parsed))
    return {"results": [results[i] for i in range(len(parsed))]}


@bp.get("/sync/catalog")
@requires(Permission.VIEW)
def offline_catalog():
    """Assets changed since `since` (all when empty), a page at a time; the first page also
    carries every location and person, for pickers that work offline."""
    started = catalog.server_time()
    after = request.args.get("after") or None
    page = catalog.asset_page(request.args.get("since") or None, after,
                              int_arg("limit", 2000, high=5000))
    if after is None:
        page |= catalog.reference_data() | {
            "actions": {str(status): next_events(status, current_user.role)
                        for status in AssetStatus},
            "event_types": {name: kind.describe() for name, kind in types.REGISTERED.items()
                            if kind.from_devices}}
    return page | {"server_time": started}


@bp.get("/session")
@requires(Permission.VIEW)
def session_info():
    """Who is signed in, and a CSRF token for this session (a cached page may hold a stale one)."""
    return {"csrf_token": generate_csrf(),
            "user": {"email": current_user.email, "name": current_user.name,
                     "role": str(current_user.role)}}
