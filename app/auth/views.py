"""Sign in and out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import service
from app.auth.access import home_page
from app.auth.forms import LoginForm
from app.errors import DomainError
from app.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None, user) -> str:
    # Only same-site paths: never bounce a fresh session to another host.
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return home_page(user)  # otherwise where the role works


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next"), current_user))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data,
                                        address=request.remote_addr or "")
        except DomainError as exc:
            form.form_errors.append(exc.message)
            status = exc.status if exc.status == 429 else 401
            if "retry_after" in exc.details:
                headers["Retry-After"] = str(exc.details["retry_after"])
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next"), user))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()  # on every device, and copied cookies too
        db.session.commit()
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))
