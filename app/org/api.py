"""GET/POST /api/v1/locations and /api/v1/people."""
from flask import Blueprint

bp = Blueprint("org_api", __name__, url_prefix="/api/v1")
