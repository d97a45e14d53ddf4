"""The work-order events: open, start, update, complete and cancel an order on an asset.
Each names the order by the id made where it was opened, so a phone can open an order offline
and work it in the same sync batch. Updates only add (parts, labour, notes, checklist
results), so two technicians' updates merge; closing an order twice, either way, is refused,
and the pipeline stores it as a conflict when the device had not seen the first close."""
import uuid
from datetime import date, timedelta
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from app.assets.models import Asset
from app.dbtypes import MAX_MONEY
from app.errors import Duplicate, InvalidTransition, ValidationFailed
from app.extensions import db
from app.lifecycle.types import CARD, SHA256, Change, EventData, EventType, load
from app.maintenance import orders
from app.maintenance.models import (
    PRIORITY_FOR,
    CheckResult,
    Priority,
    WorkOrder,
    WorkOrderItem,
    WorkOrderKind,
    WorkOrderPart,
    WorkOrderStatus,
)
from app.timeutil import utcnow

MAX_MINUTES = 60 * 24 * 90  # one event's labour or downtime: at most ninety days
DUE_PAST, DUE_AHEAD = timedelta(days=366), timedelta(days=5 * 366)


class OrderId(fields.Str):
    """A work order's id: a UUID, in any of its spellings, stored in one."""

    def _deserialize(self, value, attr, data, **kwargs):
        ident = orders.canonical(super()._deserialize(value, attr, data, **kwargs))
        if ident is None:
            raise ValidationError("A work order is named by its id, a UUID.")
        return ident


class ItemRef(fields.Field):
    """A checklist line: its number (1, 2 ...) or its text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000:
            return value
        if isinstance(value, str) and 1 <= len(value.strip()) <= 500:
            return value.strip()
        raise ValidationError("Name a checklist line by its number or its text.")


class Minutes(fields.Int):
    """Whole minutes, as a number or as digits (a form's text): 1.5 or true is refused, not
    read as 1."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValidationError("Minutes are a whole number.")
        return super()._deserialize(value, attr, data, **kwargs)


def _minutes(label: str) -> fields.Int:
    return Minutes(validate=validate.Range(
        min=0, max=MAX_MINUTES, error=f"Minutes are a whole number from 0 to {MAX_MINUTES}."),
        metadata={"kind": "minutes", "label": label})


def _money(label: str, **metadata) -> fields.Decimal:
    return fields.Decimal(places=2, validate=validate.Range(
        min=0, max=MAX_MONEY, error=f"A cost is a number from 0 to {MAX_MONEY:,}."),
        metadata={"label": label} | metadata)


class OrderRef(EventData):
    work_order = OrderId(required=True, metadata={"kind": "internal"})


class OpenData(EventData):
    # A fault reported from the phone's card comes without an id or a kind: the server makes
    # the one and takes the other as corrective. Pages, the API and the work list send both.
    work_order = OrderId(load_default=lambda: str(uuid.uuid4()), metadata={"kind": "internal"})
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                       metadata={"label": "What is wrong"})
    kind = fields.Str(load_default=WorkOrderKind.CORRECTIVE.value,
                      validate=validate.OneOf(list(WorkOrderKind)), metadata={"kind": "internal"})
    priority = fields.Str(validate=validate.OneOf(list(Priority)),
                          metadata={"blank": "From the asset's criticality"})
    out_of_service = fields.Bool(load_default=False,
                                 metadata={"label": "Out of service until it is fixed"})
    due = fields.Date(metadata={"kind": "internal"})
    assignee = fields.Str(validate=validate.Length(min=1, max=254), metadata={"kind": "internal"})
    checklist = fields.List(fields.Str(validate=validate.Length(min=1, max=500)),
                            validate=validate.Length(max=100), metadata={"kind": "internal"})
    follow_up_of = OrderId(metadata={"kind": "internal"})
    estimate = _money("Repair estimate", kind="internal")  # a desk's quote, not the fault form's
    # Why a schedule made it ("every 3 months, last done 2026-08-02"), and which schedule.
    reason = fields.Str(validate=validate.Length(max=300), metadata={"kind": "internal"})
    schedule = fields.Int(strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                          metadata={"kind": "internal"})

    @validates("due")
    def _due_in_range(self, value: date, **_kwargs):
        today = utcnow().date()
        if not today - DUE_PAST <= value <= today + DUE_AHEAD:
            raise ValidationError(f"A due date is from {today - DUE_PAST} to "
                                  f"{today + DUE_AHEAD}.")


