"""Find and create places and people by the codes events and the API use."""
import sqlalchemy as sa

from app.errors import Duplicate, ValidationFailed
from app.extensions import db
from app.org.models import Department, Location, LocationKind, Person


def find_location(code: str, field: str = "location") -> Location:
    location = db.session.scalar(sa.select(Location).where(Location.code == code.strip()))
    if location is None:
        raise ValidationFailed(f"There is no location with the code {code!r}.",
                               {field: "unknown location"})
    return location


def find_person(ref: str, field: str = "assignee") -> Person:
    """A person by code, or by e-mail address (case-insensitive)."""
    ref = ref.strip()
    person = db.session.scalar(sa.select(Person).where(
        sa.or_(Person.code == ref, sa.func.lower(Person.email) == ref.lower())))
    if person is None:
        raise ValidationFailed(f"There is no person with the code or e-mail {ref!r}.",
                               {field: "unknown person"})
    return person


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
