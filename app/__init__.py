"""Application factory."""
from pathlib import Path

from flask import Flask, request
from flask_wtf.csrf import CSRFError

from app.config import ROOT, Config, from_environment
from app.extensions import csrf, db, login_manager, migrate
from app.keys import instance_secret

# Scripts only from this server ('wasm-unsafe-eval' lets the barcode decoder compile its
# WebAssembly); photos and camera frames are blob: URLs; nothing may frame the app.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def create_app(overrides: dict | None = None) -> Flask:
    settings = from_environment() | (overrides or {})
    app = Flask(__name__, static_folder=str(ROOT / "static"),
                template_folder=str(ROOT / "templates"),
                instance_path=settings.pop("INSTANCE_PATH"))
    app.config.from_object(Config)
    app.config.update(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("Refusing to start in production without SECRET_KEY: set it to "
                               "a long random value, the same on every app machine.")
        app.config["SECRET_KEY"] = instance_secret(app.instance_path, "secret_key")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def _no_nul():
        # PostgreSQL cannot store a NUL character: refuse it up front, not with a 500 later.
        from app.errors import BadRequest, contains_nul
        if contains_nul(request.path) or contains_nul(list(request.args.values())) \
                or (request.mimetype in FORM_TYPES and contains_nul(list(request.form.values()))):
            raise BadRequest("The address or form contains a NUL character.", {"nul": True})

    @app.before_request
    def _csrf():
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        # Bearer-token API calls carry no cookie, so there is nothing to forge.
        if request.path.startswith("/api/") and request.authorization \
                and request.authorization.type == "bearer":
            return
        csrf.protect()

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        from app.errors import json_error, wants_json
        message = "The form expired or came from elsewhere. Reload the page and try again."
        if wants_json():
            return json_error(400, "csrf_failed", message)
        from flask import render_template
        return render_template("errors.html", code=400, message=message), 400

    @app.after_request
    def _security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        return response

    from app import cli, errors, models  # noqa: F401  (models: complete metadata)
    from app.admin import views as admin
    from app.assets import api as assets_api
    from app.assets import views as assets
    from app.auth import access  # noqa: F401  (access: login loaders)
    from app.auth import views as auth
    from app.catalog import views as catalog
    from app.certificates import api as certificates_api
    from app.certificates import views as certificates
    from app.dashboard import bp as dashboard
    from app.files import api as files_api
    from app.health import bp as health
    from app.labels import views as labels
    from app.lifecycle import api as conflicts_api
    from app.lifecycle import views as conflicts
    from app.openapi import bp as openapi
    from app.org import api as org_api
    from app.org import views as org
    from app.pwa import views as pwa
    from app.scanning import api as scanning_api
    from app.scanning import views as scanning
    from app.stocktakes import api as stocktakes_api
    from app.stocktakes import views as stocktakes
    from app.sync import api as sync_api

    for blueprint in (auth.bp, assets.bp, assets_api.bp, catalog.bp, org.bp, org_api.bp,
                      admin.bp, certificates.bp, certificates_api.bp, conflicts.bp,
                      conflicts_api.bp, files_api.bp, labels.bp, pwa.bp, scanning.bp,
                      scanning_api.bp, stocktakes.bp, stocktakes_api.bp, sync_api.bp, openapi,
                      dashboard, health):
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
