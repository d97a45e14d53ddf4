"""What the phone keeps for offline use: assets (by delta), locations and people."""
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.api import whole_number
from app.assets.models import Asset, AssetCode
from app.catalog.models import AssetModel
from app.certificates.service import unwiped
from app.errors import ValidationFailed
from app.extensions import db
from app.maintenance.orders import open_counts
from app.org.models import Location, Person
from app.timeutil import isoformat, parse_datetime, utcnow

# Rows committed by a slower transaction may carry an updated_at a little before the phone's
# last `since`; asking again from this much earlier catches them (re-sent rows are harmless).
OVERLAP = timedelta(minutes=2)

place = so.aliased(Location)


def _time(text: str, name: str):
    try:
        return parse_datetime(text)
    except ValueError:
        raise ValidationFailed(f"'{name}' is not a time this server gave out.",
                               {name: text}) from None


def _cursor(text: str | None):
    if not text:
        return None
    stamp, _, ident = text.partition("|")
    number = whole_number(ident)
    if number is None:
        raise ValidationFailed("'after' is not a cursor this server gave out.", {"after": text})
    return _time(stamp, "after"), number


def asset_page(since: str | None, after: str | None, limit: int) -> dict:
    """One page of assets changed since `since`, in (updated_at, id) order after `after`."""
    query = (sa.select(Asset.id, Asset.tag, Asset.name, Asset.serial, Asset.status,
                       Asset.version, Asset.updated_at, Asset.warranty_end,
                       place.code, place.name, Person.code, Person.name, AssetModel.name)
             .outerjoin(place, Asset.location_id == place.id)
             .outerjoin(Person, Asset.assignee_id == Person.id)
             .outerjoin(AssetModel, Asset.model_id == AssetModel.id)
             .order_by(Asset.updated_at, Asset.id).limit(limit))
    if since:
        query = query.where(Asset.updated_at >= _time(since, "since") - OVERLAP)
    if cursor := _cursor(after):
        query = query.where(sa.tuple_(Asset.updated_at, Asset.id) > sa.tuple_(*cursor))
    rows = db.session.execute(query).all()
    codes: dict[int, list[str]] = {}
    work = open_counts([r[0] for r in rows])  # the card's "Open work"
    refused: set[int] = set()
    if rows:
        ids = [r[0] for r in rows]
        for asset_id, code in db.session.execute(sa.select(AssetCode.asset_id, AssetCode.code)
                                                 .where(AssetCode.asset_id.in_(ids))):
            codes.setdefault(asset_id, []).append(code)
        refused = unwiped(ids)
    items = [{"tag": r[1], "name": r[2], "serial": r[3], "status": str(r[4]), "version": r[5],
              "updated_at": isoformat(r[6]), "warranty_end": isoformat(r[7]),
              "location": r[8], "location_name": r[9], "assignee": r[10],
              "assignee_name": r[11], "model": r[12], "codes": codes.get(r[0], []),
              "unwiped_data": r[0] in refused, "open_work_orders": work.get(r[0], 0)}
             for r in rows]
    last = rows[-1] if len(rows) == limit else None
    return {"assets": items,
            "next": f"{last[6].isoformat()}|{last[0]}" if last else None}


def reference_data() -> dict:
    locations = db.session.execute(
        sa.select(Location.code, Location.name, Location.kind, place.code)
        .outerjoin(place, Location.parent_id == place.id).order_by(Location.path)).all()
    people = db.session.execute(
        sa.select(Person.code, Person.name, Person.email).where(Person.active)
        .order_by(Person.name)).all()
    return {"locations": [{"code": c, "name": n, "kind": str(k), "parent": p}
                          for c, n, k, p in locations],
            "people": [{"code": c, "name": n, "email": e} for c, n, e in people]}


def server_time() -> str:
    return isoformat(utcnow())
