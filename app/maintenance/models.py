"""Work orders: the document, its status table and who may move it, its checklist and the
parts used. An order changes its asset only through the events in events.py."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset, Criticality
from app.auth.models import User
from app.auth.roles import Permission
from app.dbtypes import MONEY, str_enum
from app.extensions import db
from app.lifecycle.models import Event
from app.timeutil import utcnow


class WorkOrderStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_PARTS = "waiting_parts"
    DONE = "done"
    CANCELLED = "cancelled"


class WorkOrderKind(StrEnum):
    CORRECTIVE = "corrective"  # something broke: from a fault report
    PREVENTIVE = "preventive"  # from a schedule
    PREDICTIVE = "predictive"  # from readings


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CheckResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NA = "na"


W = WorkOrderStatus
# The moves an order's status may make (app/documents.py); done and cancelled are final.
TRANSITIONS: dict[WorkOrderStatus, frozenset[WorkOrderStatus]] = {
    W.OPEN: frozenset({W.IN_PROGRESS, W.CANCELLED}),
    W.IN_PROGRESS: frozenset({W.WAITING_PARTS, W.DONE, W.CANCELLED}),
    W.WAITING_PARTS: frozenset({W.IN_PROGRESS, W.DONE, W.CANCELLED}),
    W.DONE: frozenset(),
    W.CANCELLED: frozenset(),
}
CLOSED = frozenset({W.DONE, W.CANCELLED})


@dataclass(frozen=True)
class Step:
    """What one event type does to an order: the statuses it may find the order in, the
    status it leaves (None: the event's own `status`, or unchanged), and who may send it."""

    allowed_from: frozenset[WorkOrderStatus]
    to: WorkOrderStatus | None
    permission: Permission


# Who may do what to an order, beside its transitions. An update only adds to a done order
# (a phone's parts and labour that reach the server after the completion still count).
STEPS: dict[str, Step] = {
    "work_order_open": Step(frozenset(), W.OPEN, Permission.FIELD),
    "work_order_start": Step(frozenset({W.OPEN}), W.IN_PROGRESS, Permission.FIELD),
    "work_order_update": Step(frozenset({W.OPEN, W.IN_PROGRESS, W.WAITING_PARTS, W.DONE}),
                              None, Permission.FIELD),
    "work_order_complete": Step(frozenset({W.IN_PROGRESS, W.WAITING_PARTS}), W.DONE,
                                Permission.FIELD),
    "work_order_cancel": Step(frozenset({W.OPEN, W.IN_PROGRESS, W.WAITING_PARTS}),
                              W.CANCELLED, Permission.MANAGE),
}

# An order's priority when its opener gives none: from how much the asset matters.
PRIORITY_FOR = {Criticality.CRITICAL: Priority.URGENT, Criticality.HIGH: Priority.HIGH,
                Criticality.MEDIUM: Priority.NORMAL, Criticality.LOW: Priority.LOW}


class WorkOrder(db.Model):
    __tablename__ = "work_order"
    __table_args__ = (sa.Index("ix_work_order_asset_status", "asset_id", "status"),)

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)  # made where opened
    number: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"))
    kind: so.Mapped[WorkOrderKind] = so.mapped_column(str_enum(WorkOrderKind), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    priority: so.Mapped[Priority] = so.mapped_column(str_enum(Priority))
    status: so.Mapped[WorkOrderStatus] = so.mapped_column(
        str_enum(WorkOrderStatus), default=WorkOrderStatus.OPEN, index=True)
    due: so.Mapped[date | None]
    assignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    out_of_service: so.Mapped[bool] = so.mapped_column(default=False)
    # The asset's status before this order took it out of service, to return it to.
    return_status: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    follow_up_of_id: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("work_order.id"))
    opened_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    opened_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    started_at: so.Mapped[datetime | None]
    closed_at: so.Mapped[datetime | None]
    labour_minutes: so.Mapped[int] = so.mapped_column(default=0)
    downtime_minutes: so.Mapped[int | None]
    downtime_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    work_done: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    failure: so.Mapped[bool | None]
    cost: so.Mapped[Decimal | None] = so.mapped_column(MONEY)  # besides the parts
    # What the repair is quoted at before it is done: the repair-or-replace decision weighs it.
    estimate: so.Mapped[Decimal | None] = so.mapped_column(MONEY)
    signature: so.Mapped[str | None] = so.mapped_column(sa.String(64))  # a blob's SHA-256
    cancel_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")  # why a schedule made it

    asset: so.Mapped[Asset] = so.relationship()
    assignee: so.Mapped[User | None] = so.relationship(foreign_keys=[assignee_id])
    opened_by: so.Mapped[User] = so.relationship(foreign_keys=[opened_by_id])
    items: so.Mapped[list["WorkOrderItem"]] = so.relationship(
        order_by="WorkOrderItem.position", back_populates="order")
    parts: so.Mapped[list["WorkOrderPart"]] = so.relationship(
        order_by="WorkOrderPart.id", back_populates="order")

    @property
    def parts_cost(self) -> Decimal:
        return sum((p.cost for p in self.parts if p.cost is not None), Decimal("0.00"))

    @property
    def total_cost(self) -> Decimal:
        return self.parts_cost + (self.cost or Decimal("0.00"))


class WorkOrderItem(db.Model):
    """One line of an order's checklist, and what the technicians found."""

    __tablename__ = "work_order_item"
    __table_args__ = (sa.UniqueConstraint("work_order_id", "position"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    work_order_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("work_order.id"))
    position: so.Mapped[int]  # 1, 2, ... as listed
    text: so.Mapped[str] = so.mapped_column(sa.String(500))
    result: so.Mapped[CheckResult | None] = so.mapped_column(str_enum(CheckResult))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # every note, one a line

    order: so.Mapped[WorkOrder] = so.relationship(back_populates="items")


class WorkOrderPart(db.Model):
    """Parts used on an order, as one update recorded them; updates add up."""

    __tablename__ = "work_order_part"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    work_order_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("work_order.id"),
                                                     index=True)
    event_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("event.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    quantity: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(12, 3))
    cost: so.Mapped[Decimal | None] = so.mapped_column(MONEY)  # of this quantity

    order: so.Mapped[WorkOrder] = so.relationship(back_populates="parts")
    event: so.Mapped[Event] = so.relationship()
