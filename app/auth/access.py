"""The one permission check for pages and API routes, and how API requests sign in."""
from functools import wraps

import sqlalchemy as sa
from flask import abort, request, url_for
from flask_login import current_user

from app.auth.models import ApiToken, User, hash_token
from app.auth.roles import Permission, Role
from app.extensions import db, login_manager
from app.timeutil import utcnow


def requires(permission: Permission):
    """Let the request through only for a signed-in, active user holding `permission`."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(403, f"Your role ({current_user.role}) may not do this.")
            return view(*args, **kwargs)
        wrapped.permission = permission  # read by the route-matrix test
        return wrapped
    return decorator


def home_page(user) -> str:
    """Where a person lands: technicians in the field app, everyone else at the desk."""
    field = not user.is_authenticated or user.role is Role.TECHNICIAN
    return url_for("pwa.scan" if field else "dashboard.index")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a session or remember-me cookie: "<id>:<session token>". A bare id (a
    session from before the tokens) no longer signs in."""
    number, _, token = user_id.partition(":")
    if not (number.isascii() and number.isdigit() and len(number) < 19 and token):
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.active or not user.holds_session(token):
        return None
    return user


# Built once: it runs on every API request.
_TOKEN_USER = (sa.select(User, ApiToken.id, ApiToken.last_used_at)
               .join(ApiToken, ApiToken.user_id == User.id)
               .where(ApiToken.token_hash == sa.bindparam("token_hash"),
                      ApiToken.revoked.is_(False),
                      # A token made before its user belongs to someone who had the id before.
                      ApiToken.created_at >= User.created_at))


def user_for_token(token: str) -> User | None:
    """The active user an API token belongs to (app.security asks, for /api only)."""
    found = db.session.execute(_TOKEN_USER, {"token_hash": hash_token(token)}).first()
    if found is None or not found.User.active:
        return None
    now = utcnow()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 3600:
        # Hourly is enough, and keeps reads from writing.
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == found.id)
                           .values(last_used_at=now))
        db.session.commit()
    return found.User


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        abort(401, "Sign in, or send an API token as 'Authorization: Bearer <token>'.")
    from flask import redirect
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
