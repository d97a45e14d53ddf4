"""The meters on an asset's page (plot, table, projection, forms) and the stale meters list."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.api import whole_number
from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.meters import plot, service
from app.meters.forms import MeterForm, ReadingForm
from app.meters.models import Meter, MeterKind, Reading

bp = Blueprint("meters", __name__, url_prefix="/admin")
TABLE_ROWS = 20  # readings per page of a meter's table


def _back(tag: str):
    return redirect(url_for("assets.detail", tag=tag, _anchor="meters"))


def _errors(form) -> str:
    return "; ".join(f"{form[name].label.text}: {' '.join(problems)}"
                     for name, problems in form.errors.items() if name in form)


@bp.post("/assets/<tag>/meters")
@requires(Permission.MANAGE)
def create(tag):
    asset = assets.get_by_tag(tag)
    form = MeterForm()
    if not form.validate_on_submit():
        flash(f"No meter added: {_errors(form) or 'reload the page and try again'}.")
        return _back(asset.tag)
    try:
        meter = service.create_meter(
            asset, name=form.name.data, kind=form.kind.data, unit=form.unit.data or "",
            target=float(form.target.data) if form.target.data is not None else None,
            stale_after_days=form.stale_after_days.data)
    except DomainError as exc:
        db.session.rollback()
        flash(f"No meter added: {exc.message}")
    else:
        db.session.commit()
        flash(f"{asset.tag}: meter {meter.name} added.")
    return _back(asset.tag)


@bp.post("/assets/<tag>/readings")
@requires(Permission.FIELD)
def record(tag):
    """A reading entered on the page: a person's act, so an event through the pipeline."""
    asset = assets.get_by_tag(tag)
    form = ReadingForm()
    form.meter.choices = [(str(m.id), m.name) for m in service.meters_of(asset)]
    if not form.validate_on_submit():
        flash(f"No reading recorded: {_errors(form) or 'reload the page and try again'}.")
        return _back(asset.tag)
    meter = db.session.get(Meter, int(form.meter.data))
    data = {"meter": meter.name, "value": float(form.value.data), "reset": form.reset.data}
    if form.at.data:
        data["at"] = form.at.data.isoformat()
    try:
        assets.record(asset.tag, "reading", data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"No reading recorded: {exc.message}")
    else:
        db.session.commit()
        flash(f"{asset.tag}: {meter.name} read as {float(form.value.data):g}.")
    return _back(asset.tag)


@bp.get("/meters/stale")
@requires(Permission.VIEW)
def stale():
    """Meters that have gone quiet for longer than expected, the longest first."""
    return render_template("meters/stale.html", stale=service.stale_meters())


@bp.app_template_global()
def meter_panels(asset) -> dict:
    """What the asset page shows of its meters: each one's plot, a page of its table, its
    projection and whether it is stale, and the forms."""
    meters = service.meters_of(asset)
    chosen = whole_number(request.args.get("meter", ""))
    panels = []
    for meter in meters:
        points, count = service.outline(meter, plot.SLICES)
        fitted = service.recent(meter)
        projected = service.projection(meter, points=fitted)
        due = projected.due if projected is not None and projected.status == "projected" else None
        pages = max(1, -(-count // TABLE_ROWS))
        page = whole_number(request.args.get("rpage", "")) if chosen == meter.id else None
        page = min(max(page or 1, 1), pages)
        rows = db.session.connection().execute(
            service.readings_query(meter).with_only_columns(Reading.at, Reading.value,
                                                           Reading.reset)
            .limit(TABLE_ROWS).offset((page - 1) * TABLE_ROWS)).all()
        panels.append({
            "meter": meter, "plot": plot.plot(points, meter.target, due),
            "projection": projected, "stale": service.stale_for(meter, fitted),
            "rows": rows, "page": page, "count": count, "pages": pages})
    reading_form = ReadingForm()
    reading_form.meter.choices = [(str(m.id), m.name) for m in meters]
    return {"panels": panels, "meter_form": MeterForm(), "reading_form": reading_form,
            "counter": MeterKind.COUNTER}
