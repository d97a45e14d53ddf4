"""Admin pages for categories and models."""
from flask import Blueprint

from app.auth.access import requires
from app.auth.roles import Permission

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")


@bp.get("/models")
@requires(Permission.VIEW)
def models():
    return "models"
