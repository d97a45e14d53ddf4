"""Admin pages for the register: list, detail with history, create, edit, actions."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.api import page_arg, whole_number
from app.assets import series, service
from app.assets.forms import AssetForm, EventForm, event_data
from app.assets.models import Criticality
from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog.models import AssetModel, Category
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status, show_error
from app.lifecycle import types
from app.lifecycle.models import Conflict
from app.lifecycle.states import AssetStatus, next_events
from app.org import service as org
from app.org.models import Department, Location

bp = Blueprint("assets", __name__, url_prefix="/admin/assets")


def _choices(model, value, label, blank="—"):
    rows = db.session.execute(sa.select(value, label).order_by(label)).all()
    return [("", blank)] + [(str(v), str(text)) for v, text in rows]


def _fill_choices(form):
    form.model.choices = _choices(AssetModel, AssetModel.name, AssetModel.name)
    form.category.choices = _choices(Category, Category.name, Category.name)
    form.department.choices = _choices(Department, Department.code, Department.name)
    if "location" in form:
        form.location.choices = _choices(Location, Location.code, Location.name)


@bp.get("/")
@requires(Permission.VIEW)
def index():
    query = service.AssetQuery(
        q=request.args.get("q", "")[:200], status=request.args.get("status", ""),
        category=_id_arg("category"), site=_id_arg("site"),
        department=_id_arg("department"), criticality=request.args.get("criticality", ""),
        sort=request.args.get("sort", "tag"), descending=request.args.get("desc") == "1",
        page=page_arg())
    page = service.list_assets(query)
    args = {k: v for k, v in request.args.items() if v and k != "page"}
    sites = db.session.execute(sa.select(Location.id, Location.name)
                               .where(Location.parent_id.is_(None))
                               .order_by(Location.name)).all()
    return render_template(
        "assets/index.html", page=page, query=query, args=args, sites=sites,
        statuses=list(AssetStatus), criticalities=list(Criticality),
        categories=db.session.execute(sa.select(Category.id, Category.name)
                                      .order_by(Category.name)).all(),
        departments=db.session.execute(sa.select(Department.id, Department.name)
                                       .order_by(Department.name)).all())


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def create():
    form = AssetForm()
    _fill_choices(form)
    if request.method == "GET":
        form.tag.data = request.args.get("tag", "")[:64] or series.next_tag()
    if form.validate_on_submit():
        fields = form.values(("tag", "status") + AssetForm.EDITABLE + ("location", "assignee"))
        try:
            asset = service.create_asset(fields, actor=current_user)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{asset.tag} registered.")
            return redirect(url_for(".detail", tag=asset.tag))
    return render_template("assets/form.html", form=form, asset=None,
                           people=org.people_to_pick()), form_status(form)


@bp.route("/<tag>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit(tag):
    asset = service.get_by_tag(tag)
    form = AssetForm(obj=asset)
    del form.tag, form.status, form.location, form.assignee
    _fill_choices(form)
    if request.method == "GET":
        form.model.data = asset.model.name if asset.model else ""
        form.category.data = asset.category.name if asset.category else ""
        form.department.data = asset.department.code if asset.department else ""
        form.criticality.data = asset.criticality.value
        form.base_version.data = str(asset.version)
    if form.validate_on_submit():
        changes = _changed(asset, form.values(AssetForm.EDITABLE))
        try:
            if changes:
                service.record(asset.tag, "update", changes, actor=current_user,
                               base_version=_version(form.base_version.data))
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{asset.tag} saved." if changes else "Nothing changed.")
            return redirect(url_for(".detail", tag=asset.tag))
    return render_template("assets/form.html", form=form, asset=asset,
                           people=org.people_to_pick()), form_status(form)


@bp.get("/<tag>")
@requires(Permission.VIEW)
def detail(tag):
    asset = service.get_by_tag(tag)
    conflicts = db.session.scalars(sa.select(Conflict).where(
        Conflict.asset_id == asset.id, Conflict.status == "open")).all()
    possible = [types.REGISTERED[name] for name in next_events(asset.status, current_user.role)]
    return render_template(
        "assets/detail.html", asset=asset, form=EventForm(base_version=str(asset.version)),
        events=service.history(asset), conflicts=conflicts,
        actions=[kind for kind in possible if types.PAGE in kind.offered],
        # What only the phone can take: drawn signatures (a reading has its own panel here).
        on_phone=[kind for kind in possible if kind.offered == {types.CARD} and kind.signatures],
        people=org.people_to_pick(),
        locations=db.session.execute(sa.select(Location.code, Location.name)
                                     .order_by(Location.name)).all())


@bp.post("/<tag>/events")
@requires(Permission.FIELD)
def record(tag):
    form = EventForm()
    kind = types.REGISTERED.get(form.type.data)
    if not form.validate_on_submit() or kind is None or types.PAGE not in kind.offered:
        flash("That action was incomplete or is not one this page records; reload the page.")
        return redirect(url_for(".detail", tag=tag))
    try:
        service.record(tag, kind.name, event_data(kind, request.form), actor=current_user,
                       base_version=_version(form.base_version.data))
    except DomainError as exc:
        flash(f"Not done: {exc.message}")
    else:
        db.session.commit()
        flash(f"{tag}: {kind.label.lower()} recorded.")
    return redirect(url_for(".detail", tag=tag))


def _changed(asset, values: dict) -> dict:
    current = {"model": asset.model.name if asset.model else None,
               "category": asset.category.name if asset.category else None,
               "department": asset.department.code if asset.department else None,
               "criticality": asset.criticality.value,
               "purchase_cost": str(asset.purchase_cost) if asset.purchase_cost is not None
               else None}
    for name in ("purchase_date", "warranty_end"):
        value = getattr(asset, name)
        current[name] = value.isoformat() if value else None
    changes = {}
    for name, value in values.items():
        if current.get(name, getattr(asset, name, None)) != value:
            changes[name] = value
    return changes


def _id_arg(name: str) -> int | None:
    return whole_number(request.args.get(name, "")) or None  # 0, blank or junk: all


def _version(text: str | None) -> int | None:
    return whole_number(text)
