"""The work-order document's rules: finding an order, moving its status by STEPS, what its
asset returns to when it closes, and the lists pages show (what orders cost: costs.py).
Changes come from the event handlers (events.py), inside the pipeline; the caller commits."""
import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app import documents
from app.assets.models import Asset
from app.auth.models import User
from app.auth.roles import Permission
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus
from app.maintenance.models import (
    CLOSED,
    STEPS,
    TRANSITIONS,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from app.numbering import next_number
from app.org.service import descendant_ids, find_location

PREFIX = "WO"
RETURNABLE = frozenset({AssetStatus.IN_STOCK, AssetStatus.DEPLOYED})


def canonical(text) -> str | None:
    """The order id `text` names, in its stored form, or None."""
    try:
        return str(uuid.UUID(str(text)))
    except ValueError:
        return None


def find(key: str) -> WorkOrder:
    """The order with this number (any case) or id, or NotFound."""
    key = (key or "").strip()
    ident = canonical(key) if len(key) >= 32 else None
    where = WorkOrder.id == ident if ident else sa.func.upper(WorkOrder.number) == key.upper()
    order = db.session.scalar(sa.select(WorkOrder).where(where))
    if order is None:
        raise NotFound(f"There is no work order {key!r}.", {"work_order": key})
    return order


def of_asset(work_order: str, asset: Asset) -> WorkOrder:
    """The order an event names, which must be one of its asset's."""
    order = db.session.get(WorkOrder, work_order)
    if order is None or order.asset_id != asset.id:
        raise NotFound(f"{asset.tag} has no work order {work_order}.",
                       {"work_order": work_order})
    return order


def assignee(email: str | None) -> User | None:
    """The user an order is given to, by e-mail: someone active who works in the field."""
    if not email:
        return None
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None or not user.can(Permission.FIELD):
        problem = f"There is no active user {email!r} who may work orders."
        raise ValidationFailed(f"assignee: {problem}", {"fields": {"assignee": [problem]}})
    return user


def new_number(year: int) -> str:
    """The next WO-YYYY-NNNNNN; the pipeline holds the audit chain's lock meanwhile."""
    return next_number(WorkOrder.number, PREFIX, year)


PAST = {"work_order_start": "started", "work_order_update": "updated",
        "work_order_complete": "completed", "work_order_cancel": "cancelled"}


def check_step(order: WorkOrder, event_type: str) -> None:
    """Refuse an event the order's status does not allow (STEPS), saying why."""
    if order.status not in STEPS[event_type].allowed_from:
        raise InvalidTransition(
            f"Work order {order.number} is {order.status.replace('_', ' ')}: it cannot be "
            f"{PAST[event_type]} now.", {"status": str(order.status), "event": event_type})


def move(order: WorkOrder, to: WorkOrderStatus, **values) -> None:
    if to == order.status:
        return
    documents.move(order, to, TRANSITIONS, what=f"Work order {order.number}", **values)


def other_out_of_service(order: WorkOrder) -> WorkOrder | None:
    """Another open order on the same asset that keeps it out of service."""
    return db.session.scalar(sa.select(WorkOrder).where(
        WorkOrder.asset_id == order.asset_id, WorkOrder.id != order.id,
        WorkOrder.out_of_service.is_(True), WorkOrder.status.not_in(CLOSED)).limit(1))


def return_status(asset: Asset, order: WorkOrder | None = None) -> str | None:
    """For an order opened out of service: the status the asset goes back to afterwards."""
    other = other_out_of_service(order) if order is not None else db.session.scalar(
        sa.select(WorkOrder).where(WorkOrder.asset_id == asset.id,
                                   WorkOrder.out_of_service.is_(True),
                                   WorkOrder.status.not_in(CLOSED)).limit(1))
    if other is not None:
        return other.return_status  # it is already out: back to where the first found it
    return str(asset.status) if asset.status in RETURNABLE else None


def returns_to(order: WorkOrder, asset: Asset) -> str | None:
    """Where the asset goes when `order` closes: back to its status before, if this order
    took it out of service, it is still in repair, and no other open order keeps it there."""
    if not order.out_of_service or asset.status != AssetStatus.IN_REPAIR:
        return None
    if other_out_of_service(order) is not None:
        return None
    return order.return_status if order.return_status in RETURNABLE else None


@dataclass
class Filters:
    asset: str = ""
    status: str = ""
    kind: str = ""
    assignee: str = ""
    place: str = ""  # a location's code: the orders of assets there or anywhere under it
    due_by: str = ""  # a date: orders due on or before it
    active: str = ""  # "1": only those not done or cancelled


def _due_by(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("'due_by' is a date, YYYY-MM-DD.", {"due_by": text}) from None


def query(filters: Filters) -> sa.Select:
    """Orders, most urgent work first: open ones by due date, then the closed, newest first."""
    stmt = (sa.select(WorkOrder).join(WorkOrder.asset)
            .options(so.contains_eager(WorkOrder.asset), so.joinedload(WorkOrder.assignee)))
    if filters.place:
        place = find_location(filters.place, "place")
        stmt = stmt.where(Asset.location_id.in_(descendant_ids(place)))
    if filters.due_by:
        stmt = stmt.where(WorkOrder.due <= _due_by(filters.due_by))
    if filters.active not in ("", "0", "1"):
        raise ValidationFailed("'active' is 1 (only orders still to do) or 0.",
                               {"active": filters.active})
    if filters.active == "1":
        stmt = stmt.where(WorkOrder.status.not_in(CLOSED))
    if filters.asset:
        stmt = stmt.where(sa.func.upper(Asset.tag) == filters.asset.strip().upper())
    if filters.status:
        if filters.status not in set(WorkOrderStatus):
            raise ValidationFailed(f"'status' must be one of {', '.join(WorkOrderStatus)}.",
                                   {"status": filters.status})
        stmt = stmt.where(WorkOrder.status == filters.status)
    if filters.kind:
        if filters.kind not in set(WorkOrderKind):
            raise ValidationFailed(f"'kind' must be one of {', '.join(WorkOrderKind)}.",
                                   {"kind": filters.kind})
        stmt = stmt.where(WorkOrder.kind == filters.kind)
    if filters.assignee:
        person = so.aliased(User)
        stmt = stmt.join(person, WorkOrder.assignee_id == person.id).where(
            sa.func.lower(person.email) == filters.assignee.strip().lower())
    closed = WorkOrder.status.in_(CLOSED)
    return stmt.order_by(closed, WorkOrder.due.is_(None), WorkOrder.due,
                         WorkOrder.opened_at.desc(), WorkOrder.number.desc())


def open_orders(asset: Asset) -> list[WorkOrder]:
    return db.session.scalars(query(Filters(asset=asset.tag)).where(
        WorkOrder.status.not_in(CLOSED))).all()


def open_counts(asset_ids: list[int]) -> dict[int, int]:
    """How many open orders each asset has, for the phone's card."""
    if not asset_ids:
        return {}
    return dict(db.session.execute(
        sa.select(WorkOrder.asset_id, sa.func.count()).where(
            WorkOrder.asset_id.in_(asset_ids), WorkOrder.status.not_in(CLOSED))
        .group_by(WorkOrder.asset_id)).all())


def events_of(order: WorkOrder) -> list:
    """The events that worked this order, oldest first (the asset's, read by their data)."""
    rows = db.session.scalars(sa.select(Event).where(
        Event.asset_id == order.asset_id, Event.type.startswith("work_order_"))
        .options(so.joinedload(Event.actor)).order_by(Event.seq)).all()
    return [e for e in rows if e.data.get("work_order") == order.id]
