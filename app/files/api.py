"""PUT/GET /api/v1/blobs/<sha256>: the phone's photos, uploaded by hash so a retry is a no-op."""
from flask import Blueprint, request, send_file, url_for

from app.api import documented
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import NotFound
from app.files import store

bp = Blueprint("files_api", __name__, url_prefix="/api/v1")

A_YEAR = 365 * 24 * 3600


@bp.put("/blobs/<sha256>")
@requires(Permission.FIELD)
@documented("PUT")
def put_blob(sha256):
    """Store a photo under its SHA-256; sending it again changes nothing."""
    store.check_name(sha256)
    store.check_size(request.content_length or 0)  # before reading a byte of the body
    blob = store.put(request.get_data(cache=False), sha256)
    if not blob.created:
        return blob.as_json(), 200
    location = url_for("files_api.get_blob", sha256=sha256)
    return blob.as_json(), 201, {"Location": location}


@bp.get("/blobs/<sha256>")  # Flask answers HEAD from this view too
@requires(Permission.VIEW)
def get_blob(sha256):
    """A stored photo."""
    path = store.path_for(sha256)
    if not path.is_file():
        raise NotFound("No photo with this SHA-256 has been uploaded yet.", {"sha256": sha256})
    # The name is the content's hash, so the content can never change: cache it for good.
    response = send_file(path, mimetype=store.mime_type(sha256), etag=sha256, max_age=A_YEAR,
                         conditional=True)
    response.headers["Cache-Control"] = f"private, max-age={A_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/blobs/<sha256>/thumbnail")
@requires(Permission.VIEW)
def get_thumbnail(sha256):
    """A stored photo or signature, small, for pages that show evidence."""
    try:
        path = store.thumbnail(sha256)
    except FileNotFoundError:
        raise NotFound("No photo with this SHA-256 has been uploaded yet.",
                       {"sha256": sha256}) from None
    response = send_file(path, mimetype=store.type_of(path.read_bytes()[:16]) or "image/jpeg",
                         etag=f"{sha256}-thumbnail", max_age=A_YEAR, conditional=True)
    response.headers["Cache-Control"] = f"private, max-age={A_YEAR}, immutable"
    return response
