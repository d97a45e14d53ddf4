"""Find, create and edit places and people by the codes events and the API use."""
from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.auth.models import User
from app.errors import Duplicate, NotFound, ValidationFailed
from app.extensions import db
from app.memo import remembered
from app.org.models import Department, Location, LocationKind, Person


def _lookup(statement, key: tuple):
    return remembered(key, lambda: db.session.scalar(statement()))


# The refusals of a code that names nobody and nowhere, as format strings: the phone is served
# them with the fields that take such a code (types.describe `unknown`) and says the same
# before it saves anything.
UNKNOWN_LOCATION = "There is no location with the code {value!r}."
UNKNOWN_PERSON = "There is no person with the code or e-mail {value!r}."


def find_location(code: str, field: str = "location") -> Location:
    code = code.strip()
    location = _lookup(lambda: sa.select(Location).where(Location.code == code),
                       ("location", code))
    if location is None:
        raise ValidationFailed(UNKNOWN_LOCATION.format(value=code), {field: "unknown location"})
    return location


def find_person(ref: str, field: str = "assignee") -> Person:
    """A person by code, or by e-mail address (case-insensitive)."""
    ref = ref.strip()
    person = _lookup(lambda: sa.select(Person).where(
        sa.or_(Person.code == ref, sa.func.lower(Person.email) == ref.lower())), ("person", ref))
    if person is None:
        raise ValidationFailed(UNKNOWN_PERSON.format(value=ref), {field: "unknown person"})
    return person


def people_to_pick() -> list:
    """Active people as (code, name, e-mail), by name: what a desk form's person field offers
    as one types (a <datalist>, filled here, so it works without JavaScript)."""
    return db.session.execute(sa.select(Person.code, Person.name, Person.email)
                              .where(Person.active).order_by(Person.name)).all()


def find_department(code: str, field: str = "department") -> Department:
    department = db.session.scalar(sa.select(Department).where(Department.code == code.strip()))
    if department is None:
        raise ValidationFailed(f"There is no department with the code {code!r}.",
                               {field: "unknown department"})
    return department


def descendant_ids(location: Location) -> sa.Select:
    """Ids of `location` and everything under it, as a subquery."""
    return sa.select(Location.id).where(Location.path.startswith(location.path))


def create_location(*, code: str, name: str, kind: LocationKind = LocationKind.ROOM,
                    parent: Location | None = None) -> Location:
    if db.session.scalar(sa.select(Location.id).where(Location.code == code)):
        raise Duplicate(f"A location with the code {code!r} already exists.", {"code": "taken"})
    location = Location(code=code, name=name, kind=kind, parent=parent)
    db.session.add(location)
    db.session.flush()  # the path needs the new id
    location.path = f"{parent.path if parent else '/'}{location.id}/"
    return location


def move_location(location: Location, parent: Location | None) -> None:
    """Re-parent `location`, rewriting the paths of everything under it."""
    if parent is not None and parent.path.startswith(location.path):
        raise ValidationFailed("A location cannot be moved under itself.", {"parent": "loop"})
    old, new = location.path, f"{parent.path if parent else '/'}{location.id}/"
    location.parent = parent
    db.session.execute(sa.update(Location).where(Location.path.startswith(old)).values(
        path=sa.literal(new, sa.String) + sa.func.substr(Location.path, len(old) + 1)))
    db.session.refresh(location)


def create_person(*, code: str, name: str, email: str | None = None,
                  department: Department | None = None) -> Person:
    clash = sa.or_(Person.code == code, Person.email == email) if email else Person.code == code
    if db.session.scalar(sa.select(Person.id).where(clash)):
        raise Duplicate("A person with that code or e-mail already exists.", {"code": "taken"})
    person = Person(code=code, name=name, email=email, department=department)
    db.session.add(person)
    return person


def create_department(*, code: str, name: str) -> Department:
    if db.session.scalar(sa.select(Department.id).where(Department.code == code)):
        raise Duplicate(f"A department with the code {code!r} already exists.",
                        {"code": "taken"})
    department = Department(code=code, name=name)
    db.session.add(department)
    return department


def _taken(column, value: str, row) -> bool:
    """Whether another row than `row` already uses `value` in the unique `column`."""
    query = sa.select(column.table.c.id).where(column == value)
    if row is not None and row.id is not None:
        query = query.where(column.table.c.id != row.id)
    return db.session.scalar(query) is not None


