"""Purchase orders: made from an approved request in one step or on their own, sent, cancelled,
and shown as JSON and PDF. Each step is in the audit trail; the caller commits."""
import uuid
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from app import documents, numbering
from app.api import load
from app.auth.models import User
from app.catalog import service as catalog
from app.dbtypes import MAX_MONEY
from app.errors import NotAllowed, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import audit
from app.procurement import requests
from app.procurement.models import (
    ORDER_TRANSITIONS,
    REQUEST_TRANSITIONS,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    RequestStatus,
)
from app.procurement.requests import money
from app.timeutil import utcnow

PREFIX = "PO"
STEPS = {"order_created": "Purchase order created", "order_sent": "Purchase order sent",
         "order_cancelled": "Purchase order cancelled",
         "order_received": "Received on a purchase order"}
MONEY = dict(places=2, allow_nan=False, validate=validate.Range(
    min=0, max=MAX_MONEY, error=f"An amount is a number from 0 to {MAX_MONEY:,}."))


class LineIn(Schema):
    class Meta:
        unknown = RAISE

    model = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    quantity = fields.Int(required=True, strict=True, validate=validate.Range(
        min=1, max=100_000, error="A quantity is a whole number from 1 to 100,000."))
    unit_cost = fields.Decimal(required=True, **MONEY)
    tolerance = fields.Int(strict=True, load_default=0, validate=validate.Range(
        min=0, max=100_000, error="A tolerance is a whole number of units from 0."))


class PurchaseOrderIn(Schema):
    class Meta:
        unknown = RAISE

    supplier = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    request = fields.Str(validate=validate.Length(min=1, max=20))  # an approved one's number
    lines = fields.List(fields.Nested(LineIn), validate=validate.Length(max=200))
    freight = fields.Decimal(**MONEY)
    tax = fields.Decimal(**MONEY)

    @validates_schema
    def _lines_or_request(self, data, **_kwargs):
        if not data.get("lines") and not data.get("request"):
            raise ValidationError("An order has lines, or names the approved request it is "
                                  "for.", "lines")


def whole(text) -> int | str:
    """A form's whole number, or the text as typed (the schema refuses it with a message)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text


def find(number: str) -> PurchaseOrder:
    found = db.session.scalar(sa.select(PurchaseOrder).where(
        sa.func.upper(PurchaseOrder.number) == (number or "").strip().upper()[:20]))
    if found is None:
        raise NotFound(f"There is no purchase order {number!r}.", {"purchase_order": number})
    return found


def create(data: dict, *, actor: User) -> PurchaseOrder:
    """A draft order from `data` (PurchaseOrderIn). From a request, its lines are the
    request's unless given, and the request becomes ordered."""
    clean = load(PurchaseOrderIn(), data)
    audit.lock_chain()  # first: the number is decided under it
    request = requests.find(clean["request"]) if clean.get("request") else None
    if request is not None and request.status != RequestStatus.APPROVED:
        raise NotAllowed(f"{request.number} is {request.status}: only an approved request is "
                         "ordered.", {"status": str(request.status)})
    lines = [(catalog.find_model(line["model"]), line["quantity"], line["unit_cost"],
              line["tolerance"]) for line in clean.get("lines", [])]
    if not lines:
        if request.model is None or request.estimated_unit_cost is None:
            problem = (f"{request.number} names no model and price to order; give the "
                       "order's lines.")
            raise ValidationFailed(f"lines: {problem}", {"fields": {"lines": [problem]}})
        lines = [(request.model, request.quantity, request.estimated_unit_cost, 0)]
    order = PurchaseOrder(
        number=numbering.next_number(PurchaseOrder.number, PREFIX, utcnow().year),
        supplier=clean["supplier"], request=request, freight=clean.get("freight", Decimal(0)),
        tax=clean.get("tax", Decimal(0)), created_by=actor,
        lines=[OrderLine(line=n, model=model, quantity=quantity, unit_cost=cost,
                         tolerance=tolerance)
               for n, (model, quantity, cost, tolerance) in enumerate(lines, start=1)])
    db.session.add(order)
    db.session.flush()
    if request is not None:
        documents.move(request, RequestStatus.ORDERED, REQUEST_TRANSITIONS,
                       what=f"Request {request.number}")
    documents.record("order_created", order.number, as_json(order), actor=actor)
    return order


def move(order: PurchaseOrder, to: OrderStatus, *, actor: User, step: str) -> None:
    audit.lock_chain()
    documents.move(order, to, ORDER_TRANSITIONS, what=f"Purchase order {order.number}")
    documents.record(step, order.number, {"status": str(to)}, actor=actor,
                     id=str(uuid.uuid4()))


def as_json(order: PurchaseOrder) -> dict:
    return {
        "number": order.number, "status": str(order.status), "supplier": order.supplier,
        "request": order.request.number if order.request else None,
        "freight": money(order.freight), "tax": money(order.tax),
        "goods": money(order.goods),
        "lines": [{"line": line.line, "model": line.model.name, "quantity": line.quantity,
                   "unit_cost": money(line.unit_cost), "tolerance": line.tolerance,
                   "received": line.received} for line in order.lines],
    }


def query(status: str = "") -> sa.Select:
    stmt = (sa.select(PurchaseOrder).options(so.selectinload(PurchaseOrder.lines))
            .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc()))
    if status:
        if status not in set(OrderStatus):
            raise ValidationFailed(f"'status' must be one of {', '.join(OrderStatus)}.",
                                   {"status": status})
        stmt = stmt.where(PurchaseOrder.status == status)
    return stmt
