"""/admin/warranty: the assets whose warranty ends within a number of days, for whoever
renews contracts or sends faults in while they are still covered; and warranty claims, raised
from a work order, moved through their statuses, printed for the provider."""
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from app.api import int_arg, page_arg
from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.files import store
from app.maintenance import orders
from app.pdf import html_to_pdf
from app.timeutil import utcnow
from app.warranty import claims as claims_of
from app.warranty import coverage
from app.warranty.models import CLAIM_TRANSITIONS, ClaimStatus, WarrantyClaim

bp = Blueprint("warranty", __name__, url_prefix="/admin/warranty")
LIMIT = 500
PER_PAGE = 50


@bp.get("/")
@requires(Permission.VIEW)
def index():
    days = int_arg("days", 90, low=1, high=3650)
    today = utcnow().date()
    rows = coverage.ending_within(days, today, limit=LIMIT + 1)
    return render_template("warranty/index.html", rows=rows[:LIMIT], more=len(rows) > LIMIT,
                           days=days, today=today,
                           last=today + timedelta(days=days))


@bp.get("/claims/")
@requires(Permission.VIEW)
def claims():
    status = request.args.get("status", "")
    query = sa.select(WarrantyClaim).order_by(WarrantyClaim.id.desc())
    if status in set(ClaimStatus):
        query = query.where(WarrantyClaim.status == status)
    page = page_arg()
    rows = db.session.scalars(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    recovered = db.session.scalar(sa.select(sa.func.coalesce(
        sa.func.sum(WarrantyClaim.amount_recovered), 0)))
    return render_template("warranty/claims.html", rows=rows[:PER_PAGE],
                           more=len(rows) > PER_PAGE, page=page, status=status,
                           statuses=list(ClaimStatus), recovered=recovered)


@bp.post("/claims/new")
@requires(Permission.MANAGE)
def raise_claim():
    """A claim for a work order's repair, from the order's page."""
    order = orders.find(request.form.get("work_order", "")[:64])
    data = {"work_order": order.id, "fault": (request.form.get("fault") or "").strip()}
    if (amount := (request.form.get("amount_claimed") or "").strip()):
        data["amount_claimed"] = amount[:40]
    if not FlaskForm().validate_on_submit():
        flash("That form was stale; reload the page.")
        return redirect(url_for("maintenance.detail", order=order.number))
    try:
        event = assets.record(order.asset.tag, "warranty_claim", data, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
        return redirect(url_for("maintenance.detail", order=order.number))
    db.session.commit()
    flash(f"Warranty claim {event.data['claim']} drafted.")
    return redirect(url_for(".claim", number=event.data["claim"]))


@bp.get("/claims/<number>")
@requires(Permission.VIEW)
def claim(number):
    found = claims_of.find(number[:20])
    return render_template("warranty/claim.html", claim=found, form=FlaskForm(),
                           next_statuses=sorted(CLAIM_TRANSITIONS[found.status]),
                           **claims_of.evidence(found))


@bp.post("/claims/<number>/status")
@requires(Permission.MANAGE)
def move_claim(number):
    found = claims_of.find(number[:20])
    data = {"claim": found.number, "status": request.form.get("status", "")[:20]}
    for name in ("amount_recovered", "note"):
        if (value := (request.form.get(name) or "").strip()):
            data[name] = value[:10_000]
    if not FlaskForm().validate_on_submit():
        flash("That form was stale; reload the page.")
    else:
        try:
            assets.record(found.asset.tag, "warranty_claim_update", data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(f"Not done: {exc.message}")
        else:
            db.session.commit()
            flash(f"Claim {found.number} is now {data['status']}.")
    return redirect(url_for(".claim", number=found.number))


@bp.get("/claims/<number>/pdf")
@requires(Permission.VIEW)
def claim_pdf(number):
    found = claims_of.find(number[:20])
    facts = claims_of.evidence(found)
    html = render_template("warranty/claim_pdf.html", claim=found, **facts,
                           photos_inline=[store.inline_png(sha, 360) for sha in facts["photos"]
                                          if store.exists(sha)],
                           organisation=current_app.config["ORGANISATION"], printed=utcnow())
    return Response(html_to_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{found.number}.pdf"'})


@bp.app_context_processor
def _for_other_pages():
    # The asset and work-order pages show coverage and claims without importing this domain.
    def standing(asset, on=None):
        return coverage.standing(asset, on or utcnow().date())
    return {"warranty_standing": standing, "claims_of_order": claims_of.of_order}
