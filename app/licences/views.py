"""Desk pages for licences: the list with compliance and renewals coming due, a licence with
its seats, and the forms to add, change, assign and release."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import documents
from app.api import whole_number
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status, show_error
from app.licences import service
from app.licences.forms import AssignForm, LicenceForm, ReleaseForm
from app.licences.models import Licence

bp = Blueprint("licences", __name__, url_prefix="/admin/licences")
WITHIN = 60  # days ahead the list shows renewals for, unless asked otherwise


@bp.get("/")
@requires(Permission.VIEW)
def index():
    within = min(whole_number(request.args.get("within", ""), high=3650) or WITHIN, 3650)
    licences = db.session.scalars(service.query(request.args.get("name", "")[:200])).all()
    counts = service.used_counts([lic.id for lic in licences])
    rows = [(lic, service.Compliance(lic.seats, counts.get(lic.id, 0))) for lic in licences]
    return render_template("licences/index.html", rows=rows, within=within,
                           due=service.renewals_due(within), service=service)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)  # as all reference data: see licences/api.py
def create():
    return _form(None)


@bp.route("/<licence>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit(licence):
    return _form(service.find(licence))


def _form(licence: Licence | None):
    form = LicenceForm(obj=licence)
    if form.validate_on_submit():
        try:
            if licence is None:
                licence = service.create(form.as_data(), actor=current_user)
            else:
                service.update(licence, form.as_data(), actor=current_user)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Licence {licence.number} saved.")
            return redirect(url_for(".detail", licence=licence.number))
    title = f"Edit {licence.number}" if licence else "New licence"
    cancel = url_for(".detail", licence=licence.number) if licence else url_for(".index")
    return render_template("admin/form.html", form=form, title=title,
                           cancel=cancel), form_status(form)


@bp.get("/<licence>")
@requires(Permission.VIEW)
def detail(licence):
    return _detail(service.find(licence), AssignForm())


def _detail(licence: Licence, form: AssignForm, status: int = 200):
    return render_template("licences/detail.html", licence=licence, form=form,
                           release=ReleaseForm(), counts=service.compliance(licence),
                           cost_to_date=service.cost_to_date(licence),
                           notice=service.notice_date(licence),
                           steps=documents.steps(licence.number)), status


@bp.post("/<licence>/assignments")
@requires(Permission.MANAGE)
def assign(licence):
    found = service.find(licence)
    form = AssignForm()
    if form.validate_on_submit():
        data = {k: v for k, v in (("person", form.person.data), ("asset", form.asset.data)) if v}
        try:
            assignment = service.assign(found, data, actor=current_user)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            counts = service.compliance(found)
            flash(f"{assignment.holder} holds a seat of {found.number}"
                  + (f": {counts.over} more than it has." if counts.over else "."))
            return redirect(url_for(".detail", licence=found.number))
    return _detail(db.session.get(Licence, found.id), form, form_status(form))


@bp.post("/<licence>/assignments/<int:assignment>/release")
@requires(Permission.MANAGE)
def release(licence, assignment):
    found = service.find(licence)
    form = ReleaseForm()
    if form.validate_on_submit():
        try:
            held = service.find_assignment(found, assignment)
            service.release(held, reason=form.reason.data or "released", actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message)
        else:
            db.session.commit()
            flash(f"{held.holder}'s seat is free.")
    return redirect(url_for(".detail", licence=found.number))
