"""Admin pages for locations, departments and people."""
from flask import Blueprint

from app.auth.access import requires
from app.auth.roles import Permission

bp = Blueprint("org", __name__, url_prefix="/admin")


@bp.get("/locations")
@requires(Permission.VIEW)
def locations():
    return "locations"


@bp.get("/people")
@requires(Permission.VIEW)
def people():
    return "people"


@bp.get("/departments")
@requires(Permission.VIEW)
def departments():
    return "departments"
