"""The stock-take API the phone walks a stock-take with: list, start, download, finish, and
the reports."""
import json

from flask import Blueprint, Response, request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import Moment, documented, json_body, load
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import ValidationFailed
from app.extensions import db
from app.org.service import find_location
from app.scanning.payload import clean
from app.stocktakes import progress, reports, scans, service
from app.stocktakes.models import Stocktake, StocktakeStatus
from app.timeutil import isoformat, utcnow

bp = Blueprint("stocktakes_api", __name__, url_prefix="/api/v1")
LIST_LIMIT = 200


class StartIn(Schema):
    location = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    note = fields.Str(load_default="", validate=validate.Length(max=2000))


def _item(stocktake: Stocktake, counted: int) -> dict:
    return {"id": stocktake.id, "location": stocktake.location.code,
            "location_name": stocktake.location.name, "status": str(stocktake.status),
            "started_at": isoformat(stocktake.started_at),
            "expected_count": stocktake.expected_count, "counted_count": counted}


@bp.get("/stocktakes")
@requires(Permission.VIEW)
def index():
    """Stock-takes, newest first; `status` (open, finished, cancelled) narrows them."""
    status = request.args.get("status", "")
    if status and status not in StocktakeStatus.__members__.values():
        raise ValidationFailed(f"'status' must be one of {', '.join(StocktakeStatus)}.",
                               {"status": status})
    stocktakes = db.session.scalars(service.query(status=status).limit(LIST_LIMIT)).all()
    counts = progress.counts(stocktakes)
    return {"items": [_item(s, counts.get(s.id, (0, 0))[0]) for s in stocktakes]}


@bp.post("/stocktakes")
@requires(Permission.FIELD)
@documented(StartIn)
def start():
    """Start a stock-take of a location and everything under it (its snapshot is taken now)."""
    body = load(StartIn(), json_body())
    stocktake = service.start(find_location(body["location"]), actor=current_user,
                              note=body["note"])
    db.session.commit()
    return _item(stocktake, 0), 201


@bp.get("/stocktakes/<int:stocktake_id>")
@requires(Permission.VIEW)
def detail(stocktake_id):
    """Rooms, expected assets and counts so far: what a phone needs to walk it offline."""
    stocktake = service.get(stocktake_id)
    body = {k: v for k, v in _item(stocktake, 0).items()
            if k not in ("expected_count", "counted_count")} | progress.phone_view(stocktake)
    # Tens of thousands of rows: compact, and unsorted keys (jsonify sorts them).
    return Response(json.dumps(body, separators=(",", ":")), mimetype="application/json")


class UnknownIn(Schema):
    id = fields.UUID(required=True)
    code = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    location = fields.Str(validate=validate.Length(min=1, max=64))  # the room scanned in
    occurred_at = Moment()


@bp.post("/stocktakes/<int:stocktake_id>/unknown")
@requires(Permission.FIELD)
@documented(UnknownIn)
def unknown(stocktake_id):
    """A code scanned during the walk that names no asset, for the report. Sent again
    (the same id), it is kept once."""
    body = load(UnknownIn(), json_body())
    stored = scans.record_unknown(
        service.get(stocktake_id).id, sighting_id=str(body["id"]), code=clean(body["code"]),
        room_code=body.get("location"), actor=current_user,
        seen_at=body.get("occurred_at") or utcnow(),
        device=request.headers.get("X-Device", "phone")[:100])
    db.session.commit()
    return {"status": "stored" if stored else "duplicate"}, 201 if stored else 200


@bp.post("/stocktakes/<int:stocktake_id>/finish")
@requires(Permission.MANAGE)
def finish(stocktake_id):
    """Finish an open stock-take: later scans are refused, reconciliation may begin."""
    stocktake = service.finish(service.get(stocktake_id), actor=current_user)
    db.session.commit()
    return _item(stocktake, progress.counts([stocktake]).get(stocktake.id, (0, 0))[0])


@bp.get("/stocktakes/<int:stocktake_id>/report.pdf")
@requires(Permission.VIEW)
def report_pdf(stocktake_id):
    """The stock-take report as a PDF: figures, rooms and the missing/misplaced/unexpected."""
    return reports.pdf_response(service.get(stocktake_id))


@bp.get("/stocktakes/<int:stocktake_id>/report.csv")
@requires(Permission.VIEW)
def report_csv(stocktake_id):
    """One CSV row per asset: expected and seen location, result, who counted it and when."""
    return reports.csv_response(service.get(stocktake_id))
