"""GET /api/v1/conflicts and POST /api/v1/conflicts/<id>/resolve, for the phone and scripts."""
from flask import Blueprint, request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import documented, int_arg, json_body, load
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import ValidationFailed
from app.extensions import db
from app.lifecycle import conflicts
from app.lifecycle.models import Conflict, Event
from app.timeutil import isoformat

bp = Blueprint("conflicts_api", __name__, url_prefix="/api/v1")


class ResolveIn(Schema):
    choice = fields.Str(required=True, validate=validate.OneOf(conflicts.CHOICES))
    note = fields.Str(load_default="", validate=validate.Length(max=conflicts.MAX_NOTE))


@bp.get("/conflicts")
@requires(Permission.VIEW)
def index():
    """Conflicts (a technician sees their own)."""
    status = request.args.get("status", "open")
    if status not in conflicts.STATUSES:
        raise ValidationFailed(f"'status' must be one of {', '.join(conflicts.STATUSES)}.",
                               {"status": status})
    stmt = conflicts.query(status, device=request.args.get("device") or None,
                           viewer=current_user)
    page = db.paginate(stmt, page=int_arg("page", 1), per_page=int_arg("per_page", 50, high=500),
                       error_out=False)
    against = conflicts.against_events(page.items)
    return {"items": [_item(c, against) for c in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total}


@bp.post("/conflicts/<int:conflict_id>/resolve")
@requires(Permission.MANAGE)
@documented(ResolveIn)
def resolve(conflict_id):
    """Resolve a conflict: keep_current, or apply_theirs."""
    conflict = conflicts.get(conflict_id)
    body = load(ResolveIn(), json_body())
    conflicts.resolve(conflict, choice=body["choice"], note=body["note"], actor=current_user)
    db.session.commit()
    return _item(conflict, conflicts.against_events([conflict]))


def _item(conflict: Conflict, against: dict[int, list[Event]]) -> dict:
    event = conflict.event
    return {"id": conflict.id, "event_id": event.id, "asset": conflict.asset.tag,
            "type": event.type, "data": event.data, "reason": conflict.reason,
            "status": str(conflict.status), "resolution": conflict.resolution,
            "resolved_at": isoformat(conflict.resolved_at), "device": event.device,
            "occurred_at": isoformat(event.occurred_at),
            "against": [_event(e) for e in against[conflict.id]]}


def _event(event: Event) -> dict:
    return {"id": event.id, "type": event.type, "data": event.data,
            "occurred_at": isoformat(event.occurred_at), "actor": str(event.actor)}
