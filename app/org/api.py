"""GET/POST /api/v1/locations and /api/v1/people."""
import sqlalchemy as sa
from flask import Blueprint, request

from app.api import documented, int_arg, json_body, load
from app.auth.access import requires
from app.auth.roles import Permission
from app.extensions import db
from app.org import service
from app.org.models import Location, LocationKind
from app.org.schemas import LocationIn, LocationOut, PersonIn, PersonOut

bp = Blueprint("org_api", __name__, url_prefix="/api/v1")
location_out, person_out = LocationOut(), PersonOut()


def _locations_json(locations: list[Location]) -> list[dict]:
    names = service.path_names(locations)
    return [location_out.dump(loc) | {"path_names": names[loc.id]} for loc in locations]


@bp.get("/locations")
@requires(Permission.VIEW)
def locations():
    """Every location, in tree order."""
    rows = db.session.scalars(sa.select(Location).order_by(Location.path)).all()
    return {"items": _locations_json(rows)}


@bp.post("/locations")
@requires(Permission.MANAGE)
@documented(LocationIn)
def create_location():
    """Add a location under an optional parent."""
    data = load(LocationIn(), json_body())
    parent = service.find_location(data["parent"], "parent") if data.get("parent") else None
    location = service.create_location(code=data["code"], name=data["name"].strip(),
                                       kind=LocationKind(data["kind"]), parent=parent)
    db.session.commit()
    return _locations_json([location])[0], 201


@bp.get("/people")
@requires(Permission.VIEW)
def people():
    """People, searched by name, code or e-mail."""
    page = service.list_people(q=request.args.get("q", "")[:200], page=int_arg("page", 1),
                               per_page=int_arg("per_page", 50, high=500))
    return {"items": person_out.dump(page.items, many=True), "page": page.page,
            "per_page": page.per_page, "total": page.total}


@bp.post("/people")
@requires(Permission.MANAGE)
@documented(PersonIn)
def create_person():
    """Add a person assets can be assigned to."""
    data = load(PersonIn(), json_body())
    email = (data.get("email") or "").strip().lower() or None
    department = (service.find_department(data["department"])
                  if data.get("department") else None)
    person = service.create_person(code=service.person_code(data.get("code"), email),
                                   name=data["name"].strip(), email=email,
                                   department=department)
    db.session.commit()
    return person_out.dump(person), 201
