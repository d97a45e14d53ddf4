"""/admin/purchase-orders: orders made (from an approved request or on their own), sent,
cancelled, received at the desk, and printed as a PDF whose QR code a phone scans to pick
the order when receiving."""
import uuid

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from app import documents
from app.api import page_arg
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.pdf import html_to_pdf
from app.procurement import orders, receiving
from app.procurement.models import OrderStatus
from app.symbols import qr
from app.timeutil import utcnow

bp = Blueprint("purchase_orders", __name__, url_prefix="/admin/purchase-orders")
PER_PAGE = 50
LINE_ROWS = 5  # line rows on the new order's form


@bp.get("/")
@requires(Permission.VIEW)
def index():
    status = request.args.get("status", "")
    status = status if status in set(OrderStatus) else ""
    page = db.paginate(orders.query(status), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("procurement/orders.html", page=page, status=status,
                           statuses=list(OrderStatus), args={"status": status} if status
                           else {})


def _lines(form) -> list[dict]:
    lines = []
    for n in range(1, LINE_ROWS + 1):
        model = (form.get(f"model_{n}") or "").strip()
        if model:
            lines.append({"model": model, "quantity": orders.whole(form.get(f"quantity_{n}")),
                          "unit_cost": (form.get(f"unit_cost_{n}") or "").strip() or "0"})
    return lines


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def new():
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        data = {"supplier": (request.form.get("supplier") or "").strip()}
        for name in ("request", "freight", "tax"):
            if (request.form.get(name) or "").strip():
                data[name] = request.form[name].strip()
        if lines := _lines(request.form):
            data["lines"] = lines
        try:
            order = orders.create(data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(f"Not made: {exc.message}")
        else:
            db.session.commit()
            flash(f"Purchase order {order.number} made; send it when it has gone out.")
            return redirect(url_for(".detail", order_number=order.number))
    return render_template("procurement/order_new.html", form=form, rows=range(1, LINE_ROWS + 1),
                           request_number=request.values.get("request", "")[:20]), \
        422 if request.method == "POST" else 200


@bp.get("/<order_number>")
@requires(Permission.VIEW)
def detail(order_number):
    order = orders.find(order_number[:20])
    return render_template("procurement/order.html", order=order, form=FlaskForm(),
                           steps=documents.steps(order.number),
                           costs=receiving.unit_costs(order), receipt_id=str(uuid.uuid4()))


@bp.post("/<order_number>/<step>")
@requires(Permission.FIELD)
def act(order_number, step):
    order = orders.find(order_number[:20])
    if not FlaskForm().validate_on_submit() or step not in ("send", "cancel", "receive"):
        flash("That step was incomplete; reload the page.")
        return redirect(url_for(".detail", order_number=order.number))
    try:
        if step == "receive":
            answer, _ = receiving.receive(order, _receipt(order, request.form),
                                          actor=current_user)
            done = f"{len(answer['assets'])} received: {', '.join(answer['assets'])}."
        elif not current_user.can(Permission.MANAGE):
            raise DomainError("Sending and cancelling an order are a manager's.",
                              code="forbidden")
        else:
            to = OrderStatus.SENT if step == "send" else OrderStatus.CANCELLED
            orders.move(order, to, actor=current_user, step=f"order_{to}")
            done = f"{order.number} is {to}."
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
    else:
        db.session.commit()
        flash(done)
    return redirect(url_for(".detail", order_number=order.number))


def _receipt(order, form) -> dict:
    """The desk's receiving form as a receipt: serials one a line, for each order line."""
    lines = []
    for line in order.lines:
        serials = [s.strip() for s in (form.get(f"serials_{line.line}") or "").splitlines()]
        if any(serials):
            lines.append({"line": line.line, "units": [{"serial": s} for s in serials if s]})
    return {"id": form.get("receipt_id") or str(uuid.uuid4()),
            "location": (form.get("location") or "").strip(), "lines": lines}


@bp.get("/<order_number>/pdf")
@requires(Permission.VIEW)
def pdf(order_number):
    order = orders.find(order_number[:20])
    html = render_template("procurement/order_pdf.html", order=order, qr=qr(order.number),
                           costs=receiving.unit_costs(order), printed=utcnow(),
                           organisation=current_app.config["ORGANISATION"])
    return Response(html_to_pdf(html), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{order.number}.pdf"'})
