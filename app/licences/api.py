"""GET/POST /api/v1/licences, GET /api/v1/licences/<licence> and POST .../assignments:
licences as design.md "Procure and finance" describes them. <licence> is its number
(LIC-2026-000001) or its id."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from app.api import documented, int_arg, json_body
from app.auth.access import requires
from app.auth.roles import Permission
from app.extensions import db
from app.licences import service
from app.licences.service import AssignmentIn, LicenceIn

bp = Blueprint("licences_api", __name__, url_prefix="/api/v1/licences")


@bp.get("")
@requires(Permission.VIEW)
def index():
    """Licences by term end; filter by name, kind and contract; `due_within` (days) keeps
    those whose notice date falls within so many days."""
    if request.args.get("due_within", "") != "":
        due = service.renewals_due(int_arg("due_within", 30, low=0, high=3650))
        counts = service.used_counts([lic.id for lic in due])
        return {"items": [service.as_json(lic, counts.get(lic.id, 0)) for lic in due],
                "page": 1, "per_page": len(due), "total": len(due), "more": False}
    query = service.query(request.args.get("name", "")[:200], request.args.get("kind", ""),
                          request.args.get("contract", ""))
    page = db.paginate(query, page=int_arg("page", 1),
                       per_page=int_arg("per_page", 50, high=200), error_out=False, count=True)
    counts = service.used_counts([lic.id for lic in page.items])
    return {"items": [service.as_json(lic, counts.get(lic.id, 0)) for lic in page.items],
            "page": page.page, "per_page": page.per_page, "total": page.total,
            "more": page.has_next}


# Creating and editing need MANAGE, as the rest of the register's reference data does: the
# people who assign seats keep the licences. Finance reads them (and their costs) with VIEW.
@bp.post("")
@requires(Permission.MANAGE)
@documented(LicenceIn)
def create():
    """Add a licence; seats null means unlimited."""
    licence = service.create(json_body(), actor=current_user)
    db.session.commit()
    return service.as_json(licence, details=True), 201, {
        "Location": url_for(".detail", licence=licence.number)}


@bp.get("/<licence>")
@requires(Permission.VIEW)
def detail(licence):
    """One licence with its compliance (seats, used, available, ok or over) and its
    assignments, released ones too."""
    return service.as_json(service.find(licence), details=True)


@bp.post("/<licence>/assignments")
@requires(Permission.MANAGE)
@documented(AssignmentIn)
def assign(licence):
    """Give a person (per_user) or an asset (per_device) a seat. Past the seats owned it is
    given all the same, and the licence answers "over"."""
    found = service.find(licence)
    assignment = service.assign(found, json_body(), actor=current_user)
    db.session.commit()
    return {"assignment": service.assignment_json(assignment)} | {
        key: value for key, value in service.as_json(found).items()
        if key in ("number", "seats", "used", "available", "compliance", "over_by")}, 201
