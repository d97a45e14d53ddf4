"""Desk pages for work orders: the list, an order's page (worked from there through the same
events a phone sends), opening one from an asset's page, and a follow-up order for a failed
checklist line."""
import uuid

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.api import page_arg
from app.assets import service as assets
from app.auth.access import requires
from app.auth.models import User
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status, show_error
from app.maintenance import costs, orders
from app.maintenance.forms import ActionForm, OpenForm
from app.maintenance.models import (
    CheckResult,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)

bp = Blueprint("maintenance", __name__, url_prefix="/admin/work-orders")
PER_PAGE = 50
PART_ROWS = 3  # part lines on the update form


def _filters() -> orders.Filters:
    """The list's filters from the query string; a value that is not one of the choices
    (an old bookmark, a hand-typed link) is left out rather than refused."""
    args = {name: request.args.get(name, "").strip()[:254]
            for name in ("asset", "status", "kind", "assignee")}
    if args["status"] not in set(WorkOrderStatus):
        args["status"] = ""
    if args["kind"] not in set(WorkOrderKind):
        args["kind"] = ""
    return orders.Filters(**args)


@bp.get("/")
@requires(Permission.VIEW)
def index():
    filters = _filters()
    page = db.paginate(orders.query(filters), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    people = db.session.scalars(sa.select(User.email).where(User.active)
                                .order_by(User.email)).all()
    args = {k: v for k, v in vars(filters).items() if v}
    return render_template("maintenance/index.html", page=page, filters=filters, args=args,
                           people=people, statuses=list(WorkOrderStatus),
                           kinds=list(WorkOrderKind))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.FIELD)
def new():
    asset = assets.get_by_tag(request.args.get("asset", "")[:64])
    form = OpenForm()
    if form.validate_on_submit():
        data = form.data_for_event() | {"work_order": str(uuid.uuid4())}
        try:
            assets.record(asset.tag, "work_order_open", data, actor=current_user)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            order = db.session.get(WorkOrder, data["work_order"])
            flash(f"Work order {order.number} opened on {asset.tag}.")
            return redirect(url_for(".detail", order=order.number))
    return render_template("maintenance/new.html", form=form, asset=asset), form_status(form)


@bp.get("/<order>")
@requires(Permission.VIEW)
def detail(order):
    work_order = orders.find(order[:64])
    return render_template("maintenance/detail.html", order=work_order, form=ActionForm(),
                           events=orders.events_of(work_order), results=list(CheckResult),
                           part_rows=range(1, PART_ROWS + 1))


def _number(text: str):
    """A whole number from a form, or the text as typed (the event's schema refuses it)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text


def _optional(form, data: dict, *names: str, number: bool = False) -> dict:
    for name in names:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = _number(value) if number else value
    return data


def _update(order: WorkOrder, form) -> dict:
    data = _optional(form, {"work_order": order.id}, "note", "estimate")
    _optional(form, data, "labour_minutes", number=True)
    parts = []
    for n in range(1, PART_ROWS + 1):
        name = (form.get(f"part_name_{n}") or "").strip()
        if name:
            parts.append(_optional(form, {"name": name, "quantity": (
                form.get(f"part_quantity_{n}") or "").strip() or "1"}, f"part_cost_{n}"))
            if f"part_cost_{n}" in parts[-1]:
                parts[-1]["cost"] = parts[-1].pop(f"part_cost_{n}")
    if parts:
        data["parts"] = parts
    checks = [_optional(form, {"item": item.position, "result": form[f"result_{item.position}"]},
                        f"note_{item.position}")
              for item in order.items if form.get(f"result_{item.position}")]
    for check in checks:
        if f"note_{check['item']}" in check:
            check["note"] = check.pop(f"note_{check['item']}")
    if checks:
        data["checklist"] = checks
    return data


def _complete(order: WorkOrder, form) -> dict:
    data = _optional(form, {"work_order": order.id, "failure": "failure" in form},
                     "work_done", "cost", "downtime_reason")
    return _optional(form, data, "labour_minutes", "downtime_minutes", number=True)


# Each step on the page: its event type, and the event data from the posted form.
STEPS = {
    "start": ("work_order_start", lambda order, form: {"work_order": order.id}),
    "pause": ("work_order_update", lambda order, form: {"work_order": order.id,
                                                        "status": "waiting_parts"}),
    "resume": ("work_order_update", lambda order, form: {"work_order": order.id,
                                                         "status": "in_progress"}),
    "update": ("work_order_update", _update),
    "complete": ("work_order_complete", _complete),
    "cancel": ("work_order_cancel", lambda order, form: _optional(
        form, {"work_order": order.id}, "reason")),
}


@bp.post("/<order>/<step>")
@requires(Permission.FIELD)
def act(order, step):
    work_order = orders.find(order[:64])
    form = ActionForm()
    if step not in STEPS or not form.validate_on_submit():
        flash("That step was incomplete or is not one this page takes; reload the page.")
        return redirect(url_for(".detail", order=work_order.number))
    event_type, build = STEPS[step]
    try:
        assets.record(work_order.asset.tag, event_type, build(work_order, request.form),
                      actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
    else:
        db.session.commit()
        flash(f"{work_order.number}: {step} recorded.")
    return redirect(url_for(".detail", order=work_order.number))


@bp.post("/<order>/follow-up/<int:position>")
@requires(Permission.FIELD)
def follow_up(order, position):
    """A corrective order for a checklist line that failed, in one click."""
    work_order = orders.find(order[:64])
    item = next((i for i in work_order.items if i.position == position
                 and i.result == CheckResult.FAIL), None)
    if item is None or not ActionForm().validate_on_submit():
        flash("Only a failed checklist line gets a follow-up order; reload the page.")
        return redirect(url_for(".detail", order=work_order.number))
    data = {"work_order": str(uuid.uuid4()), "kind": "corrective",
            "title": f"Follow-up: {item.text}"[:200], "follow_up_of": work_order.id,
            "note": f"Checklist line {position} failed on {work_order.number}."}
    try:
        assets.record(work_order.asset.tag, "work_order_open", data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
        return redirect(url_for(".detail", order=work_order.number))
    db.session.commit()
    opened = db.session.get(WorkOrder, data["work_order"])
    flash(f"Follow-up order {opened.number} opened.")
    return redirect(url_for(".detail", order=opened.number))


@bp.app_context_processor
def _for_asset_pages():
    # The asset's page lists its open orders and what maintenance has cost, without the
    # register importing this domain.
    return {"open_work_orders": orders.open_orders, "maintenance_cost": costs.of_asset}
