"""GET /api/v1/certificates?asset=<tag>, the PDF for API clients, and a certificate request."""
import sqlalchemy.orm as so
from flask import Blueprint, request, url_for
from marshmallow import Schema, fields

from app.api import documented, json_body, load
from app.assets.service import get_by_tag
from app.auth.access import requires
from app.auth.roles import Permission
from app.certificates import service, views
from app.certificates.models import Certificate
from app.errors import ValidationFailed
from app.extensions import db

bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")


def _item(cert: Certificate) -> dict:
    return {"number": cert.number, "kind": str(cert.kind), "sha256": cert.sha256,
            "pdf_url": url_for(".pdf", number=cert.number, _external=True),
            "verify_url": service.link(cert)}


@bp.get("/certificates")
@requires(Permission.VIEW)
def index():
    """An asset's certificates, oldest first; superseded ones included, and the certificate
    of the disposal batch it left in."""
    tag = request.args.get("asset", "").strip()
    if not tag:
        raise ValidationFailed("Say which asset: ?asset=<tag>.", {"asset": "required"})
    return [_item(c) for c in service.of_asset(get_by_tag(tag, so.lazyload("*")))]


@bp.get("/certificates/<number>.pdf")
@requires(Permission.VIEW)
def pdf(number):
    return views.send_pdf(number)


class RequestIn(Schema):
    asset = fields.Str(required=True)


@bp.post("/certificates")
@requires(Permission.MANAGE)
@documented(RequestIn)
def request_certificate():
    """The data-destruction certificate of an asset's verified wipe (issued now if the wipe
    predates certificates); refused when the asset has no completed wipe."""
    body = load(RequestIn(), json_body())
    cert = service.request_data_destruction(get_by_tag(body["asset"]))
    db.session.commit()
    return _item(cert), 201
