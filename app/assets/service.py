"""Reading the register (search, filters, history) and the asset-level write calls, which
all go through the lifecycle pipeline."""
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.assets.models import Asset, Criticality, tag_is, tag_key
from app.assets.schemas import asset_json
from app.assets.search import matches
from app.auth.models import User
from app.catalog.models import AssetModel, Category
from app.errors import NotFound
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_or_raise
from app.lifecycle.states import AssetStatus
from app.org.models import Department, Location, Person

# Everything the pages show, loaded with the asset in one query.
FULL = (so.joinedload(Asset.model), so.joinedload(Asset.location), so.joinedload(Asset.assignee),
        so.joinedload(Asset.category), so.joinedload(Asset.department))


def _of(column, key):
    """The referenced row's column, as a subquery by primary key: PostgreSQL plans seven of
    these in a fifth of the time it takes for a five-way join, and it plans on every request
    (psycopg forgets prepared statements at each rollback)."""
    return sa.select(column).where(column.table.c.id == key).scalar_subquery()


RECORD = sa.select(Asset.tag, Asset.name, Asset.serial,
                   _of(AssetModel.name, Asset.model_id).label("model"),
                   _of(Category.name, Asset.category_id).label("category"),
                   _of(Location.code, Asset.location_id).label("location"),
                   _of(Location.name, Asset.location_id).label("location_name"),
                   _of(Department.code, Asset.department_id).label("department"),
                   _of(Person.code, Asset.assignee_id).label("assignee"),
                   _of(Person.name, Asset.assignee_id).label("assignee_name"),
                   Asset.criticality, Asset.status, Asset.purchase_date, Asset.purchase_cost,
                   Asset.supplier, Asset.warranty_end, Asset.notes, Asset.version,
                   Asset.created_at, Asset.updated_at)
# Built once: a lookup by tag runs on every scan and API read, and rebuilding the statement
# costs more than the query.
BY_TAG = RECORD.where(sa.func.upper(Asset.tag) == sa.bindparam("key"))
SORTS = {"tag": Asset.tag, "name": Asset.name, "status": Asset.status,
         "updated": Asset.updated_at, "purchased": Asset.purchase_date,
         "warranty": Asset.warranty_end}


@dataclass
class AssetQuery:
    q: str = ""
    status: str = ""
    category: int | None = None
    site: int | None = None  # a location id: that location and everything under it
    location: str = ""  # a location code, same meaning
    department: int | None = None
    criticality: str = ""
    sort: str = "tag"
    descending: bool = False
    page: int = 1
    per_page: int = 50


@dataclass
class Page:
    items: list[Asset]
    total: int
    more: bool  # the total was capped at COUNT_LIMIT
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        counted = max(1, -(-self.total // self.per_page))
        return max(counted, self.page + 1) if self.more else counted


def _where(query: AssetQuery) -> list:
    conditions = []
    if query.q.strip():
        conditions.append(matches(query.q))
    if query.status in AssetStatus.__members__.values():
        conditions.append(Asset.status == query.status)
    if query.criticality in Criticality.__members__.values():
        conditions.append(Asset.criticality == query.criticality)
    if query.category:
        conditions.append(Asset.category_id == query.category)
    if query.department:
        conditions.append(Asset.department_id == query.department)
    place = None
    if query.site:
        place = db.session.get(Location, query.site)
    elif query.location:
        place = db.session.scalar(sa.select(Location).where(Location.code == query.location))
        if place is None:
            return [sa.false()]
    if place is not None:
        conditions.append(Asset.location_id.in_(
            sa.select(Location.id).where(Location.path.startswith(place.path))))
    return conditions


def list_assets(query: AssetQuery, *, as_json: bool = False) -> Page:
    """A page of assets: ORM objects for the pages, or the API's JSON (`as_json`)."""
    conditions = _where(query)
    limit = current_app.config["COUNT_LIMIT"]
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(Asset.id).where(*conditions).limit(limit + 1).subquery()))
    order = SORTS.get(query.sort, Asset.tag)
    order = order.desc() if query.descending else order.asc()
    window = dict(limit=query.per_page, offset=(query.page - 1) * query.per_page)
    if as_json:
        rows = records_where(*conditions, order_by=(order, Asset.id), **window)
    else:
        rows = db.session.scalars(sa.select(Asset).where(*conditions).order_by(order, Asset.id)
                                  .options(*FULL).limit(window["limit"])
                                  .offset(window["offset"])).all()
    return Page(rows, min(counted, limit), counted > limit, query.page, query.per_page)


def records_where(*conditions, order_by=(Asset.tag,), limit: int | None = None,
                  offset: int = 0) -> list[dict]:
    """Assets as the API shows them, straight from one query: no ORM objects, since this
    runs on every API lookup and list."""
    return _records(RECORD.where(*conditions).order_by(*order_by).limit(limit).offset(offset))


def record_for(tag: str) -> dict:
    found = _records(BY_TAG, {"key": tag_key(tag)})
    if not found:
        raise NotFound(f"There is no asset with the tag {tag!r}.", {"tag": tag})
    return found[0]


def _records(statement, params=None) -> list[dict]:
    # On the session's connection, same transaction, but past the ORM's per-statement work,
    # which for these plain column rows is most of the time.
    rows = db.session.connection().execute(statement, params)
    return [asset_json(row) for row in rows]


def get_by_tag(tag: str, *options) -> Asset:
    """The asset with this tag (any case), or NotFound."""
    asset = db.session.scalar(sa.select(Asset).where(tag_is(tag)).options(*(options or FULL)))
    if asset is None:
        raise NotFound(f"There is no asset with the tag {tag!r}.", {"tag": tag})
    return asset


def history(asset: Asset, limit: int = 200) -> list[Event]:
    return db.session.scalars(
        sa.select(Event).where(Event.asset_id == asset.id)
        .options(so.joinedload(Event.actor))
        .order_by(Event.seq.desc()).limit(limit)).all()


def create_asset(fields: dict, *, actor: User, device: str = "web") -> Asset:
    """Register a new asset: a `create` event through the pipeline."""
    event = apply_or_raise(EventIn("create", fields.get("tag", ""), fields, device=device),
                           actor=actor)
    return event.asset


def record(asset_tag: str, event_type: str, data: dict, *, actor: User,
           base_version: int | None = None, device: str = "web") -> Event:
    """Apply one event made on a page or through the REST API."""
    return apply_or_raise(EventIn(event_type, asset_tag, data, base_version=base_version,
                                  device=device), actor=actor)
