"""Reliability per model or per asset: GET /api/v1/reliability and its report page."""
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from app.api import int_arg
from app.assets import service as assets
from app.assets.models import Asset
from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog import service as catalog
from app.catalog.models import AssetModel
from app.errors import ValidationFailed
from app.extensions import db
from app.maintenance import history
from app.timeutil import utcnow

api = Blueprint("reliability_api", __name__, url_prefix="/api/v1/reliability")
pages = Blueprint("reliability", __name__, url_prefix="/admin/reliability")


def _scope() -> tuple[dict, sa.Select]:
    """What the request asks about (`model` by name or `asset` by tag) and its assets."""
    model, tag = request.args.get("model", "").strip(), request.args.get("asset", "").strip()
    if bool(model) == bool(tag):
        raise ValidationFailed("Ask about one model (?model=<name>) or one asset "
                               "(?asset=<tag>).", {"model": model, "asset": tag})
    if model:
        found = catalog.find_model(model[:200])
        return {"model": found.name}, sa.select(Asset.id).where(Asset.model_id == found.id)
    asset = assets.get_by_tag(tag[:64])
    return {"asset": asset.tag}, sa.select(Asset.id).where(Asset.id == asset.id)


def _report(days: int):
    scope, assets_ = _scope()
    end = utcnow().replace(microsecond=0)
    return scope, history.report(assets_, end - timedelta(days=days), end)


@api.get("")
@requires(Permission.VIEW)
def detail():
    """Failures, MTBF, MTTR, availability, PM compliance, the planned share and maintenance
    cost of a model's assets or one asset over the last `days` (365), each figure with its
    formula, inputs and sample, null with a reason where there is not enough data."""
    days = int_arg("days", 365, low=1, high=3650)
    scope, result = _report(days)
    return {"scope": scope, "days": days, **result.as_json()}


@pages.get("/")
@requires(Permission.VIEW)
def index():
    days = int_arg("days", 365, low=1, high=3650)
    models = db.session.scalars(sa.select(AssetModel.name).order_by(AssetModel.name)).all()
    asked = request.args.get("model") or request.args.get("asset")
    scope, result = _report(days) if asked else ({}, None)
    return render_template("maintenance/reliability.html", models=models, scope=scope,
                           report=result, days=days)
