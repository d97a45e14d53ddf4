"""Admin pages for locations, departments and people."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.api import page_arg, whole_number
from app.auth.access import requires
from app.auth.roles import Permission
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status, show_error
from app.movements import custody
from app.org import service
from app.org.forms import DepartmentForm, LocationForm, PersonForm
from app.org.models import Department, Location, LocationKind, Person

bp = Blueprint("org", __name__, url_prefix="/admin")


@bp.get("/locations")
@requires(Permission.VIEW)
def locations():
    return render_template("org/locations.html", roots=service.location_tree())


@bp.get("/locations/<int:location_id>")
@requires(Permission.VIEW)
def location(location_id):
    place = service.get_location(location_id)
    children = db.session.scalars(sa.select(Location).where(Location.parent_id == place.id)
                                  .order_by(Location.name)).all()
    return render_template("org/location.html", location=place, children=children,
                           trail=service.ancestors(place), assets=service.asset_count(place))


@bp.route("/locations/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def create_location():
    form = LocationForm()
    form.parent.choices = _parent_choices(None)
    if request.method == "GET" and request.args.get("parent"):
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        try:
            place = service.create_location(
                code=form.code.data, name=form.name.data, kind=LocationKind(form.kind.data),
                parent=_parent(form))
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Location {place.name} created.")
            return redirect(url_for(".location", location_id=place.id))
    return _form_page(form, "New location", url_for(".locations"))


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_location(location_id):
    place = service.get_location(location_id)
    form = LocationForm(obj=place)
    del form.code  # codes are what labels, events and integrations refer to
    form.parent.choices = _parent_choices(place)
    if request.method == "GET":
        form.parent.data = place.parent.code if place.parent else ""
    if form.validate_on_submit():
        try:
            service.update_location(place, name=form.name.data,
                                    kind=LocationKind(form.kind.data), parent=_parent(form))
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Location {place.name} saved.")
            return redirect(url_for(".location", location_id=place.id))
    return _form_page(form, f"Edit {place.code}", url_for(".location", location_id=place.id))


def _parent_choices(place: Location | None) -> list[tuple[str, str]]:
    """Every location but `place` and what is under it, labelled with its full path."""
    candidates = db.session.scalars(sa.select(Location)).all()
    if place is not None:
        candidates = [c for c in candidates if not c.path.startswith(place.path)]
    names = service.path_names(candidates)
    labelled = sorted((" › ".join(names[c.id]), c.code) for c in candidates)
    return [("", "— none (a site) —")] + [(code, label) for label, code in labelled]


def _parent(form) -> Location | None:
    return service.find_location(form.parent.data, "parent") if form.parent.data else None


@bp.get("/departments")
@requires(Permission.VIEW)
def departments():
    rows = db.session.scalars(sa.select(Department).order_by(Department.name)).all()
    return render_template("org/departments.html", departments=rows)


@bp.route("/departments/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def create_department():
    return _department_form(None)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_department(department_id):
    return _department_form(db.get_or_404(Department, department_id))


def _department_form(department: Department | None):
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            if department is None:
                department = service.create_department(code=form.code.data,
                                                       name=form.name.data)
            else:
                service.update_department(department, code=form.code.data,
                                          name=form.name.data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Department {department.name} saved.")
            return redirect(url_for(".departments"))
    title = f"Edit {department.code}" if department else "New department"
    return _form_page(form, title, url_for(".departments"))


@bp.get("/people")
@requires(Permission.VIEW)
def people():
    department = whole_number(request.args.get("department", "")) or None
    page = service.list_people(q=request.args.get("q", "")[:200], department_id=department,
                               page=page_arg())
    args = {k: v for k, v in request.args.items() if v and k != "page"}
    departments = db.session.execute(sa.select(Department.id, Department.name)
                                     .order_by(Department.name)).all()
    return render_template("org/people.html", page=page, args=args, department=department,
                           departments=departments, q=request.args.get("q", ""))


@bp.get("/people/<int:person_id>")
@requires(Permission.VIEW)
def person(person_id):
    """What a person holds now, and everything they have held."""
    who = db.get_or_404(Person, person_id)
    return render_template("org/person.html", person=who, holding=custody.holding(who),
                           periods=custody.history(who))


@bp.route("/people/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def create_person():
    return _person_form(None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_person(person_id):
    return _person_form(db.get_or_404(Person, person_id))


def _person_form(person: Person | None):
    form = PersonForm(obj=person)
    form.department.choices = [("", "—")] + [
        (d.code, d.name) for d in db.session.scalars(sa.select(Department)
                                                     .order_by(Department.name))]
    if person is not None and request.method == "GET":
        form.department.data = person.department.code if person.department else ""
    if form.validate_on_submit():
        try:
            person = _save_person(person, form)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"{person.name} saved.")
            return redirect(url_for(".people"))
    title = f"Edit {person.code}" if person else "New person"
    return _form_page(form, title, url_for(".people"))


def _save_person(person: Person | None, form) -> Person:
    email = form.email.data or None
    code = service.person_code(form.code.data, email)
    department = (service.find_department(form.department.data)
                  if form.department.data else None)
    if person is None:
        person = service.create_person(code=code, name=form.name.data, email=email,
                                       department=department)
        person.active = form.active.data
        return person
    return service.update_person(person, code=code, name=form.name.data, email=email,
                                 department=department, active=form.active.data,
                                 actor=current_user)


def _form_page(form, title: str, cancel: str):
    return (render_template("admin/form.html", form=form, title=title, cancel=cancel),
            form_status(form))

