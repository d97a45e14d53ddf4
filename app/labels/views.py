"""Admin page that prints label PDFs."""
from flask import Blueprint, Response, render_template, request

from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.forms import form_status
from app.labels import service
from app.labels.forms import LabelForm
from app.links import public_base

bp = Blueprint("labels", __name__, url_prefix="/admin/labels")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.FIELD)
def index():
    form = LabelForm(request.form or None)
    if request.method == "GET":
        form.q.data = request.args.get("q", "")
        form.tags.data = "\n".join(request.args.getlist("tag"))
        form.source.data = "search" if form.q.data else "tags"
    if form.validate_on_submit():
        try:
            stock = service.stock(form.stock.data)
            html = service.render_html(_labels(form), stock, base_url=public_base(),
                                       offset=form.position.data - 1,
                                       code128=form.code128.data)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            return Response(service.render_pdf(html), mimetype="application/pdf", headers={
                "Content-Disposition": f'inline; filename="labels-{stock.key}.pdf"'})
    return render_template("labels/index.html", form=form), form_status(form)


def _labels(form: LabelForm) -> list[service.Label]:
    if form.source.data == "blank":
        return service.blank_range(form.start.data or 1, form.count.data or 1)
    if form.source.data == "search":
        page = assets.list_assets(assets.AssetQuery(q=form.q.data or "",
                                                    per_page=service.MAX_LABELS))
        return [service.Label(a.tag, a.name) for a in page.items]
    tags = [t.strip() for t in (form.tags.data or "").splitlines() if t.strip()]
    return service.for_tags(tags)
