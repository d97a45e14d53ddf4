"""Admin pages for users, roles and API tokens."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from app.admin.forms import EditUserForm, NewUserForm, TokenForm
from app.auth import service, throttle
from app.auth.access import requires
from app.auth.models import ApiToken, User
from app.auth.roles import Permission, Role
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.forms import form_status, show_error

bp = Blueprint("admin", __name__, url_prefix="/admin/users")


@bp.get("/")
@requires(Permission.ADMIN)
def users():
    live = (sa.select(ApiToken.user_id, sa.func.count(ApiToken.id).label("n"))
            .where(ApiToken.revoked.is_(False)).group_by(ApiToken.user_id).subquery())
    rows = db.session.execute(sa.select(User, sa.func.coalesce(live.c.n, 0))
                              .outerjoin(live, live.c.user_id == User.id)
                              .order_by(User.email)).all()
    return render_template("admin/users.html", rows=rows, locks=throttle.locked_accounts())


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def create_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, role=Role(form.role.data),
                                       password=form.password.data,
                                       name=(form.name.data or "").strip())
            user.active = form.active.data
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"User {user.email} created.")
            return redirect(url_for(".users"))
    return _form_page(form, "New user")


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            _update(user, name=(form.name.data or "").strip(), role=Role(form.role.data),
                    active=form.active.data, password=form.password.data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            if user.id == current_user.id and form.password.data:
                # A new password ended every session, this one too: keep the one that made it.
                login_user(user)
            flash(f"User {user.email} saved.")
            return redirect(url_for(".users"))
    return _form_page(form, f"Edit {user.email}", user=user)


@bp.post("/<int:user_id>/unlock")
@requires(Permission.ADMIN)
def unlock(user_id):
    user = db.get_or_404(User, user_id)
    service.unlock(user.email)
    db.session.commit()
    flash(f"Sign-in unlocked for {user.email}: they can try again from any address.")
    return redirect(url_for(".users"))


def _update(user: User, *, name: str, role: Role, active: bool, password: str) -> None:
    # An admin locking themselves out could leave nobody able to manage users.
    if user.id == current_user.id and role is not Role.ADMIN:
        raise NotAllowed("You cannot take away your own admin role; ask another admin.",
                         {"role": "self"})
    if user.id == current_user.id and not active:
        raise NotAllowed("You cannot deactivate your own account; ask another admin.",
                         {"active": "self"})
    if user.active and not active:
        user.end_sessions()  # or they would be back in on reactivation
    user.name, user.role, user.active = name or user.email.split("@")[0], role, active
    if password:
        user.set_password(password)


@bp.route("/<int:user_id>/tokens", methods=["GET", "POST"])
@requires(Permission.ADMIN)
def tokens(user_id):
    user = db.get_or_404(User, user_id)
    form, plain = TokenForm(), None
    if form.validate_on_submit():
        _, plain = ApiToken.issue(user, form.name.data.strip())
        db.session.commit()
        form = TokenForm(formdata=None)
    rows = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    page = render_template("admin/user_tokens.html", user=user, form=form, plain=plain,
                           tokens=rows)
    # The plain token is on this page only; keep it out of caches and history.
    return page, 422 if form.errors else 200, {"Cache-Control": "no-store"}


@bp.post("/<int:user_id>/tokens/<int:token_id>/revoke")
@requires(Permission.ADMIN)
def revoke_token(user_id, token_id):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != user_id:
        abort(404)
    token.revoked = True
    db.session.commit()
    flash(f"Token {token.name or token.id} revoked; it no longer works.")
    return redirect(url_for(".tokens", user_id=user_id))


def _form_page(form, title: str, user: User | None = None):
    locked = throttle.locked_until(user.email) if user else None
    return (render_template("admin/user_form.html", form=form, title=title, user=user,
                            locked_until=locked), form_status(form))

