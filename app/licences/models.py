"""A licence (or subscription, lease, support contract) and its assignments: who or what
holds one of its seats. An assignment is never deleted; releasing it keeps the row, with
when and why, so the trail of who held a seat stays readable."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.auth.models import User
from app.dbtypes import MONEY, str_enum
from app.extensions import db
from app.org.models import Person
from app.timeutil import utcnow


class LicenceKind(StrEnum):
    PER_USER = "per_user"  # a seat per person
    PER_DEVICE = "per_device"  # a seat per asset
    SITE = "site"  # the whole site: people or assets may be listed, seats rarely counted


class Contract(StrEnum):
    """What the agreement is. Leases and support contracts have the same screens as
    licences (an end date, notice, cost to date); a lease's assets go back at its end."""

    LICENCE = "licence"
    SUBSCRIPTION = "subscription"
    LEASE = "lease"
    SUPPORT = "support"


class Licence(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)  # LIC-2026-000001
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    kind: so.Mapped[LicenceKind] = so.mapped_column(str_enum(LicenceKind))
    contract: so.Mapped[Contract] = so.mapped_column(str_enum(Contract),
                                                     default=Contract.LICENCE)
    seats: so.Mapped[int | None]  # None: unlimited
    cost: so.Mapped[Decimal] = so.mapped_column(MONEY)  # for the whole term
    term_start: so.Mapped[date]
    term_end: so.Mapped[date] = so.mapped_column(index=True)
    notice_days: so.Mapped[int] = so.mapped_column(default=30)  # to cancel before it renews
    vendor: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    assignments: so.Mapped[list["LicenceAssignment"]] = so.relationship(
        back_populates="licence", order_by="LicenceAssignment.id")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class LicenceAssignment(db.Model):
    __tablename__ = "licence_assignment"
    __table_args__ = (
        sa.CheckConstraint("(person_id IS NULL) <> (asset_id IS NULL)", name="one_holder"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    licence_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("licence.id"), index=True)
    person_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("person.id"), index=True)
    asset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    assigned_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    assigned_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    released_at: so.Mapped[datetime | None] = so.mapped_column(index=True)  # None: holds a seat
    released_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    licence: so.Mapped[Licence] = so.relationship(back_populates="assignments")
    person: so.Mapped[Person | None] = so.relationship()
    asset: so.Mapped[Asset | None] = so.relationship()
    assigned_by: so.Mapped[User] = so.relationship()

    @property
    def holder(self) -> str:
        return self.person.code if self.person else self.asset.tag
