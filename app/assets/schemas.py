"""JSON shapes of assets: what the API accepts (AssetIn) and returns (AssetOut)."""
from marshmallow import RAISE, Schema, fields, validate

from app.assets.models import Criticality
from app.dbtypes import MAX_MONEY
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
        min=0, max=MAX_MONEY, error=f"A cost is a number from 0 to {MAX_MONEY:,}."))
    supplier = text(200, allow_none=True)
    warranty_end = fields.Date(allow_none=True)
    notes = text(10_000, allow_none=True)


def asset_json(row) -> dict:
    """An asset as the API shows it, from a row of service.RECORD."""
    return {
        "tag": row.tag, "name": row.name, "serial": row.serial, "model": row.model,
        "category": row.category, "location": row.location,
        "location_name": row.location_name, "department": row.department,
        "assignee": row.assignee, "assignee_name": row.assignee_name,
        "criticality": str(row.criticality), "status": str(row.status),
        "purchase_date": isoformat(row.purchase_date),
        "purchase_cost": None if row.purchase_cost is None else f"{row.purchase_cost:.2f}",
        "supplier": row.supplier, "warranty_end": isoformat(row.warranty_end),
        "notes": row.notes, "version": row.version,
        "created_at": isoformat(row.created_at), "updated_at": isoformat(row.updated_at),
    }
