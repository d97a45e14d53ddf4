"""Repair or replace, asked of one asset: GET /api/v1/assets/<tag>/decision for other systems,
and the asset page's "retire and request a replacement" when the answer is replace."""
from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.assets import service
from app.auth.access import requires
from app.auth.roles import Permission
from app.dbtypes import MAX_MONEY
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.maintenance import decision
from app.procurement import requests
from app.timeutil import utcnow
from app.warranty.coverage import IN_USE

api = Blueprint("decision_api", __name__, url_prefix="/api/v1/assets")
pages = Blueprint("decision", __name__, url_prefix="/admin/assets")


def estimate_arg(text: str) -> Decimal:
    """A repair's cost estimate from a query string: blank is none."""
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= MAX_MONEY:
        raise ValidationFailed(f"An estimate is a cost from 0 to {MAX_MONEY:,}.",
                               {"estimate": text[:40]})
    return value.quantize(decision.CENT)


@api.get("/<tag>/decision")
@requires(Permission.VIEW)
def detail(tag):
    """Repair, watch or replace, with the reasons and every figure weighed; `estimate` is the
    cost of the repair in question (optional)."""
    asset = service.get_by_tag(tag)
    estimate = estimate_arg(request.args.get("estimate", ""))
    return decision.decision(asset, utcnow().date(), estimate).as_json()


@pages.post("/<tag>/replace")
@requires(Permission.FIELD)
def replace(tag):
    """Retire the asset and request its replacement, in one step and one transaction."""
    form = FlaskForm()  # its CSRF token
    asset = service.get_by_tag(tag)
    reason = (request.form.get("reason") or "").strip()[:2000]
    if not form.validate_on_submit() or not reason:
        flash("Say why it is replaced (the reason is kept with the retirement).")
        return redirect(url_for("assets.detail", tag=asset.tag))
    try:
        service.record(asset.tag, "retire", {"reason": reason}, actor=current_user)
        new, _ = requests.submit(requests.replacement(asset, reason), actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
        return redirect(url_for("assets.detail", tag=asset.tag))
    db.session.commit()
    flash(f"{asset.tag} retired; replacement requested as {new.number}.")
    return redirect(url_for("procurement.detail", request_number=new.number))


@pages.app_context_processor
def _for_asset_pages():
    # The asset's page weighs repair against replace without the register importing this.
    def repair_decision(asset, estimate=None):
        if asset.status not in IN_USE:
            return None
        return decision.decision(asset, utcnow().date(), estimate or Decimal(0))
    return {"repair_decision": repair_decision}