class StartData(OrderRef):
    pass


class PartIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    quantity = fields.Decimal(required=True, places=3, validate=validate.Range(
        min=Decimal("0.001"), max=10**6, error="A quantity is more than 0, up to 1,000,000."))
    cost = _money("Cost of these parts")


class CheckIn(Schema):
    item = ItemRef(required=True)
    result = fields.Str(required=True, validate=validate.OneOf(
        list(CheckResult), error="A checklist result is pass, fail or na."))
    note = fields.Str(validate=validate.Length(max=2000))


class UpdateData(OrderRef):
    status = fields.Str(validate=validate.OneOf([WorkOrderStatus.IN_PROGRESS,
                                                 WorkOrderStatus.WAITING_PARTS]))
    labour_minutes = _minutes("Labour (minutes)")
    parts = fields.List(fields.Nested(PartIn), validate=validate.Length(max=100))
    checklist = fields.List(fields.Nested(CheckIn), validate=validate.Length(max=100))
    estimate = _money("Repair estimate")  # a revised quote replaces the last


class CompleteData(OrderRef):
    work_done = fields.Str(required=True, validate=validate.Length(min=1, max=10_000))
    failure = fields.Bool(required=True, metadata={"label": "It had failed"})
    cost = _money("Other cost")
    labour_minutes = _minutes("Labour (minutes)")
    downtime_minutes = _minutes("Downtime (minutes)")
    downtime_reason = fields.Str(validate=validate.Length(max=2000))
    signature = fields.Str(validate=SHA256)
    signatures = fields.Dict(keys=fields.Str(validate=validate.OneOf(["technician"])),
                             values=fields.Str(validate=SHA256))


class CancelData(OrderRef):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


