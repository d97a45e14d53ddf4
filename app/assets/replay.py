"""What each asset's events say it is now, against its row in the register. Only the pipeline
writes an asset, so its status, place, holder, version and details are what its applied
events made them; a row edited in the database directly is not, and `audit verify` says so.
Both are read as streams in asset order, so memory stays flat however large the register."""
import itertools
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.assets.models import Asset
from app.catalog.models import AssetModel, Category
from app.extensions import db
from app.lifecycle import states
from app.lifecycle.models import Event
from app.org.models import Department, Location, Person

DETAILS = ("name", "serial", "model", "category", "department", "criticality", "purchase_date",
           "purchase_cost", "supplier", "warranty_end", "notes")
_FROM_MODEL = object()  # a category taken from the asset's model when the event named none


def told(events) -> dict:
    """What an asset's applied events, in order, say its state is."""
    state = {"status": "in_stock", "version": 0, "location": None, "custody": None,
             "criticality": "medium"}
    for event_type, version, data in events:
        state["version"] += 1
        if version != state["version"]:
            state["gap"] = version
        changes = dict(data.get("effects") or {})
        if event_type in states.CREATING:
            changes = {k: v for k, v in data.items() if k in DETAILS} | changes
            changes.setdefault("status", data.get("status", "in_stock"))
            changes.setdefault("location", data.get("location"))
            changes.setdefault("custody", data.get("assignee"))
        if changes.get("model") and "category" not in changes:
            changes["category"] = _FROM_MODEL
        state |= {k: v for k, v in changes.items() if k in state or k in DETAILS}
    return state


class _References:
    """The register's reference tables, read once, to resolve what events name by code."""

    def __init__(self):
        rows = db.session.execute(sa.select(Person.id, Person.code, Person.email)).all()
        self.people = {code: id_ for id_, code, _ in rows if code}
        self.people |= {email.lower(): id_ for id_, _, email in rows if email}
        self.models = {name.lower(): category for name, category in db.session.execute(
            sa.select(AssetModel.name, AssetModel.category_id))}
        self.categories = {name.lower(): id_ for id_, name in db.session.execute(
            sa.select(Category.id, Category.name))}
        self.places = dict(db.session.execute(sa.select(Location.code, Location.id)).all())
        self.departments = dict(db.session.execute(sa.select(Department.code,
                                                             Department.id)).all())


_ROW = sa.select(Asset.id, Asset.tag, Asset.status, Asset.version, Asset.location_id,
                 Asset.assignee_id, Asset.name, Asset.serial,
                 sa.select(AssetModel.name).where(AssetModel.id == Asset.model_id)
                 .scalar_subquery().label("model"), Asset.model_id, Asset.category_id,
                 Asset.department_id, Asset.criticality, Asset.purchase_date,
                 Asset.purchase_cost, Asset.supplier, Asset.warranty_end, Asset.notes)


def problems() -> Iterator[str]:
    """Each asset whose row is not what its events say, with the first difference found."""
    refs = _References()
    events = db.session.execute(
        sa.select(Event.asset_id, Event.type, Event.version, Event.data)
        .where(Event.outcome == "applied", Event.asset_id.is_not(None))  # not documents
        .order_by(Event.asset_id, Event.version)
        .execution_options(yield_per=2000))
    grouped = itertools.groupby(events, key=lambda row: row.asset_id)
    current = next(grouped, None)
    for row in db.session.execute(_ROW.order_by(Asset.id).execution_options(yield_per=2000)):
        while current is not None and current[0] < row.id:
            yield f"events name asset #{current[0]}, which is not in the register"
            current = next(grouped, None)
        if current is None or current[0] != row.id:
            yield f"{row.tag} has no events: it was not registered through the pipeline"
            continue
        state = told((r.type, r.version, r.data) for r in current[1])
        current = next(grouped, None)
        difference = _difference(row, state, refs)
        if difference:
            yield f"{row.tag}: {difference}, not what its events say"


def _difference(row, state: dict, refs: _References) -> str | None:
    if "gap" in state:
        return f"its events skip to version {state['gap']}"
    checks = [
        ("status", str(row.status), state["status"]),
        ("version", row.version, state["version"]),
        ("location", row.location_id, _ref(refs.places, state["location"])),
        ("holder", row.assignee_id, _person(refs, state["custody"])),
        ("criticality", str(row.criticality), state["criticality"]),
    ]
    for name in ("name", "serial", "supplier", "notes"):
        checks.append((name, _text(getattr(row, name)), _text(state.get(name))))
    for name in ("purchase_date", "warranty_end"):
        value = getattr(row, name)
        checks.append((name, value.isoformat() if value else None, _text(state.get(name))))
    checks += [
        ("purchase cost", row.purchase_cost, _money(state.get("purchase_cost"))),
        ("model", _text(row.model and row.model.lower()),
         _text(state.get("model") and state["model"].strip().lower())),
        ("category", row.category_id, _category(refs, state)),
        ("department", row.department_id, _ref(refs.departments, state.get("department"))),
    ]
    for name, now, said in checks:
        if now != said:
            return f"its {name} is {now!r}"
    return None


def _text(value):
    value = value.strip() if isinstance(value, str) else value
    return value if value not in ("", None) else None


def _ref(table: dict, key) -> int | None:
    """The id an event's code names; -1 (matching no row) for a code that names nothing."""
    key = _text(key)
    return None if key is None else table.get(key, -1)


def _person(refs: _References, ref) -> int | None:
    ref = _text(ref)
    return None if ref is None else refs.people.get(ref, refs.people.get(ref.lower(), -1))


def _money(value) -> Decimal | None:
    try:
        return None if _text(value) is None else Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("NaN")


def _category(refs: _References, state: dict) -> int | None:
    named = state.get("category")
    if named is _FROM_MODEL:
        return refs.models.get(state["model"].strip().lower())
    return None if _text(named) is None else refs.categories.get(named.strip().lower(), -1)
