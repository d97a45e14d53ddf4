"""Total cost of ownership and the planning report: GET /api/v1/assets/<tag>/tco and
GET /api/v1/reports/models (design.md), TCO by model or department, their pages, the asset
page's line and the purchase request's planning row."""
import sqlalchemy as sa
from flask import Blueprint, render_template, request

from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog.models import AssetModel
from app.extensions import db
from app.finance import planning, tco
from app.org.models import Department

api = Blueprint("tco_api", __name__, url_prefix="/api/v1")
pages = Blueprint("tco", __name__, url_prefix="/admin/finance/tco")
NAMES = {"model": AssetModel, "department": Department}


@api.get("/assets/<tag>/tco")
@requires(Permission.VIEW)
def asset_tco(tag):
    """What the asset has cost so far, part by part, and per year of service."""
    asset = assets.get_by_tag(tag)
    return {"asset": asset.tag} | tco.of_assets([asset.id]).as_json()


def _rows(group: str) -> list[tuple[str, tco.TCO]]:
    found = tco.by_group(group)
    model = NAMES[group]
    names = dict(db.session.execute(sa.select(model.id, model.name).where(
        model.id.in_([key for key, _ in found if key is not None]))).all())
    return [(names.get(key, f"no {group}"), figures) for key, figures in found]


@api.get("/reports/tco")
@requires(Permission.VIEW)
def report():
    """TCO per model or per department (`group`), the costliest first."""
    group = request.args.get("group", "model")[:20]
    return {"group": group, "rows": [{"name": name} | figures.as_json()
                                     for name, figures in _rows(group)]}


@pages.get("/")
@requires(Permission.VIEW)
def index():
    group = request.args.get("group", "model")
    group = group if group in tco.GROUPS else "model"
    return render_template("finance/tco.html", group=group, rows=_rows(group),
                           rate=tco.labour_rate())


@pages.app_context_processor
def _for_asset_pages():
    # The asset page shows its TCO without the register importing finance.
    def total_cost(asset):
        return tco.of_assets([asset.id])
    return {"total_cost": total_cost}


@api.get("/reports/models")
@requires(Permission.VIEW)
def models_report():
    """The planning report: by model, units bought, mean life before retirement, failures and
    MTBF, repair cost, downtime, TCO per year of service and residual value at disposal,
    ranked by cost per year of service with the reason in words."""
    return {"models": [row.as_json() for row in planning.report()],
            "ranked_by": "tco_per_year", "min_units": planning.MIN_UNITS,
            "reliability_days": planning.WINDOW_DAYS}


@pages.get("/planning")
@requires(Permission.VIEW)
def planning_page():
    return render_template("finance/planning.html", rows=planning.report(),
                           min_units=planning.MIN_UNITS)


@pages.app_context_processor
def _for_request_pages():
    # A purchase request naming a model shows how that model has done, ranked.
    return {"planning_row": planning.for_model}
