"""GET/POST /api/v1/work-orders and GET /api/v1/work-orders/<number or id>. Opening an order
here is a work_order_open event through the pipeline, as on a phone or a page."""
import uuid

from flask import Blueprint, request, url_for
from flask_login import current_user
from marshmallow import RAISE, Schema, fields, validate

from app.api import documented, json_body, load, paged
from app.auth.access import requires
from app.auth.roles import Permission
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_or_raise
from app.maintenance import orders
from app.maintenance.models import Priority, WorkOrder, WorkOrderKind
from app.timeutil import isoformat

bp = Blueprint("maintenance_api", __name__, url_prefix="/api/v1/work-orders")


class WorkOrderIn(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID()
    asset = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.Str(required=True, validate=validate.OneOf(list(WorkOrderKind)))
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    priority = fields.Str(validate=validate.OneOf(list(Priority)))
    due = fields.Date()
    assignee = fields.Email()
    out_of_service = fields.Bool()
    estimate = fields.Decimal(places=2)  # the event's schema checks its range
    checklist = fields.List(fields.Str(validate=validate.Length(min=1, max=500)),
                            validate=validate.Length(max=100))


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def order_json(order: WorkOrder) -> dict:
    return {
        "id": order.id, "number": order.number, "asset": order.asset.tag,
        "asset_name": order.asset.name, "kind": str(order.kind), "title": order.title,
        "priority": str(order.priority), "status": str(order.status),
        "due": isoformat(order.due),
        "assignee": order.assignee.email if order.assignee else None,
        "out_of_service": order.out_of_service,
        "checklist": [{"position": i.position, "item": i.text,
                       "result": str(i.result) if i.result else None, "note": i.note}
                      for i in order.items],
        "parts": [{"name": p.name, "quantity": str(p.quantity.normalize()),
                   "cost": _money(p.cost)} for p in order.parts],
        "labour_minutes": order.labour_minutes, "downtime_minutes": order.downtime_minutes,
        "downtime_reason": order.downtime_reason, "work_done": order.work_done,
        "failure": order.failure, "cost": _money(order.cost), "estimate": _money(order.estimate),
        "parts_cost": _money(order.parts_cost), "total_cost": _money(order.total_cost),
        "signature": order.signature, "cancel_reason": order.cancel_reason,
        "opened_by": order.opened_by.email, "opened_at": isoformat(order.opened_at),
        "started_at": isoformat(order.started_at), "closed_at": isoformat(order.closed_at),
        "follow_up_of": order.follow_up_of_id, "reason": order.reason,
    }


@bp.get("")
@requires(Permission.VIEW)
def index():
    """Work orders, open ones first by due date; filter by asset, status, kind, assignee,
    place (a location and everything under it), due_by (a date) and active (1: still to do)."""
    filters = orders.Filters(**{name: request.args.get(name, "")[:254] for name in (
        "asset", "status", "kind", "assignee", "place", "due_by", "active")})
    return paged(orders.query(filters), order_json)


@bp.post("")
@requires(Permission.FIELD)
@documented(WorkOrderIn)
def create():
    """Open a work order on an asset; sent again with the same `id`, it is opened once."""
    body = json_body()
    load(WorkOrderIn(), body)
    ident = str(uuid.UUID(body["id"])) if body.get("id") else str(uuid.uuid4())
    data = {k: v for k, v in body.items() if k not in ("id", "asset")} | {"work_order": ident}
    existed = db.session.get(WorkOrder, ident) is not None
    # The event takes the order's id: a retried request is the same event, applied once.
    apply_or_raise(EventIn("work_order_open", body["asset"], data, id=ident,
                                   device=request.headers.get("X-Device", "api")[:100]),
                           actor=current_user)
    db.session.commit()
    order = orders.find(ident)
    return order_json(order), 200 if existed else 201, {
        "Location": url_for(".detail", key=order.number)}


@bp.get("/<key>")
@requires(Permission.VIEW)
def detail(key):
    """One work order, by its number (WO-2026-000042) or its id."""
    return order_json(orders.find(key))
