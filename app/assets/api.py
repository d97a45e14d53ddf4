"""GET/POST /api/v1/assets and GET /api/v1/assets/<tag>."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from app.api import documented, int_arg, json_body
from app.assets import service
from app.assets.schemas import AssetIn
from app.auth.access import requires
from app.auth.roles import Permission
from app.extensions import db

bp = Blueprint("assets_api", __name__, url_prefix="/api/v1/assets")


@bp.get("")
@requires(Permission.VIEW)
def index():
    """Search and filter the register, a page at a time."""
    query = service.AssetQuery(
        q=request.args.get("q", "")[:200], status=request.args.get("status", ""),
        location=request.args.get("location", ""), sort=request.args.get("sort", "tag"),
        page=int_arg("page", 1), per_page=int_arg("per_page", 50, high=500))
    page = service.list_assets(query, as_json=True)
    return {"items": page.items, "page": page.page,
            "per_page": page.per_page, "total": page.total, "more": page.more}


@bp.post("")
@requires(Permission.MANAGE)
@documented(AssetIn)
def create():
    """Register an asset (a `create` event); `tag` and `name` are required."""
    body = json_body()
    asset = service.create_asset(body, actor=current_user,
                                 device=request.headers.get("X-Device", "api")[:100])
    db.session.commit()
    return service.record_for(asset.tag), 201, {"Location": url_for(".detail", tag=asset.tag)}


@bp.get("/<tag>")
@requires(Permission.VIEW)
def detail(tag):
    """One asset, with its version, assignee and last change."""
    return service.record_for(tag)
