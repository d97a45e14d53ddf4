"""/admin/warranty: the assets whose warranty ends within a number of days, for whoever
renews contracts or sends faults in while they are still covered."""
from datetime import timedelta

from flask import Blueprint, render_template

from app.api import int_arg
from app.auth.access import requires
from app.auth.roles import Permission
from app.timeutil import utcnow
from app.warranty import coverage

bp = Blueprint("warranty", __name__, url_prefix="/admin/warranty")
LIMIT = 500


@bp.get("/")
@requires(Permission.VIEW)
def index():
    days = int_arg("days", 90, low=1, high=3650)
    today = utcnow().date()
    rows = coverage.ending_within(days, today, limit=LIMIT + 1)
    return render_template("warranty/index.html", rows=rows[:LIMIT], more=len(rows) > LIMIT,
                           days=days, today=today,
                           last=today + timedelta(days=days))
