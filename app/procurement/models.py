"""Purchase requests (the business case for buying or leasing something, and the approvals it
needs), purchase orders with their lines, and the receipts that bring the ordered units into
the register. Requests and orders are documents, not assets: nothing enters the register
until it is received."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.auth.roles import Permission
from app.catalog.models import AssetModel
from app.dbtypes import MONEY, str_enum
from app.extensions import db
from app.org.models import Department
from app.timeutil import utcnow


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ORDERED = "ordered"
    CANCELLED = "cancelled"


R = RequestStatus
# The moves a request may make (app/documents.py); rejected, ordered and cancelled are final.
REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    R.SUBMITTED: frozenset({R.APPROVED, R.REJECTED, R.CANCELLED}),
    R.APPROVED: frozenset({R.ORDERED, R.CANCELLED}),
    R.REJECTED: frozenset(),
    R.ORDERED: frozenset(),
    R.CANCELLED: frozenset(),
}


class BuyOrLease(StrEnum):
    BUY = "buy"
    LEASE = "lease"


class Level(StrEnum):
    """Who approves: a manager always, finance as well above APPROVAL_FINANCE_ABOVE."""

    MANAGER = "manager"
    FINANCE = "finance"


LEVEL_PERMISSION = {Level.MANAGER: Permission.MANAGE, Level.FINANCE: Permission.FINANCE}


class PurchaseRequest(db.Model):
    __tablename__ = "purchase_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    justification: so.Mapped[str] = so.mapped_column(sa.Text)  # the need, and why now
    model_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset_model.id"),
                                                       index=True)
    specification: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # without a model
    quantity: so.Mapped[int]
    estimated_unit_cost: so.Mapped[Decimal | None] = so.mapped_column(MONEY)
    buy_or_lease: so.Mapped[BuyOrLease] = so.mapped_column(str_enum(BuyOrLease),
                                                           default=BuyOrLease.BUY)
    expected_life_months: so.Mapped[int | None]
    department_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("department.id"),
                                                            index=True)
    budget_line: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    needed_by: so.Mapped[date | None]
    # The asset this one replaces, when it was raised as an asset was retired.
    replaces: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    status: so.Mapped[RequestStatus] = so.mapped_column(
        str_enum(RequestStatus), default=RequestStatus.SUBMITTED, index=True)
    requested_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    decided_at: so.Mapped[datetime | None]

    model: so.Mapped[AssetModel | None] = so.relationship()
    department: so.Mapped[Department | None] = so.relationship()
    requested_by: so.Mapped[User] = so.relationship()
    approvals: so.Mapped[list["RequestApproval"]] = so.relationship(
        back_populates="request", order_by="RequestApproval.id")

    @property
    def total(self) -> Decimal | None:
        if self.estimated_unit_cost is None:
            return None
        return self.estimated_unit_cost * self.quantity


class RequestApproval(db.Model):
    """One person's decision on a request at one level; the audit trail holds it too."""

    __tablename__ = "request_approval"
    __table_args__ = (sa.UniqueConstraint("request_id", "level"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("purchase_request.id"))
    level: so.Mapped[Level] = so.mapped_column(str_enum(Level))
    approved: so.Mapped[bool]
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    request: so.Mapped[PurchaseRequest] = so.relationship(back_populates="approvals")
    user: so.Mapped[User] = so.relationship()


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


PO = OrderStatus
# The moves an order may make; receipts move it to partly_received and received.
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    PO.DRAFT: frozenset({PO.SENT, PO.CANCELLED}),
    PO.SENT: frozenset({PO.PARTLY_RECEIVED, PO.RECEIVED, PO.CANCELLED}),
    PO.PARTLY_RECEIVED: frozenset({PO.RECEIVED, PO.CANCELLED}),
    PO.RECEIVED: frozenset(),
    PO.CANCELLED: frozenset(),
}
RECEIVING = frozenset({PO.SENT, PO.PARTLY_RECEIVED})


class PurchaseOrder(db.Model):
    __tablename__ = "purchase_order"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    supplier: so.Mapped[str] = so.mapped_column(sa.String(200))
    request_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("purchase_request.id"),
                                                         index=True)
    # Spread over the units by their share of the goods' value (receiving.py).
    freight: so.Mapped[Decimal] = so.mapped_column(MONEY, default=Decimal("0.00"))
    tax: so.Mapped[Decimal] = so.mapped_column(MONEY, default=Decimal("0.00"))
    status: so.Mapped[OrderStatus] = so.mapped_column(str_enum(OrderStatus),
                                                      default=OrderStatus.DRAFT, index=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    request: so.Mapped[PurchaseRequest | None] = so.relationship()
    created_by: so.Mapped[User] = so.relationship()
    lines: so.Mapped[list["OrderLine"]] = so.relationship(back_populates="order",
                                                          order_by="OrderLine.line")

    @property
    def goods(self) -> Decimal:
        return sum((line.unit_cost * line.quantity for line in self.lines), Decimal("0.00"))


class OrderLine(db.Model):
    __tablename__ = "order_line"
    __table_args__ = (sa.UniqueConstraint("order_id", "line"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("purchase_order.id"))
    line: so.Mapped[int]  # 1, 2 ... as the order's PDF numbers them
    model_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset_model.id"))
    quantity: so.Mapped[int]
    unit_cost: so.Mapped[Decimal] = so.mapped_column(MONEY)
    tolerance: so.Mapped[int] = so.mapped_column(default=0)  # units over quantity accepted
    received: so.Mapped[int] = so.mapped_column(default=0)

    order: so.Mapped[PurchaseOrder] = so.relationship(back_populates="lines")
    model: so.Mapped[AssetModel] = so.relationship()


class Receipt(db.Model):
    """Units received on an order at once, under the id made where they were taken: a
    retried or doubly-synced receipt answers as the first did and creates nothing."""

    __tablename__ = "receipt"

    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    order_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("purchase_order.id"), index=True)
    location_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("location.id"))
    assets: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # the tags it made
    received_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    order: so.Mapped[PurchaseOrder] = so.relationship()
    received_by: so.Mapped[User] = so.relationship()
