"""Admin pages: stock-takes with their accuracy, starting one, following it room by room,
finishing and reconciling it, its reports, and the assets not seen for a long time."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.api import int_arg
from app.assets import not_seen as unseen
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status, show_error
from app.org.models import Location
from app.org.service import find_location
from app.stocktakes import progress, reconciliation, reports, service
from app.stocktakes.forms import StartForm

bp = Blueprint("stocktakes", __name__, url_prefix="/admin/stocktakes")
LIST_ROWS = 200  # per list on the detail page; the reports have them all


def _locations() -> list[tuple[int, str, str]]:
    return db.session.execute(sa.select(Location.id, Location.code, Location.name)
                              .order_by(Location.path)).all()


@bp.get("/")
@requires(Permission.VIEW)
def index():
    location_id = int_arg("location", 0, low=0) or None
    page = db.paginate(service.query(status=request.args.get("status", ""),
                                     location_id=location_id),
                       page=int_arg("page", 1), per_page=50, error_out=False)
    history: dict[Location, list] = {}
    for stocktake in progress.accuracy_history(location_id):
        history.setdefault(stocktake.location, []).append(stocktake)
    args = {k: v for k, v in request.args.items() if v and k != "page"}
    return render_template("stocktakes/index.html", page=page,
                           counts=progress.counts(page.items), history=history,
                           locations=_locations(), location_id=location_id,
                           status=request.args.get("status", ""), args=args)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.FIELD)
def start():
    form = StartForm()
    form.location.choices = [("", "Choose a location")] + [
        (code, f"{name} ({code})") for _, code, name in _locations()]
    if form.validate_on_submit():
        try:
            stocktake = service.start(find_location(form.location.data), actor=current_user,
                                      note=form.note.data or "")
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Stock-take #{stocktake.id} started: {stocktake.expected_count} assets "
                  "expected.")
            return redirect(url_for(".detail", stocktake_id=stocktake.id))
    return render_template("stocktakes/start.html", form=form), form_status(form)


@bp.get("/<int:stocktake_id>")
@requires(Permission.VIEW)
def detail(stocktake_id):
    stocktake = service.get(stocktake_id)
    total, rooms = progress.progress(stocktake)
    lists = {name: progress.lines(stocktake, name, limit=LIST_ROWS)
             for name in ("missing", "misplaced", "unexpected")}
    return render_template("stocktakes/detail.html", stocktake=stocktake, total=total,
                           rooms=[r for r in rooms if r.expected or r.unexpected],
                           lists=lists, limit=LIST_ROWS, actions=reconciliation.ACTIONS)


@bp.post("/<int:stocktake_id>/finish")
@requires(Permission.MANAGE)
def finish(stocktake_id):
    return _change(stocktake_id, service.finish, "finished")


@bp.post("/<int:stocktake_id>/cancel")
@requires(Permission.MANAGE)
def cancel(stocktake_id):
    return _change(stocktake_id, service.cancel, "cancelled")


def _change(stocktake_id, change, done: str):
    stocktake = service.get(stocktake_id)
    try:
        change(stocktake, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
    else:
        db.session.commit()
        flash(f"Stock-take #{stocktake.id} {done}.")
    return redirect(url_for(".detail", stocktake_id=stocktake_id))


@bp.post("/<int:stocktake_id>/reconcile")
@requires(Permission.MANAGE)
def reconcile(stocktake_id):
    stocktake = service.get(stocktake_id)
    try:
        summary = reconciliation.reconcile(stocktake, request.form.get("action", ""),
                                           actor=current_user, checkpoint=db.session.commit)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
    else:
        db.session.commit()
        flash(str(summary))
    return redirect(url_for(".detail", stocktake_id=stocktake_id))


@bp.get("/<int:stocktake_id>/report.pdf")
@requires(Permission.VIEW)
def report_pdf(stocktake_id):
    return reports.pdf_response(service.get(stocktake_id))


@bp.get("/<int:stocktake_id>/report.csv")
@requires(Permission.VIEW)
def report_csv(stocktake_id):
    return reports.csv_response(service.get(stocktake_id))


@bp.get("/not-seen")
@requires(Permission.VIEW)
def not_seen():
    days = int_arg("days", 0, low=1, high=36_500) or None
    result = unseen.not_seen(days, page=int_arg("page", 1, high=100_000))
    args = {k: v for k, v in request.args.items() if v and k != "page"}
    return render_template("stocktakes/not_seen.html", result=result, args=args,
                           days=days or unseen.not_seen_days())
