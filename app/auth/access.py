"""The one permission check for pages and API routes, and how API requests sign in."""
from functools import wraps

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, request
from flask_login import current_user

from app.auth.models import ApiToken, User, hash_token
from app.auth.roles import Permission
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


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    """Bearer tokens sign in API clients; only under /api, never for pages."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    token = db.session.scalar(sa.select(ApiToken).options(so.joinedload(ApiToken.user)).where(
        ApiToken.token_hash == hash_token(header[7:].strip()), ApiToken.revoked.is_(False)))
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        token.last_used_at = now  # hourly is enough, and keeps reads from writing
        db.session.commit()
    return token.user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        abort(401, "Sign in, or send an API token as 'Authorization: Bearer <token>'.")
    from flask import redirect, url_for
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
