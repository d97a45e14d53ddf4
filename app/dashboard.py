"""/admin/: the register at a glance — where assets stand, what needs someone's attention,
and how accurate the stock-takes have been."""

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from app.assets import not_seen as unseen
from app.assets.models import Asset
from app.auth.access import requires
from app.auth.roles import Permission
from app.certificates import reports as disposals
from app.extensions import db
from app.lifecycle.conflicts import open_count
from app.lifecycle.states import AssetStatus
from app.stocktakes import progress
from app.timeutil import utcnow
from app.warranty import coverage

bp = Blueprint("dashboard", __name__, url_prefix="/admin")
WARRANTY_SOON_DAYS = 30


@bp.get("/")
@requires(Permission.VIEW)
def index():
    counts = {status: n for status, n in db.session.execute(
        sa.select(Asset.status, sa.func.count()).group_by(Asset.status))}
    today = utcnow().date()
    warranty = len(coverage.ending_within(WARRANTY_SOON_DAYS, today, limit=1000))
    return render_template(
        "dashboard.html", counts=[(s, counts.get(s, 0)) for s in AssetStatus],
        total=sum(counts.values()), warranty_soon=warranty,
        conflicts=open_count(current_user), gaps=disposals.gap_count(),
        waiting=disposals.waiting_count(),
        not_seen=unseen.not_seen(per_page=1).total, not_seen_days=unseen.not_seen_days(),
        recent=sorted(progress.accuracy_history(limit=500), key=lambda s: s.finished_at,
                      reverse=True)[:10])
