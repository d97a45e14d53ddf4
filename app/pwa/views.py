"""Shell pages of the phone app, its manifest and its service worker. The shells carry no
user or asset data, so the service worker can keep them for offline use; data comes from
/api/v1 or, offline, from the phone's own cache."""
import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.auth.access import home_page

bp = Blueprint("pwa", __name__)

# Opened from the phone's copy when slow or offline.
PHONE_PAGES = ["/scan", "/stocktake", "/work", "/receive"]
OFFLINE_PAGE = "/offline"  # what any other page shows when it cannot load
SHELL_PAGES = PHONE_PAGES + [OFFLINE_PAGE]
# Everything the shell needs offline, relative to static/ (the decoder's wasm included).
SHELL_STATIC = ["css/*.css", "js/**/*.js", "vendor/**/*.js", "vendor/**/*.wasm", "icons/*.png"]


@bp.get("/")
def home():
    return redirect(home_page(current_user))


@bp.get("/scan")
def scan():
    return render_template("pwa/scan.html")


@bp.get("/stocktake")
def stocktake():
    return render_template("pwa/stocktake.html")


@bp.get("/work")
def work():
    return render_template("pwa/work.html")


@bp.get("/receive")
def receive():
    return render_template("pwa/receive.html")


@bp.get("/offline")
def offline():
    """The page the service worker shows in place of one that cannot load."""
    return render_template("pwa/offline.html")


@bp.get("/manifest.webmanifest")
def manifest():
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"), "sizes": size,
        "type": "image/png", "purpose": purpose}
    body = {"name": "Tagtrail", "short_name": "Tagtrail", "id": "/scan", "start_url": "/scan",
            "scope": "/", "display": "standalone", "orientation": "portrait",
            "background_color": "#f6f7f9", "theme_color": "#14202b",
            "description": "Scan asset tags and record field work, with or without signal.",
            "icons": [icon("icon-192.png", "192x192"), icon("icon-512.png", "512x512"),
                      icon("maskable-512.png", "512x512", "maskable")]}
    return Response(json.dumps(body), mimetype="application/manifest+json")


@cache
def _shell(static_folder: str) -> tuple[str, list[str]]:
    """The precache list and a version that changes whenever any file in it changes."""
    root = Path(static_folder)
    files = sorted({p for pattern in SHELL_STATIC for p in root.glob(pattern) if p.is_file()})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    urls = SHELL_PAGES + ["/manifest.webmanifest"] + [
        f"/static/{p.relative_to(root).as_posix()}" for p in files]
    return digest.hexdigest()[:12], urls


@bp.get("/sw.js")
def service_worker():
    # Served from the root so its scope is the whole site; never cached by HTTP, so phones
    # see a new version (and its precache list) on their next visit after a deploy.
    version, urls = _shell(current_app.static_folder)
    version += current_app.config["RELEASE"]  # a deploy may also bump it by hand
    source = Path(current_app.static_folder, "sw.js").read_text()
    source = source.replace('"__VERSION__"', json.dumps(version)).replace(
        "[/* __PRECACHE__ */]", json.dumps(urls)).replace(
        "[/* __PHONE_PAGES__ */]", json.dumps(PHONE_PAGES))
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
