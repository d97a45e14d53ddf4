"""GET/POST /api/v1/requests, GET /api/v1/requests/<number>, and POST .../approve and
.../reject: purchase requests as design.md "Procure and finance" describes them."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from app.api import documented, int_arg, json_body
from app.auth.access import requires
from app.auth.roles import Permission
from app.extensions import db
from app.procurement import requests
from app.procurement.requests import PurchaseRequestIn, RequestDecisionIn

bp = Blueprint("procurement_api", __name__, url_prefix="/api/v1/requests")


@bp.get("")
@requires(Permission.VIEW)
def index():
    """Purchase requests, newest first; filter by status."""
    page = db.paginate(requests.query(request.args.get("status", "")[:20]),
                       page=int_arg("page", 1), per_page=int_arg("per_page", 50, high=200),
                       error_out=False, count=True)
    return {"items": [requests.as_json(r) for r in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total, "more": page.has_next}


@bp.post("")
@requires(Permission.FIELD)
@documented(PurchaseRequestIn)
def create():
    """Raise a purchase request; sent again with the same `id`, it is raised once."""
    raised, new = requests.submit(json_body(), actor=current_user,
                                  device=request.headers.get("X-Device", "api")[:100])
    db.session.commit()
    return requests.as_json(raised), 201 if new else 200, {
        "Location": url_for(".detail", request_number=raised.number)}


@bp.get("/<request_number>")
@requires(Permission.VIEW)
def detail(request_number):
    """One request, with its approvals so far and those it waits for."""
    return requests.as_json(requests.find(request_number))


def _decide(number: str, approve: bool):
    found = requests.find(number)
    requests.decide(found, approve=approve, comment=json_body().get("comment", ""),
                    actor=current_user)
    db.session.commit()
    return requests.as_json(found)


@bp.post("/<request_number>/approve")
@requires(Permission.VIEW)  # managers and finance; the request's levels decide (requests.py)
@documented(RequestDecisionIn)
def approve(request_number):
    """Approve at your level: a manager's, and finance's too above APPROVAL_FINANCE_ABOVE."""
    return _decide(request_number, True)


@bp.post("/<request_number>/reject")
@requires(Permission.VIEW)
@documented(RequestDecisionIn)
def reject(request_number):
    """Reject, with a comment: the request is closed."""
    return _decide(request_number, False)
