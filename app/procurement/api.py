"""Purchase requests (GET/POST /api/v1/requests, GET .../<number>, POST .../approve and
.../reject) and purchase orders with their receipts (GET/POST /api/v1/purchase-orders,
GET .../<number>, POST .../send and .../receipts), as design.md "Procure and finance"
describes them."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from app.api import documented, json_body, paged
from app.auth.access import requires
from app.auth.roles import Permission
from app.extensions import db
from app.procurement import orders, receiving, requests
from app.procurement.models import OrderStatus
from app.procurement.orders import PurchaseOrderIn
from app.procurement.receiving import ReceiptIn
from app.procurement.requests import PurchaseRequestIn, RequestDecisionIn

bp = Blueprint("procurement_api", __name__, url_prefix="/api/v1/requests")


@bp.get("")
@requires(Permission.VIEW)
def index():
    """Purchase requests, newest first; filter by status."""
    return paged(requests.query(request.args.get("status", "")[:20]), requests.as_json)


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


orders_bp = Blueprint("orders_api", __name__, url_prefix="/api/v1/purchase-orders")


@orders_bp.get("")
@requires(Permission.VIEW)
def orders_index():
    """Purchase orders, newest first; filter by status."""
    return paged(orders.query(request.args.get("status", "")[:20]), orders.as_json)


@orders_bp.post("")
@requires(Permission.MANAGE)
@documented(PurchaseOrderIn)
def orders_create():
    """A draft order: its own lines, or an approved request's (which becomes ordered)."""
    order = orders.create(json_body(), actor=current_user)
    db.session.commit()
    return orders.as_json(order), 201, {
        "Location": url_for(".orders_detail", order_number=order.number)}


@orders_bp.get("/<order_number>")
@requires(Permission.VIEW)
def orders_detail(order_number):
    """One order, with what each line has received so far."""
    return orders.as_json(orders.find(order_number))


@orders_bp.post("/<order_number>/send")
@requires(Permission.MANAGE)
def orders_send(order_number):
    """The order has gone to the supplier: units may be received on it now."""
    order = orders.find(order_number)
    orders.move(order, OrderStatus.SENT, actor=current_user, step="order_sent")
    db.session.commit()
    return orders.as_json(order)


@orders_bp.post("/<order_number>/receipts")
@requires(Permission.FIELD)
@documented(ReceiptIn)
def receipts(order_number):
    """Units received: each becomes an asset on the line it came on; all or nothing, and a
    repeated `id` answers as the first time."""
    order = orders.find(order_number)
    answer, new = receiving.receive(order, json_body(), actor=current_user,
                                    device=request.headers.get("X-Device", "api")[:100])
    db.session.commit()
    return answer, 201 if new else 200