def _json(value):
    """Validated data as JSON stores it: decimals and dates as text, all the way down."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _closing(order: WorkOrder, status: WorkOrderStatus) -> dict:
    # What a later close of the same order, made without knowing of this one, contradicts.
    return {f"work order {order.number}": str(status)}


def open_order(asset: Asset, data: dict) -> Change:
    clean = load(OpenData, data)
    ident = clean["work_order"]
    existing = db.session.get(WorkOrder, ident)
    if existing is not None:
        raise Duplicate(f"There is already a work order with the id {ident} "
                        f"({existing.number}).", {"work_order": ident})
    assignee = orders.assignee(clean.get("assignee"))
    if clean.get("follow_up_of"):
        orders.of_asset(clean["follow_up_of"], asset)
    priority = clean.get("priority") or str(PRIORITY_FOR[asset.criticality])
    number = orders.new_number(utcnow().year)
    returns = orders.return_status(asset) if clean["out_of_service"] else None
    stored = _json(clean) | {"number": number, "priority": priority}

    def make(event):
        return WorkOrder(
            id=ident, number=number, asset_id=asset.id, kind=clean["kind"],
            title=clean["title"], priority=priority, due=clean.get("due"),
            assignee_id=assignee.id if assignee else None,
            out_of_service=clean["out_of_service"], return_status=returns,
            follow_up_of_id=clean.get("follow_up_of"), opened_by_id=event.actor_id,
            reason=clean.get("reason", ""), estimate=clean.get("estimate"),
            opened_at=event.occurred_at,
            items=[WorkOrderItem(position=n, text=text)
                   for n, text in enumerate(clean.get("checklist", []), start=1)])
    return Change(stored, records=[make])


def start(asset: Asset, data: dict) -> Change:
    clean = load(StartData, data)
    order = orders.of_asset(clean["work_order"], asset)
    orders.check_step(order, "work_order_start")
    orders.move(order, WorkOrderStatus.IN_PROGRESS)

    def started(event):
        order.started_at = order.started_at or event.occurred_at
        return order
    return Change(_json(clean) | {"number": order.number}, records=[started])


def _item(order: WorkOrder, ref) -> WorkOrderItem:
    for item in order.items:
        if item.position == ref or (isinstance(ref, str) and item.text.casefold()
                                    == ref.casefold()):
            return item
    problem = f"{order.number} has no checklist line {ref!r}."
    raise ValidationFailed(f"checklist: {problem}", {"fields": {"checklist": [problem]}})


RECORDED = ("status", "labour_minutes", "parts", "checklist", "note", "photos", "estimate")


def update(asset: Asset, data: dict) -> Change:
    clean = load(UpdateData, data)
    if not any(clean.get(name) for name in RECORDED):
        raise ValidationFailed("Nothing to record: give labour, parts, checklist results, a "
                               "status, a note or photos.", {"fields": {}})
    order = orders.of_asset(clean["work_order"], asset)
    orders.check_step(order, "work_order_update")
    if clean.get("status") and order.status == WorkOrderStatus.DONE:
        raise InvalidTransition(f"Work order {order.number} is done: an update may add parts, "
                                "labour and notes to it, not change its status.",
                                {"status": "done"})
    lines = [(_item(order, entry["item"]), entry) for entry in clean.get("checklist", [])]
    if clean.get("status"):
        orders.move(order, WorkOrderStatus(clean["status"]))
    for item, entry in lines:
        item.result = entry["result"]
        if entry.get("note"):
            item.note = "\n".join(filter(None, [item.note, entry["note"]]))
    order.labour_minutes += clean.get("labour_minutes", 0)
    if "estimate" in clean:
        order.estimate = clean["estimate"]

    def part(line):
        return lambda event: WorkOrderPart(order=order, event=event, name=line["name"],
                                           quantity=line["quantity"], cost=line.get("cost"))
    stored = _json(clean) | {"number": order.number}
    for line in stored.get("parts", []):  # "2", not "2.000"
        line["quantity"] = format(Decimal(line["quantity"]).normalize(), "f")
    return Change(stored, records=[part(line) for line in clean.get("parts", [])])


def complete(asset: Asset, data: dict) -> Change:
    clean = load(CompleteData, data)
    order = orders.of_asset(clean["work_order"], asset)
    orders.check_step(order, "work_order_complete")
    returns = orders.returns_to(order, asset)
    signatures = dict(clean.pop("signatures", {}))
    if clean.get("signature"):
        signatures["technician"] = clean.pop("signature")
    orders.move(order, WorkOrderStatus.DONE, work_done=clean["work_done"],
                failure=clean["failure"], cost=clean.get("cost"),
                labour_minutes=order.labour_minutes + clean.get("labour_minutes", 0),
                downtime_minutes=clean.get("downtime_minutes"),
                downtime_reason=clean.get("downtime_reason", ""),
                signature=signatures.get("technician"))
    stored = {k: v for k, v in _json(clean).items() if k != "returns_to"}
    stored |= {"number": order.number} | ({"signatures": signatures} if signatures else {})
    if returns:
        stored["returns_to"] = returns

    def closed(event):
        order.closed_at = event.occurred_at
        return order
    return Change(stored, _closing(order, WorkOrderStatus.DONE), records=[closed])


def cancel(asset: Asset, data: dict) -> Change:
    clean = load(CancelData, data)
    order = orders.of_asset(clean["work_order"], asset)
    orders.check_step(order, "work_order_cancel")
    returns = orders.returns_to(order, asset)
    orders.move(order, WorkOrderStatus.CANCELLED, cancel_reason=clean["reason"])
    stored = {k: v for k, v in _json(clean).items() if k != "returns_to"}
    stored["number"] = order.number
    if returns:
        stored["returns_to"] = returns

    def closed(event):
        order.closed_at = event.occurred_at
        return order
    return Change(stored, _closing(order, WorkOrderStatus.CANCELLED), records=[closed])


NOWHERE = frozenset()  # worked from the work order's own page and the phone's work list;
# opened from the phone's card (a fault), the asset's page and the API
TYPES = (
    EventType("work_order_open", open_order, OpenData, "Report a fault",
              "given a work order", offered=frozenset({CARD})),
    EventType("work_order_start", start, StartData, "Start work", "worked on",
              physical=True, offered=NOWHERE),
    EventType("work_order_update", update, UpdateData, "Update work order", "worked on",
              physical=True, offered=NOWHERE),
    EventType("work_order_complete", complete, CompleteData, "Complete work order",
              "worked on", physical=True, offered=NOWHERE,
              signatures=(("technician", "Technician's signature"),)),
    EventType("work_order_cancel", cancel, CancelData, "Cancel work order",
              "worked on", offered=NOWHERE),
)
