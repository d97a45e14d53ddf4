"""GET /api/v1/scan (what does this payload name?) and POST /api/v1/decode (read a photo)."""
import threading

from flask import Blueprint, current_app, request
from flask_login import current_user

from app import images
from app.api import documented
from app.assets import service as assets
from app.assets.models import Asset
from app.auth.access import requires
from app.auth.roles import Permission
from app.certificates.service import unwiped
from app.errors import BadRequest, NotFound, ValidationFailed, json_error
from app.lifecycle.states import next_events
from app.maintenance.orders import open_counts
from app.scanning import decode, service

bp = Blueprint("scanning_api", __name__, url_prefix="/api/v1")


@bp.get("/scan")
@requires(Permission.VIEW)
def scan():
    """The asset a scanned payload names, or 404 with candidates."""
    raw = request.args.get("payload", "")
    if not raw.strip():
        raise ValidationFailed("Send what the camera read as ?payload=...", {"payload": "empty"})
    result = service.resolve(raw)
    if result.asset is None:
        raise NotFound(
            f"No asset carries the code {result.payload.text[:80]!r}. Attach this label to an "
            "asset, or register a new one with it.",
            {"payload": result.payload.text, "code": result.payload.code,
             "candidates": assets.records_where(Asset.id.in_([a.id for a in result.candidates])),
             "can_bind": bool(result.payload.code)}, code="unknown_payload")
    return assets.record_for(result.asset.tag) | {
        "matched_by": result.matched_by, "unwiped_data": bool(unwiped([result.asset.id])),
        "actions": next_events(result.asset.status, current_user.role),
        "open_work_orders": open_counts([result.asset.id]).get(result.asset.id, 0)}


# One photo at a time per process: a decode holds up to ~100 MB and a core for up to a second,
# so threads (the dev server, gthread workers) must not multiply that by the number of callers.
DECODING = threading.BoundedSemaphore(1)
RETRY_AFTER_SECONDS = 2


@bp.post("/decode")
@requires(Permission.FIELD)  # a decode costs a core and tens of MB; auditors need none
@documented("multipart")
def decode_photo():
    """Read the codes in a photo."""
    upload = request.files.get("image")
    if upload is None:
        raise BadRequest("Send the photo as a multipart form field named 'image'.",
                         {"image": "missing"})
    config = current_app.config
    # A short wait absorbs two people sending photos at once; beyond it, answering "busy"
    # beats piling up threads, each holding its upload, behind a queue of unknown length.
    if not DECODING.acquire(timeout=config["DECODE_WAIT_SECONDS"]):
        response, status = json_error(
            503, "busy", "The server is reading other photos; try again in a few seconds.")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status
    try:
        codes = decode.decode_bytes(upload.read(config["DECODE_MAX_BYTES"] + 1),
                                    max_bytes=config["DECODE_MAX_BYTES"],
                                    max_pixels=config["DECODE_MAX_PIXELS"])
    except images.ImageRefused as exc:
        # Named by the form field it came in, as refusals name theirs, with the gate's details.
        raise type(exc)(exc.message, {"image": exc.code} | exc.details) from None
    finally:
        DECODING.release()
    return {"codes": [{"text": c.text, "format": c.format, "box": c.box} for c in codes]}
