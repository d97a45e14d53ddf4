"""Maintenance schedules: what work falls due on an asset, or on every asset of a model
(present and future), by the calendar, by a meter, or both (whichever first), and threshold
triggers on a meter. Each order a schedule makes is one occurrence, kept in a table with a
unique key, so no occurrence is made twice, whoever plans at the same time (planner.py)."""
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from app.assets.models import Asset
from app.auth.models import User
from app.catalog.models import AssetModel
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.maintenance.models import WorkOrder
from app.meters.models import Meter
from app.timeutil import isoformat, utcnow

MAX_DAYS, MAX_MONTHS, MAX_LEAD = 3660, 120, 365


class Schedule(db.Model):
    __table_args__ = (
        sa.CheckConstraint("(asset_id IS NULL) <> (model_id IS NULL)", name="one_target"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    asset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    model_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset_model.id"),
                                                       index=True)
    every_days: so.Mapped[int | None]
    every_months: so.Mapped[int | None]
    floating: so.Mapped[bool] = so.mapped_column(default=False)  # from the last completion
    meter: so.Mapped[str | None] = so.mapped_column(sa.String(64))  # a meter's name
    every_units: so.Mapped[float | None]
    above: so.Mapped[float | None]  # a threshold trigger: a predictive order past it
    below: so.Mapped[float | None]
    lead_days: so.Mapped[int] = so.mapped_column(default=0)
    checklist: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    start: so.Mapped[date]  # a fixed interval counts from here
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    asset: so.Mapped[Asset | None] = so.relationship()
    model: so.Mapped[AssetModel | None] = so.relationship()
    created_by: so.Mapped[User] = so.relationship()

    @property
    def threshold(self) -> bool:
        return self.above is not None or self.below is not None

    @property
    def every(self) -> str:
        """The interval in words: "every 3 months or 5,000 h", "above 30"."""
        if self.threshold:
            side = f"above {self.above:g}" if self.above is not None else f"below {self.below:g}"
            return f"{self.meter} {side}"
        parts = []
        if self.every_days:
            parts.append(f"every {self.every_days} day{'s' * (self.every_days != 1)}")
        if self.every_months:
            parts.append(f"every {self.every_months} month{'s' * (self.every_months != 1)}")
        if self.every_units:
            parts.append(f"every {self.every_units:,g} {self.meter}")
        return " or ".join(parts) + (" (floating)" if self.floating else "")


class ScheduleOccurrence(db.Model):
    """One occurrence a schedule made into an order for one asset. The unique key is what
    keeps two planners running at once from both making it; `cleared_at` is when a
    threshold's value was seen back on the right side since (hysteresis)."""

    __tablename__ = "schedule_occurrence"
    __table_args__ = (sa.UniqueConstraint("schedule_id", "asset_id", "seq"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    schedule_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("schedule.id"))
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    seq: so.Mapped[int]  # 1, 2 ... per schedule and asset
    due: so.Mapped[date]
    due_units: so.Mapped[float | None]  # the meter value it fell due at
    work_order_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("work_order.id"),
                                                     unique=True)
    cleared_at: so.Mapped[datetime | None]
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    schedule: so.Mapped[Schedule] = so.relationship()
    work_order: so.Mapped[WorkOrder] = so.relationship()


# --- the contract's body ---------------------------------------------------------------------

def _positive(most, what):
    return validate.Range(min=1, max=most, error=f"{what} is a whole number from 1 to {most:,}.")


class ScheduleIn(Schema):
    class Meta:
        unknown = RAISE

    asset = fields.Str(validate=validate.Length(min=1, max=64))
    model = fields.Str(validate=validate.Length(min=1, max=200))
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    every_days = fields.Int(strict=True, validate=_positive(MAX_DAYS, "every_days"))
    every_months = fields.Int(strict=True, validate=_positive(MAX_MONTHS, "every_months"))
    floating = fields.Bool(load_default=False)
    meter = fields.Str(validate=validate.Length(min=1, max=64))
    every_units = fields.Float(allow_nan=False, validate=validate.Range(
        min=0, min_inclusive=False, max=1e12, error="every_units is a number above 0."))
    above = fields.Float(allow_nan=False, validate=validate.Range(min=-1e12, max=1e12))
    below = fields.Float(allow_nan=False, validate=validate.Range(min=-1e12, max=1e12))
    lead_days = fields.Int(strict=True, load_default=0, validate=validate.Range(
        min=0, max=MAX_LEAD, error=f"lead_days is a whole number from 0 to {MAX_LEAD}."))
    checklist = fields.List(fields.Str(validate=validate.Length(min=1, max=500)),
                            validate=validate.Length(max=100), load_default=list)
    start = fields.Date()

    @validates_schema
    def _one_way(self, data, **_kwargs):
        if ("asset" in data) == ("model" in data):
            raise ValidationError("Give either an asset (its tag) or a model, not both.",
                                  "asset")
        if "every_days" in data and "every_months" in data:
            raise ValidationError("Give every_days or every_months, not both.", "every_days")
        if "above" in data and "below" in data:
            raise ValidationError("A threshold is above or below, not both: make two "
                                  "schedules.", "above")
        threshold = "above" in data or "below" in data
        if ("every_units" in data or threshold) and "meter" not in data:
            raise ValidationError("every_units, above and below need a meter.", "meter")
        if "meter" in data and not threshold and "every_units" not in data:
            raise ValidationError("A meter needs every_units (or above or below).",
                                  "every_units")
        calendar = "every_days" in data or "every_months" in data
        if threshold and (calendar or "every_units" in data):
            raise ValidationError("A threshold trigger has no interval besides its meter.",
                                  "above")
        if not threshold and not calendar and "every_units" not in data:
            raise ValidationError("Give an interval: every_days, every_months or "
                                  "every_units with a meter (or a threshold).", "every_days")


def create(data: dict, *, actor: User) -> Schedule:
    """A new schedule from checked data (ScheduleIn): its asset or model and its meter must
    exist. The caller commits."""
    asset = model = None
    if data.get("asset"):
        from app.assets.service import get_by_tag
        asset = get_by_tag(data["asset"])
    else:
        model = db.session.scalar(sa.select(AssetModel).where(
            sa.func.lower(AssetModel.name) == data["model"].strip().lower()))
        if model is None:
            raise NotFound(f"There is no model {data['model']!r}.", {"model": data["model"]})
    if data.get("meter"):
        name = data["meter"].strip()
        where = (Meter.asset_id == asset.id if asset is not None else
                 Meter.asset_id.in_(sa.select(Asset.id).where(Asset.model_id == model.id)))
        if db.session.scalar(sa.select(Meter.id).where(where, Meter.name == name).limit(1)) \
                is None:
            whose = asset.tag if asset is not None else f"any asset of {model.name}"
            problem = f"{whose} has no meter named {name!r}."
            raise ValidationFailed(f"meter: {problem}", {"fields": {"meter": [problem]}})
        data["meter"] = name
    schedule = Schedule(
        title=data["title"].strip(), asset=asset, model=model,
        every_days=data.get("every_days"), every_months=data.get("every_months"),
        floating=data.get("floating", False), meter=data.get("meter"),
        every_units=data.get("every_units"), above=data.get("above"), below=data.get("below"),
        lead_days=data.get("lead_days", 0), checklist=list(data.get("checklist", [])),
        start=data.get("start") or utcnow().date(), created_by=actor)
    db.session.add(schedule)
    db.session.flush()
    return schedule


def schedule_json(schedule: Schedule) -> dict:
    return {"id": schedule.id, "title": schedule.title,
            "asset": schedule.asset.tag if schedule.asset else None,
            "model": schedule.model.name if schedule.model else None,
            "every_days": schedule.every_days, "every_months": schedule.every_months,
            "floating": schedule.floating, "meter": schedule.meter,
            "every_units": schedule.every_units, "above": schedule.above,
            "below": schedule.below, "lead_days": schedule.lead_days,
            "checklist": list(schedule.checklist or []), "start": isoformat(schedule.start),
            "active": schedule.active, "every": schedule.every,
            "kind": "predictive" if schedule.threshold else "preventive",
            "created_by": schedule.created_by.email,
            "created_at": isoformat(schedule.created_at)}


def listing() -> sa.Select:
    return (sa.select(Schedule).options(so.joinedload(Schedule.asset),
                                        so.joinedload(Schedule.model),
                                        so.joinedload(Schedule.created_by))
            .order_by(Schedule.title, Schedule.id))
