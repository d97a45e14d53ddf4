"""Application factory."""
from pathlib import Path

from flask import Flask

from app import keys, security
from app.config import ROOT, Config, from_environment
from app.extensions import compress, csrf, db, login_manager, migrate
from app.timeutil import parse_datetime


def create_app(overrides: dict | None = None) -> Flask:
    settings = from_environment() | (overrides or {})
    app = Flask(__name__, static_folder=str(ROOT / "static"),
                template_folder=str(ROOT / "templates"),
                instance_path=settings.pop("INSTANCE_PATH"))
    app.config.from_object(Config)
    app.config.update(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    keys.configure(app)
    # Keys in the order they were built: an event type's fields are listed in the order its
    # form shows them.
    app.json.sort_keys = False

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    compress.init_app(app)

    security.init(app)

    from app import cli, errors, events, models  # noqa: F401  (complete metadata and types)
    from app.admin import views as admin
    from app.assets import api as assets_api
    from app.assets import views as assets
    from app.auth import access  # noqa: F401  (access: login loaders)
    from app.auth import views as auth
    from app.catalog import api as catalog_api
    from app.catalog import views as catalog
    from app.certificates import api as certificates_api
    from app.certificates import views as certificates
    from app.dashboard import bp as dashboard
    from app.files import api as files_api
    from app.finance import api as finance_api
    from app.finance import books_api, tco_views
    from app.finance import views as finance
    from app.health import bp as health
    from app.labels import views as labels
    from app.licences import api as licences_api
    from app.licences import views as licences
    from app.lifecycle import api as conflicts_api
    from app.lifecycle import views as conflicts
    from app.maintenance import api as maintenance_api
    from app.maintenance import decision_views as decision
    from app.maintenance import reliability_views as reliability
    from app.maintenance import schedule_views as schedules
    from app.maintenance import views as maintenance
    from app.meters import api as meters_api
    from app.meters import views as meters
    from app.openapi import bp as openapi
    from app.org import api as org_api
    from app.org import views as org
    from app.procurement import api as procurement_api
    from app.procurement import order_views as purchase_orders
    from app.procurement import views as procurement
    from app.pwa import views as pwa
    from app.scanning import api as scanning_api
    from app.scanning import views as scanning
    from app.stocktakes import api as stocktakes_api
    from app.stocktakes import views as stocktakes
    from app.sync import api as sync_api
    from app.trail_views import bp as trail
    from app.warranty import api as warranty_api
    from app.warranty import views as warranty

    for blueprint in (auth.bp, assets.bp, assets_api.bp, catalog.bp, catalog_api.bp, org.bp,
                      org_api.bp, admin.bp, certificates.bp, certificates_api.bp, conflicts.bp,
                      conflicts_api.bp, files_api.bp, labels.bp, meters.bp, meters_api.bp,
                      pwa.bp, scanning.bp, scanning_api.bp, stocktakes.bp, stocktakes_api.bp,
                      maintenance.bp, maintenance_api.bp, sync_api.bp, openapi, warranty.bp,
                      warranty_api.bp, decision.api, decision.pages, reliability.api,
                      reliability.pages, schedules.api, schedules.pages, procurement.bp,
                      procurement_api.bp, procurement_api.orders_bp, purchase_orders.bp,
                      finance_api.bp, books_api.bp, finance.bp, tco_views.api, tco_views.pages,
                      licences.bp, licences_api.bp, dashboard, trail, health):
        app.register_blueprint(blueprint)
    errors.register(app)
    cli.register(app)
    _template_helpers(app)
    return app


def _template_helpers(app: Flask) -> None:
    from app.auth.roles import Permission
    from app.lifecycle.conflicts import open_count
    from app.timeutil import isoformat

    app.jinja_env.globals.update(Permission=Permission, open_conflicts=open_count)
    app.jinja_env.filters["iso"] = isoformat
    app.jinja_env.filters["label"] = lambda value: str(value or "").replace("_", " ")
    app.jinja_env.filters["fact"] = _fact
    app.jinja_env.filters["device"] = _device
    app.jinja_env.filters["moment"] = _moment


def _fact(value) -> str:
    """An event's data value as a person reads it: lists as lists, yes/no, a certificate by
    its number."""
    if isinstance(value, list):
        return ", ".join(_fact(v) for v in value)
    if isinstance(value, dict):
        return value.get("number") or "; ".join(f"{k}: {_fact(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _device(device: str) -> str:
    """Where an event was made, in words: a phone's random id by its end only."""
    if device in ("web", "api", "demo"):
        return {"web": "on the web", "api": "through the API", "demo": "demo data"}[device]
    if device.startswith("stocktake-"):
        return f"stock-take #{device.removeprefix('stocktake-')}"
    if len(device) == 36 and device.count("-") == 4:  # the random id a phone gives itself
        return f"on a phone (…{device[-4:]})"
    return f"on {device}"


def _moment(text: str | None) -> str:
    """An ISO time a record keeps (2026-12-03T14:51:08Z), as people read it."""
    try:
        return parse_datetime(text).strftime("%-d %B %Y, %H:%M UTC")
    except (TypeError, ValueError, AttributeError):
        return text or "—"
