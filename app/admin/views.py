"""Admin pages for users, roles and API tokens."""
from flask import Blueprint

from app.auth.access import requires
from app.auth.roles import Permission

bp = Blueprint("admin", __name__, url_prefix="/admin/users")


@bp.get("/")
@requires(Permission.ADMIN)
def users():
    return "users"
