"""The Asset: the current state of one thing we own. Its history is the event list."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.catalog.models import AssetModel, Category
from app.dbtypes import MONEY, str_enum
from app.extensions import db
from app.lifecycle.states import AssetStatus
from app.org.models import Department, Location, Person
from app.timeutil import utcnow


class Criticality(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Asset(db.Model):
    __table_args__ = (
        # The list page filters on one of these and sorts by tag or recency.
        sa.Index("ix_asset_status_tag", "status", "tag"),
        sa.Index("ix_asset_location_tag", "location_id", "tag"),
        sa.Index("ix_asset_category_tag", "category_id", "tag"),
        sa.Index("ix_asset_department_tag", "department_id", "tag"),
        sa.Index("ix_asset_criticality_tag", "criticality", "tag"),
        # Scans are case-insensitive, so "ast-000123" must not be a second asset.
        sa.Index("uq_asset_tag_upper", sa.func.upper(sa.column("tag")), unique=True),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    tag: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    serial: so.Mapped[str | None] = so.mapped_column(sa.String(100), index=True)
    model_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset_model.id"),
                                                       index=True)
    category_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("category.id"))
    status: so.Mapped[AssetStatus] = so.mapped_column(str_enum(AssetStatus),
                                                      default=AssetStatus.IN_STOCK)
    criticality: so.Mapped[Criticality] = so.mapped_column(str_enum(Criticality),
                                                           default=Criticality.MEDIUM)
    location_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("location.id"))
    department_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("department.id"))
    assignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("person.id"),
                                                          index=True)
    purchase_date: so.Mapped[date | None]
    purchase_cost: so.Mapped[Decimal | None] = so.mapped_column(MONEY)
    supplier: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    warranty_end: so.Mapped[date | None]
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Lower-cased tag, serial, name, model, assignee and location, for search.
    search_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    version: so.Mapped[int] = so.mapped_column(default=0)  # grows with every applied event
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)

    model: so.Mapped[AssetModel | None] = so.relationship()
    category: so.Mapped[Category | None] = so.relationship()
    location: so.Mapped[Location | None] = so.relationship()
    department: so.Mapped[Department | None] = so.relationship()
    assignee: so.Mapped[Person | None] = so.relationship()
    codes: so.Mapped[list["AssetCode"]] = so.relationship(back_populates="asset")

    def __str__(self) -> str:
        return f"{self.tag} {self.name}"


def tag_key(tag: str) -> str:
    """The form tags are compared in: they are unique ignoring case (the index on
    upper(tag)), and only letters, digits and . _ : -, so upper() folds them alike in
    Python and in either database."""
    return tag.strip().upper()


def tag_is(tag: str):
    """The condition that finds the asset with this tag: one rule everywhere."""
    return sa.func.upper(Asset.tag) == tag_key(tag)


class CodeKind(StrEnum):
    LABEL = "label"  # a pre-printed or earlier system's label
    BARCODE = "barcode"  # the manufacturer's barcode (serial, EAN)


class AssetCode(db.Model):
    """Another code that names an asset when scanned, besides its tag."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(200))
    key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)  # upper-cased code
    kind: so.Mapped[CodeKind] = so.mapped_column(str_enum(CodeKind), default=CodeKind.LABEL)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    asset: so.Mapped[Asset] = so.relationship(back_populates="codes")


class TagReservation(db.Model):
    """Numbers of the tag series printed on blank labels before their assets exist: no
    later print run and no asset registered at the desk is given them."""

    __tablename__ = "tag_reservation"
    __table_args__ = (sa.UniqueConstraint("prefix", "first"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16))
    first: so.Mapped[int]
    last: so.Mapped[int]
    reserved_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    reserved_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
