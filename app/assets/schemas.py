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


class AssetOut(Schema):
    tag = fields.Str()
    name = fields.Str()
    serial = fields.Str(allow_none=True)
    model = fields.Function(lambda a: a.model.name if a.model else None)
    category = fields.Function(lambda a: a.category.name if a.category else None)
    location = fields.Function(lambda a: a.location.code if a.location else None)
    location_name = fields.Function(lambda a: a.location.name if a.location else None)
    department = fields.Function(lambda a: a.department.code if a.department else None)
    assignee = fields.Function(lambda a: a.assignee.code if a.assignee else None)
    assignee_name = fields.Function(lambda a: a.assignee.name if a.assignee else None)
    criticality = fields.Str()
    status = fields.Str()
    purchase_date = fields.Date(allow_none=True)
    purchase_cost = fields.Decimal(places=2, as_string=True, allow_none=True)
    supplier = fields.Str(allow_none=True)
    warranty_end = fields.Date(allow_none=True)
    notes = fields.Str(allow_none=True)
    version = fields.Int()
    created_at = fields.Function(lambda a: isoformat(a.created_at))
    updated_at = fields.Function(lambda a: isoformat(a.updated_at))