def update_location(location: Location, *, name: str, kind: LocationKind,
                    parent: Location | None) -> Location:
    if parent is not location.parent:
        move_location(location, parent)  # refreshes `location`, so before the other fields
    location.name, location.kind = name, kind
    return location


def update_department(department: Department, *, code: str, name: str) -> Department:
    if _taken(Department.code, code, department):
        raise Duplicate(f"A department with the code {code!r} already exists.",
                        {"code": "taken"})
    department.code, department.name = code, name
    return department


# What other domains do when a person is made inactive (their licence seats are freed):
# listener(person, actor), called before the change is set. Subscribed in app/events.py.
LEAVING: list[Callable] = []


def update_person(person: Person, *, code: str, name: str, email: str | None,
                  department: Department | None, active: bool, actor: User) -> Person:
    if _taken(Person.code, code, person):
        raise Duplicate(f"A person with the code {code!r} already exists.", {"code": "taken"})
    if email and _taken(Person.email, email, person):
        raise Duplicate(f"A person with the e-mail {email!r} already exists.",
                        {"email": "taken"})
    if person.active and not active:
        for listener in LEAVING:
            listener(person, actor)
    person.code, person.name, person.email = code, name, email
    person.department, person.active = department, active
    return person


def get_location(location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None:
        raise NotFound(f"There is no location with the id {location_id}.")
    return location


def _path_ids(location: Location) -> list[int]:
    return [int(i) for i in location.path.strip("/").split("/") if i]


def location_tree() -> list[dict]:
    """Every location as nested {"location", "assets", "children"} dicts, roots first.
    `assets` counts the location and everything under it; two queries in all."""
    direct = dict(db.session.execute(
        sa.select(Asset.location_id, sa.func.count(Asset.id)).group_by(Asset.location_id)).all())
    nodes = {loc.id: {"location": loc, "assets": 0, "children": []}
             for loc in db.session.scalars(sa.select(Location).order_by(Location.name))}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["location"].parent_id)
        (parent["children"] if parent else roots).append(node)
        for ancestor_id in _path_ids(node["location"]):
            if ancestor_id in nodes:
                nodes[ancestor_id]["assets"] += direct.get(node["location"].id, 0)
    return roots


def path_names(locations: list[Location]) -> dict[int, list[str]]:
    """Location id -> names from its site down to itself, in one query."""
    ids = {i for loc in locations for i in _path_ids(loc)}
    names = dict(db.session.execute(
        sa.select(Location.id, Location.name).where(Location.id.in_(ids))).all())
    return {loc.id: [names[i] for i in _path_ids(loc) if i in names] for loc in locations}


def list_people(*, q: str = "", department_id: int | None = None, page: int = 1,
                per_page: int = 50):
    """People matching `q` (name, code or e-mail) as a Flask-SQLAlchemy Pagination."""
    query = sa.select(Person).options(so.joinedload(Person.department)).order_by(
        Person.name, Person.id)
    if q.strip():
        text = q.strip()
        query = query.where(sa.or_(Person.name.icontains(text, autoescape=True),
                                   Person.code.icontains(text, autoescape=True),
                                   Person.email.icontains(text, autoescape=True)))
    if department_id:
        query = query.where(Person.department_id == department_id)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=None,
                       error_out=False)


def person_code(code: str | None, email: str | None) -> str:
    """The code a person is filed under: the code given, else their e-mail address."""
    code = (code or "").strip() or (email or "").strip()
    if not code:
        raise ValidationFailed("Give a code or an e-mail address.", {"code": "missing"})
    if len(code) > 64:
        raise ValidationFailed("Codes are at most 64 characters; give a shorter code.",
                               {"code": "too long"})
    return code


def ancestors(location: Location) -> list[Location]:
    """The location's site, building, ... down to the location itself."""
    ids = _path_ids(location)
    found = {loc.id: loc for loc in db.session.scalars(
        sa.select(Location).where(Location.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def asset_count(location: Location) -> int:
    """Assets in `location` and everything under it."""
    return db.session.scalar(sa.select(sa.func.count(Asset.id)).where(
        Asset.location_id.in_(descendant_ids(location))))
