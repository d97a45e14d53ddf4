"""JSON shapes of assets: what the API accepts (AssetIn) and returns (AssetOut)."""
from marshmallow import RAISE, Schema, fields, validate

from app.assets.models import Criticality
from app.lifecycle.states import CREATE_STATUSES
from app.timeutil import isoformat

TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


def text(max_length: int, **kwargs) -> fields.Str:
    return fields.Str(validate=validate.Length(max=max_length), **kwargs)


def reference(**kwargs) -> fields.Str:
    return fields.Str(validate=validate.Length(min=1, max=200), allow_none=True, **kwargs)


class AssetIn(Schema):
    """Fields of a new asset, or the changed fields of an existing one (partial=True)."""

    class Meta:
        unknown = RAISE

    tag = fields.Str(required=True, validate=validate.Regexp(
        TAG_PATTERN, error="A tag is 1 to 64 letters, digits or . _ : - and starts "
                           "with a letter or digit."))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    serial = text(100, allow_none=True)
    model = reference()
    category = reference()
    location = reference()
    department = reference()
    assignee = reference()
    criticality = fields.Str(validate=validate.OneOf([c.value for c in Criticality]))
    status = fields.Str(validate=validate.OneOf(sorted(CREATE_STATUSES)))
    purchase_date = fields.Date(allow_none=True)
    purchase_cost = fields.Decimal(places=2, allow_none=True, validate=validate.Range(
        min=0, max=10**10, error="A cost is a number from 0 to 10,000,000,000."))
    supplier = text(200, allow_none=True)
    warranty_end = fields.Date(allow_none=True)
    notes = text(10_000, allow_none=True)


def asset_json(asset) -> dict:
    """An asset as the API shows it. A plain function: it runs on every lookup and list row,
    where a schema library's dump costs more than the query."""
    model, category, location = asset.model, asset.category, asset.location
    department, assignee = asset.department, asset.assignee
    return {
        "tag": asset.tag, "name": asset.name, "serial": asset.serial,
        "model": model.name if model else None,
        "category": category.name if category else None,
        "location": location.code if location else None,
        "location_name": location.name if location else None,
        "department": department.code if department else None,
        "assignee": assignee.code if assignee else None,
        "assignee_name": assignee.name if assignee else None,
        "criticality": str(asset.criticality), "status": str(asset.status),
        "purchase_date": isoformat(asset.purchase_date),
        "purchase_cost": None if asset.purchase_cost is None else f"{asset.purchase_cost:.2f}",
        "supplier": asset.supplier, "warranty_end": isoformat(asset.warranty_end),
        "notes": asset.notes, "version": asset.version,
        "created_at": isoformat(asset.created_at), "updated_at": isoformat(asset.updated_at),
    }
