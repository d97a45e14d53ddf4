"""Manager pages for conflicts: both sides of each, and the two ways to resolve it."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.api import page_arg
from app.auth.access import requires
from app.auth.models import User
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.lifecycle import conflicts, types

bp = Blueprint("conflicts", __name__, url_prefix="/admin/conflicts")


@bp.get("/")
@requires(Permission.VIEW)
def index():
    status = request.args.get("status", "open")
    status = status if status in conflicts.STATUSES else "open"
    page = db.paginate(conflicts.query(status, viewer=current_user),
                       page=page_arg(), per_page=50,
                       error_out=False)
    resolver_ids = {c.resolved_by_id for c in page.items if c.resolved_by_id}
    resolvers = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_(resolver_ids)))} if resolver_ids else {}
    return render_template("conflicts/index.html", page=page, status=status,
                           against=conflicts.against_events(page.items),
                           resolvers=resolvers, past=types.past,
                           args={"status": status} if status != "open" else {})


@bp.post("/<int:conflict_id>/resolve")
@requires(Permission.MANAGE)
def resolve(conflict_id):
    conflict = conflicts.get(conflict_id)
    choice = request.form.get("choice", "")
    try:
        conflicts.resolve(conflict, choice=choice, actor=current_user,
                          note=request.form.get("note", ""))
    except DomainError as exc:
        db.session.rollback()
        flash(f"Conflict {conflict_id} on {conflict.asset.tag} is not resolved: {exc.message}")
    else:
        db.session.commit()
        done = ("kept as it was" if choice == "keep_current"
                else f"the device's {types.label(conflict.event.type)} applied")
        flash(f"Conflict {conflict_id} resolved: {conflict.asset.tag} {done}.")
    return redirect(url_for(".index", status=request.args.get("status") or None))
