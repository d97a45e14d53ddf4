"""Admin page that prints label PDFs."""
import sqlalchemy as sa
from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from app.api import int_arg
from app.assets import series
from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status
from app.labels import service
from app.labels.forms import LabelForm
from app.links import public_base
from app.org.models import Location

bp = Blueprint("labels", __name__, url_prefix="/admin/labels")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.FIELD)
def index():
    form = LabelForm(request.form or None)
    form.place.choices = [("", "Choose a place")] + [
        (code, f"{name} ({code})") for code, name in db.session.execute(
            sa.select(Location.code, Location.name).order_by(Location.path))]
    if request.method == "GET":
        form.q.data = request.args.get("q", "")
        form.tags.data = "\n".join(request.args.getlist("tag"))
        form.place.data = request.args.get("place", "")
        form.source.data = ("places" if form.place.data else
                            "search" if form.q.data else "tags")
    printed = None
    if form.validate_on_submit():
        try:
            stock = service.stock(form.stock.data)
            if form.source.data == "blank":
                # Reserved (and committed) first; the page says which numbers they are.
                printed = series.reserve(form.count.data or 1, actor=current_user)
            else:
                return _pdf(_labels(form), stock, form.position.data, form.code128.data,
                            f"labels-{stock.key}")
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
    return render_template("labels/index.html", form=form, printed=printed,
                           recent=series.recent(), format_tag=series.format_tag,
                           options=_options(form)), form_status(form)


@bp.get("/blank/<int:reservation_id>.pdf")
@requires(Permission.FIELD)
def blank_pdf(reservation_id):
    """The labels of a reserved range of blank tags: printed, or printed again."""
    batch = series.reserved(reservation_id)
    stock = service.stock(request.args.get("stock", "avery-l7651"))
    return _pdf(service.blank(batch.first, batch.last), stock, int_arg("position", 1, high=200),
                request.args.get("code128") == "1",
                f"labels-{series.format_tag(batch.first)}-{series.format_tag(batch.last)}")


def _pdf(labels, stock, position: int, code128: bool, name: str) -> Response:
    html = service.render_html(labels, stock, base_url=public_base(), offset=position - 1,
                               code128=code128)
    return Response(service.render_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}.pdf"'})


def _options(form: LabelForm) -> dict:
    """How the reserved labels print: as the form asked."""
    return {"stock": form.stock.data or "avery-l7651", "position": form.position.data or 1,
            **({"code128": "1"} if form.code128.data else {})}


def _labels(form: LabelForm) -> list[service.Label]:
    if form.source.data == "places":
        return service.for_place(form.place.data or "")
    if form.source.data == "search":
        page = assets.list_assets(assets.AssetQuery(q=form.q.data or "",
                                                    per_page=service.MAX_LABELS))
        return [service.Label(a.tag, a.name) for a in page.items]
    tags = [t.strip() for t in (form.tags.data or "").splitlines() if t.strip()]
    return service.for_tags(tags)
