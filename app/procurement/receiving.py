"""Receiving an order: the units scanned at the dock become assets, each through the event
pipeline as a `receipt` event that links it to its order line. A receipt is all or nothing:
one unit over a line's quantity and tolerance, or one serial already in the register, and
nothing is created. Its id is made where it was taken, so a retry answers as the first did."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import RAISE, Schema, fields, validate

from app import documents
from app.api import load
from app.assets import codes, series
from app.assets.events import create
from app.assets.models import Asset
from app.assets.schemas import AssetIn
from app.auth.models import User
from app.errors import Duplicate, NotAllowed, ValidationFailed
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.pipeline import EventIn, apply_or_raise, server_event_id
from app.lifecycle.types import Change, EventType
from app.lifecycle.types import load as check
from app.memo import lookups_remembered, remember
from app.org import service as org
from app.procurement.models import (
    ORDER_TRANSITIONS,
    RECEIVING,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    Receipt,
)
from app.timeutil import utcnow

MAX_UNITS = 5_000  # in one receipt
CENT = Decimal("0.01")


class UnitIn(Schema):
    class Meta:
        unknown = RAISE

    serial = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    tag = fields.Str(validate=validate.Length(min=1, max=64))  # a pre-printed label scanned


class LineUnitsIn(Schema):
    class Meta:
        unknown = RAISE

    line = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=10_000))
    units = fields.List(fields.Nested(UnitIn), required=True,
                        validate=validate.Length(min=1, max=MAX_UNITS))


class ReceiptIn(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True)
    location = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    lines = fields.List(fields.Nested(LineUnitsIn), required=True,
                        validate=validate.Length(min=1, max=200))


class ReceivedIn(AssetIn):
    """A new asset's fields, with the order line it came on."""

    purchase_order = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    line = fields.Int(required=True, strict=True)
    receipt = fields.Str(required=True, validate=validate.Length(min=36, max=36))


LINKS = ("purchase_order", "line", "receipt")


def received(asset: Asset, data: dict) -> Change:
    """The `receipt` event: a new asset, as `create` makes one, that keeps its order line."""
    links = {name: data[name] for name in LINKS if name in data}
    check(ReceivedIn, data)  # the links' shapes too; create checks the asset's fields again
    change = create(asset, {k: v for k, v in data.items() if k not in LINKS})
    return Change(change.data | links, change.effects, change.records)


TYPES = (EventType("receipt", received, ReceivedIn, "Receive on an order",
                   "received on an order", offered=frozenset(), from_devices=False),)


def unit_costs(order: PurchaseOrder) -> dict[int, Decimal]:
    """Each line's cost of one unit with its share of the freight and tax, by its share of
    the goods' value, to the cent (the cents the rounding leaves over stay with the order)."""
    extra, goods = order.freight + order.tax, order.goods
    return {line.line: (line.unit_cost + (extra * line.unit_cost / goods if goods else 0))
            .quantize(CENT, ROUND_HALF_UP) for line in order.lines}


def receive(order: PurchaseOrder, body: dict, *, actor: User,
            device: str = "web") -> tuple[dict, bool]:
    """Receive `body` (ReceiptIn) on `order`: ({"status", "assets"}, whether it is new).
    The caller commits, or rolls back on a refusal."""
    clean = load(ReceiptIn(), body)
    ident = str(clean["id"])
    audit.lock_chain()  # first: two phones' receipts of one order are counted one by one
    earlier = db.session.get(Receipt, ident)
    if earlier is not None:
        if earlier.order_id != order.id:
            raise Duplicate("This receipt id was used on another order; give each receipt "
                            "its own.", {"id": ident})
        return {"status": "duplicate", "assets": earlier.assets}, False
    if order.status not in RECEIVING:
        raise NotAllowed(f"{order.number} is {order.status.replace('_', ' ')}: "
                         + ("send it before receiving on it." if order.status ==
                            OrderStatus.DRAFT else "nothing more is received on it."),
                         {"status": str(order.status)})
    place = org.find_location(clean["location"])
    lines = {line.line: line for line in order.lines}
    units = [(_line(lines, entry["line"], order), unit) for entry in clean["lines"]
             for unit in entry["units"]]
    if len(units) > MAX_UNITS:
        raise ValidationFailed(f"A receipt takes at most {MAX_UNITS:,} units; send the rest "
                               "in another.", {"units": len(units)})
    _check_quantities(units, order)
    with lookups_remembered():
        serials, tags = _check_serials(units), _tags(units)
        # Checked here for the whole receipt at once: each unit's event need not ask again.
        for serial in serials:
            remember(("named_by", serial, False, None), None)
        for tag in tags:
            remember(("named_by", tag, True, None), None)
        made = _make(order, units, tags, place.code, ident, actor, device)
    for line, count in _counts(units).items():
        line.received += count
    done = all(line.received >= line.quantity for line in order.lines)
    status = OrderStatus.RECEIVED if done else OrderStatus.PARTLY_RECEIVED
    if status != order.status:
        documents.move(order, status, ORDER_TRANSITIONS, what=f"Purchase order {order.number}")
    db.session.add(Receipt(id=ident, order=order, location_id=place.id, assets=made,
                           received_by=actor))
    documents.record("order_received", order.number, {
        "receipt": ident, "location": place.code, "assets": made,
        "lines": {str(line.line): count for line, count in _counts(units).items()}},
        actor=actor, device=device)
    return {"status": "received", "assets": made}, True


