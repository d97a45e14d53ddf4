"""Schedules for other systems (GET/POST /api/v1/schedules) and for managers at the desk:
the schedules and a form for a new one, a month's calendar of orders due and occurrences to
come, and the backlog of open orders, overdue first, by site and assignee."""
import calendar as months
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.api import documented, json_body, load, page_arg, paged
from app.assets.models import Asset
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.forms import NumberField, form_status, show_error
from app.maintenance import planner, schedules
from app.maintenance.models import CLOSED, WorkOrder
from app.maintenance.schedules import ScheduleIn
from app.org.models import Location
from app.timeutil import utcnow

api = Blueprint("schedules_api", __name__, url_prefix="/api/v1/schedules")
pages = Blueprint("schedules", __name__, url_prefix="/admin/maintenance")


@api.get("")
@requires(Permission.VIEW)
def index():
    """The schedules, by title, a page at a time."""
    return paged(schedules.listing(), schedules.schedule_json)


@api.post("")
@requires(Permission.MANAGE)
@documented(ScheduleIn)
def create():
    """A schedule on an asset or on every asset of a model: every N days or months, every N
    units of a meter, or both (whichever first); or a threshold (meter + above or below)."""
    data = load(ScheduleIn(), json_body())
    schedule = schedules.create(data, actor=current_user)
    db.session.commit()
    return schedules.schedule_json(schedule), 201


# --- desk pages ------------------------------------------------------------------------------

class ScheduleForm(FlaskForm):
    target = SelectField("For", choices=[("asset", "One asset"),
                                         ("model", "Every asset of a model")])
    asset = StringField("Asset tag", validators=[Optional(), Length(max=64)])
    model = StringField("Model name", validators=[Optional(), Length(max=200)])
    title = StringField("Title (the work to do)", validators=[DataRequired(), Length(max=200)])
    every = IntegerField("Every", validators=[Optional(), NumberRange(min=1, max=3660)])
    unit = SelectField("Calendar unit", choices=[("months", "months"), ("days", "days")])
    floating = BooleanField("Count from the last completion (floating), not from the start")
    meter = StringField("Meter name", validators=[Optional(), Length(max=64)])
    every_units = NumberField("Every so many units of the meter", validators=[Optional()])
    above = NumberField("Threshold: an order when the meter reads above", validators=[Optional()])
    below = NumberField("Threshold: an order when the meter reads below", validators=[Optional()])
    lead_days = IntegerField("Lead time (days)", default=0,
                             validators=[Optional(), NumberRange(min=0, max=365)])
    start = DateField("Start", validators=[Optional()])
    checklist = TextAreaField("Checklist (one item a line)",
                              validators=[Optional(), Length(max=50_000)])

    def body(self) -> dict:
        """The same body POST /api/v1/schedules takes, so both check the same way."""
        data = {"title": (self.title.data or "").strip(), "floating": bool(self.floating.data),
                "lead_days": self.lead_days.data or 0}
        target = self.target.data
        data[target] = ((self.asset.data if target == "asset" else self.model.data)
                        or "").strip()
        if self.every.data:
            data["every_months" if self.unit.data == "months" else "every_days"] = \
                self.every.data
        for name in ("meter",):
            if (getattr(self, name).data or "").strip():
                data[name] = getattr(self, name).data.strip()
        for name in ("every_units", "above", "below"):
            if getattr(self, name).data is not None:
                data[name] = float(getattr(self, name).data)
        if self.start.data:
            data["start"] = self.start.data.isoformat()
        lines = [line.strip() for line in (self.checklist.data or "").splitlines()]
        data["checklist"] = [line for line in lines if line]
        if not data[target]:
            data.pop(target)
        return data


@pages.get("/schedules")
@requires(Permission.VIEW)
def list_schedules():
    page = db.paginate(schedules.listing(), page=page_arg(), per_page=50, error_out=False)
    return render_template("maintenance/schedules.html", page=page)


@pages.route("/schedules/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new_schedule():
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            schedule = schedules.create(load(ScheduleIn(), form.body()), actor=current_user)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Schedule “{schedule.title}” saved ({schedule.every}); the next planner run "
                  "opens its orders as they fall due.")
            return redirect(url_for(".list_schedules"))
    return render_template("maintenance/schedule_new.html", form=form), form_status(form)


def _month() -> date:
    raw = request.args.get("month", "")[:7]
    try:
        year, month = int(raw[:4]), int(raw[5:7])
        return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except ValueError:
        return None


@pages.get("/calendar")
@requires(Permission.VIEW)
def calendar():
    """A month: the orders due in it, and the occurrences the planner would make."""
    first = _month() or utcnow().date().replace(day=1)
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    orders = db.session.scalars(
        sa.select(WorkOrder).where(WorkOrder.due >= first, WorkOrder.due <= last)
        .options(so.joinedload(WorkOrder.asset)).order_by(WorkOrder.due, WorkOrder.number)
        .limit(2000)).all()
    days = defaultdict(list)
    for order in orders:
        days[order.due].append(("order", order))
    today = utcnow().date()
    if last >= today:
        plan = planner.decide(days=(last - today).days, today=today)
        for item in plan.due[:2000]:
            if first <= item.due <= last:
                days[item.due].append(("planned", item))
    weeks = months.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (last + timedelta(days=1))
    return render_template("maintenance/calendar.html", weeks=weeks, days=days, first=first,
                           today=today, previous=previous, following=following)


@pages.get("/backlog")
@requires(Permission.VIEW)
def backlog():
    """Open orders, overdue first, grouped by site and assignee."""
    today = utcnow().date()
    rows = db.session.execute(
        sa.select(WorkOrder, Location).join(WorkOrder.asset)
        .outerjoin(Location, Location.id == Asset.location_id)
        .where(WorkOrder.status.not_in(CLOSED))
        .options(so.contains_eager(WorkOrder.asset), so.joinedload(WorkOrder.assignee))
        .order_by(WorkOrder.due.is_(None), WorkOrder.due, WorkOrder.number).limit(5000)).all()
    site_ids = {int(loc.path.strip("/").split("/")[0]) for _, loc in rows
                if loc is not None and loc.path.strip("/")}
    sites = {s.id: s for s in db.session.scalars(
        sa.select(Location).where(Location.id.in_(site_ids)))} if site_ids else {}
    groups = defaultdict(list)
    for order, loc in rows:
        site = sites.get(loc.site_id) if loc is not None and loc.path.strip("/") else None
        groups[(site.name if site else "No site", order.assignee.email if order.assignee
                else "Unassigned")].append(order)
    ordered = sorted(groups.items(), key=lambda kv: (
        not any(o.due and o.due < today for o in kv[1]), kv[0]))
    overdue = sum(1 for o, _ in rows if o.due and o.due < today)
    return render_template("maintenance/backlog.html", groups=ordered, today=today,
                           total=len(rows), overdue=overdue)
