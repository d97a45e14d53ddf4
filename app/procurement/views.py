"""/admin/requests: purchase requests raised, read and decided at the desk. The form raises
one through requests.submit, as the API and the phone do."""
import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app import documents
from app.api import page_arg
from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog import service as catalog
from app.dbtypes import MAX_MONEY
from app.errors import DomainError
from app.extensions import db
from app.forms import NumberField, form_status, show_error
from app.procurement import requests
from app.procurement.models import BuyOrLease, RequestStatus

bp = Blueprint("procurement", __name__, url_prefix="/admin/requests")
PER_PAGE = 50


class RequestForm(FlaskForm):
    title = StringField("What is needed", validators=[DataRequired(), Length(max=200)])
    justification = TextAreaField("Why it is needed, and why now",
                                  validators=[DataRequired(), Length(max=10_000)])
    model = StringField("Model (or leave empty and describe it below)",
                        validators=[Optional(), Length(max=200)])
    specification = TextAreaField("Specification", validators=[Optional(), Length(max=10_000)])
    quantity = IntegerField("Quantity", default=1, validators=[NumberRange(min=1, max=100_000)])
    estimated_unit_cost = NumberField(
        "Estimated cost of one (empty: from the model's price or its last purchases)",
        places=2, validators=[Optional(), NumberRange(min=0, max=MAX_MONEY)])
    buy_or_lease = SelectField("Buy or lease", default=BuyOrLease.BUY.value,
                               choices=[(b.value, b.value.title()) for b in BuyOrLease])
    expected_life_months = IntegerField("Expected life (months; empty: the model's)",
                                        validators=[Optional(), NumberRange(min=1, max=1200)])
    department = StringField("Department (its code)", validators=[Optional(), Length(max=64)])
    budget_line = StringField("Budget line", validators=[Optional(), Length(max=100)])
    needed_by = DateField("Needed by", validators=[Optional()])

    def data_for_request(self) -> dict:
        data = {"id": str(uuid.uuid4()), "title": self.title.data.strip(),
                "justification": self.justification.data.strip(),
                "quantity": self.quantity.data, "buy_or_lease": self.buy_or_lease.data}
        for name in ("model", "specification", "department", "budget_line"):
            if (getattr(self, name).data or "").strip():
                data[name] = getattr(self, name).data.strip()
        if self.estimated_unit_cost.data is not None:
            data["estimated_unit_cost"] = str(self.estimated_unit_cost.data)
        if self.expected_life_months.data:
            data["expected_life_months"] = self.expected_life_months.data
        if self.needed_by.data:
            data["needed_by"] = self.needed_by.data.isoformat()
        return data


class DecisionForm(FlaskForm):
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=10_000)])


@bp.get("/")
@requires(Permission.VIEW)
def index():
    status = request.args.get("status", "")
    status = status if status in set(RequestStatus) else ""
    page = db.paginate(requests.query(status), page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("procurement/index.html", page=page, status=status,
                           statuses=list(RequestStatus), args={"status": status} if status
                           else {})


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.FIELD)
def new():
    form = RequestForm(data={"model": request.args.get("model", "")[:200]} if request.method
                       == "GET" else None)
    model = None
    if (form.model.data or "").strip():
        try:
            model = catalog.find_model(form.model.data)
        except DomainError:
            model = None  # the form says so when it is sent
    if form.validate_on_submit():
        try:
            raised, _ = requests.submit(form.data_for_request(), actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Request {raised.number} submitted; it waits for approval.")
            return redirect(url_for(".detail", request_number=raised.number))
    return render_template("procurement/new.html", form=form, model=model,
                           history=requests.history(model) if model else None,
                           estimate=requests.estimate_for(model) if model else None), \
        form_status(form)


@bp.get("/<request_number>")
@requires(Permission.VIEW)
def detail(request_number):
    found = requests.find(request_number[:20])
    return render_template("procurement/detail.html", request_=found, form=DecisionForm(),
                           data=requests.as_json(found), steps=documents.steps(found.number),
                           history=requests.history(found.model) if found.model else None)


@bp.post("/<request_number>/<decision>")
@requires(Permission.VIEW)  # managers and finance: the request's levels decide
def decide(request_number, decision):
    found = requests.find(request_number[:20])
    form = DecisionForm()
    if decision not in ("approve", "reject") or not form.validate_on_submit():
        flash("That decision was incomplete; reload the page.")
        return redirect(url_for(".detail", request_number=found.number))
    try:
        requests.decide(found, approve=decision == "approve", comment=form.comment.data or "",
                        actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(f"Not done: {exc.message}")
    else:
        db.session.commit()
        flash(f"{found.number}: {'approved' if decision == 'approve' else 'rejected'} "
              f"({found.status}).")
    return redirect(url_for(".detail", request_number=found.number))
