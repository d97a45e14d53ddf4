"""GET /api/v1/assets/<tag>/warranty: what covers an asset and whether it is covered today."""
from flask import Blueprint

from app.assets import service
from app.auth.access import requires
from app.auth.roles import Permission
from app.timeutil import utcnow
from app.warranty import coverage

bp = Blueprint("warranty_api", __name__, url_prefix="/api/v1/assets")


@bp.get("/<tag>/warranty")
@requires(Permission.VIEW)
def detail(tag):
    """The asset's coverage (its contract, the register's end date or its model's default)
    and today's verdict; `coverage` is null when none is recorded."""
    asset = service.get_by_tag(tag)
    return coverage.standing(asset, utcnow().date()).as_json()
