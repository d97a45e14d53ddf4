"""Shell pages of the phone app. They carry no user or asset data, so a service worker can keep
them for offline use; everything else comes from /api/v1 (or, offline, the phone's cache)."""
from flask import Blueprint, redirect, render_template, url_for

bp = Blueprint("pwa", __name__)


@bp.get("/")
def home():
    return redirect(url_for(".scan"))


@bp.get("/scan")
def scan():
    return render_template("pwa/scan.html")
