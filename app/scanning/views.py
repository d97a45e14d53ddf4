"""/t/<code>: what a phone's plain camera app opens from a label's QR code."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.scanning import service

bp = Blueprint("scanning", __name__)


@bp.get("/t/<path:code>")
@requires(Permission.VIEW)
def tag(code):
    result = service.resolve(code)
    if result.asset is not None:
        return redirect(url_for("assets.detail", tag=result.asset.tag))
    return render_template("scanning/unknown.html", code=result.payload.code or code,
                           candidates=result.candidates), 404


@bp.post("/t/<path:code>/attach")
@requires(Permission.FIELD)
def attach(code):
    target = request.form.get("asset", "").strip()
    try:
        assets.record(target, "attach_code", {"code": code}, actor=current_user)
    except DomainError as exc:
        flash(f"Not attached: {exc.message}")
        return redirect(url_for(".tag", code=code))
    db.session.commit()
    flash(f"The label {code} now opens {target}.")
    return redirect(url_for("assets.detail", tag=target))
