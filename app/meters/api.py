"""POST /api/v1/meters, POST /api/v1/readings (a feed's batch) and
GET /api/v1/assets/<tag>/readings."""
import sqlalchemy as sa
from flask import Blueprint, request
from flask_login import current_user

from app.api import documented, int_arg, json_body, load
from app.assets import service as assets
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import ValidationFailed
from app.extensions import db
from app.meters import service
from app.meters.models import Reading
from app.meters.schemas import MeterIn, ReadingsIn, meter_json, reading_json
from app.timeutil import parse_datetime

bp = Blueprint("meters_api", __name__, url_prefix="/api/v1")


@bp.post("/meters")
@requires(Permission.MANAGE)
@documented(MeterIn)
def create_meter():
    """Add a meter to an asset: a counter (never goes down unless reset) or a gauge."""
    data = load(MeterIn(), json_body())
    asset = assets.get_by_tag(data.pop("asset"))
    meter = service.create_meter(asset, **data)
    db.session.commit()
    return meter_json(meter), 201


@bp.post("/readings")
@requires(Permission.FIELD)
@documented(ReadingsIn)
def store_readings():
    """Store up to 10,000 readings; each is stored, a duplicate, or rejected with a reason."""
    body = json_body(checked_later=True)  # reading by reading, in the service
    results = service.store_batch(body.get("readings"), actor=current_user)
    db.session.commit()
    counts = {status: sum(r["status"] == status for r in results)
              for status in ("stored", "duplicate", "rejected")}
    return {"results": results, **counts}


def _time_arg(name: str):
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be an ISO 8601 time.", {name: raw[:100]}) from None


@bp.get("/assets/<tag>/readings")
@requires(Permission.VIEW)
def readings(tag):
    """An asset's meters and their readings, newest first; `meter` names one, `since` and
    `until` bound the times, `page` and `per_page` (up to 1,000) page through them."""
    asset = assets.get_by_tag(tag)
    meters = service.meters_of(asset)
    name = request.args.get("meter", "")
    if name:
        meters = [service.find_meter(asset, name[:64])]
    page, per_page = int_arg("page", 1), int_arg("per_page", 100, high=1000)
    ids = [m.id for m in meters]
    stmt = sa.select(Reading).where(Reading.meter_id.in_(ids))
    since, until = _time_arg("since"), _time_arg("until")
    if since is not None:
        stmt = stmt.where(Reading.at >= since)
    if until is not None:
        stmt = stmt.where(Reading.at < until)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Reading.at.desc(), Reading.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return {"asset": asset.tag, "meters": [meter_json(m) for m in meters],
            "items": [reading_json(r) for r in rows], "page": page, "per_page": per_page,
            "total": total}