def _make(order, units, tags, location, ident, actor, device) -> list[str]:
    costs, today, made = unit_costs(order), utcnow().date(), []
    for n, ((line, unit), tag) in enumerate(zip(units, tags, strict=True)):
        data = _asset_data(order, line, unit, tag, location, costs[line.line], today) | {
            "receipt": ident}
        # The unit's event id is derived from the receipt's, so it too is made once.
        event = apply_or_raise(EventIn("receipt", tag, data, id=server_event_id(
            "receipt", ident, n), device=device), actor=actor)
        made.append(event.asset.tag)
    return made


def _line(lines: dict[int, OrderLine], number: int, order: PurchaseOrder) -> OrderLine:
    if number not in lines:
        raise ValidationFailed(f"{order.number} has no line {number}; its lines are "
                      f"{', '.join(map(str, lines))}.", {"line": number})
    return lines[number]


def _counts(units) -> dict[OrderLine, int]:
    counts: dict[OrderLine, int] = {}
    for line, _ in units:
        counts[line] = counts.get(line, 0) + 1
    return counts


def _check_quantities(units, order: PurchaseOrder) -> None:
    for line, count in _counts(units).items():
        room = line.quantity + line.tolerance - line.received
        if count > room:
            raise ValidationFailed(
                f"Line {line.line} of {order.number} ({line.model.name}) ordered "
                f"{line.quantity}{f' (+{line.tolerance} tolerated)' if line.tolerance else ''}"
                f" and has {line.received} received: {count} more would be "
                f"{line.received + count - line.quantity - line.tolerance} too many. Nothing "
                "of this receipt was received.",
                {"line": line.line, "over_by": line.received + count - line.quantity
                 - line.tolerance})


def _check_serials(units) -> list[str]:
    """The receipt's serials, refused when one is twice in it, or names an asset already in
    the register (its serial in any case, its tag or a code on it): a dock scanning a known
    serial has the wrong box, or scanned it before."""
    serials, seen = [unit["serial"].strip() for _, unit in units], set()
    for serial in serials:
        if serial.upper() in seen:
            raise ValidationFailed(f"The serial {serial!r} is twice in this receipt. Nothing "
                                   "of it was received.", {"serial": serial})
        seen.add(serial.upper())
    hits = codes.taken(serials, serials=True)
    if hits:
        serial, (tag, how) = next(iter(hits.items()))
        named = {"tag": "the tag of", "code": "a code on", "serial": "the serial of"}[how]
        raise ValidationFailed(f"The serial {serial!r} is already in the register: it is "
                               f"{named} {tag}. Nothing of this receipt was received.",
                               {"serial": serial, "taken_by": tag})
    return serials


def _tags(units) -> list[str]:
    """The given tag (a pre-printed label scanned) of each unit, else the next of the series."""
    given = [unit.get("tag") for _, unit in units]
    labels = [tag for tag in given if tag]
    if len({tag.upper() for tag in labels}) != len(labels):
        raise ValidationFailed("A label is scanned twice in this receipt. Nothing of it was "
                               "received.", {"tag": "twice"})
    taken, number, out = {tag.upper() for tag in labels}, series.highest_used(), []
    for tag in given:
        while tag is None:
            number += 1
            candidate = series.format_tag(number)
            tag = None if candidate.upper() in taken else candidate
        out.append(tag)
    hits = codes.taken(out, serials=True)
    if hits:
        label, (tag, _) = next(iter(hits.items()))
        raise ValidationFailed(f"The tag {label!r} already names {tag}. Nothing of this "
                               "receipt was received.", {"tag": label, "taken_by": tag})
    return out


def _asset_data(order: PurchaseOrder, line: OrderLine, unit: dict, tag: str, location: str,
                cost: Decimal, today: date) -> dict:
    return {"tag": tag, "name": line.model.name, "model": line.model.name,
            "serial": unit["serial"].strip(), "location": location,
            "purchase_date": today.isoformat(), "purchase_cost": str(cost),
            "supplier": order.supplier, "purchase_order": order.number, "line": line.line,
            **({"department": order.request.department.code}
               if order.request and order.request.department else {})}
