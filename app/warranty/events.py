"""The `warranty` event: a manager records the contract that covers an asset (provider,
dates, an optional usage limit). The contract row follows the last such event; the
register's warranty end date follows it too, so lists sort and count by one column."""
import sqlalchemy as sa
from marshmallow import fields, validate

from app.assets.models import Asset
from app.errors import ValidationFailed
from app.extensions import db
from app.lifecycle.types import PAGE, Change, EventData, EventType, load, plain
from app.timeutil import EARLIEST, LATEST
from app.warranty.models import Warranty

CALENDAR = validate.Range(min=EARLIEST.date(), max=LATEST.date(),
                          error=f"Enter a date from {EARLIEST.year} to {LATEST.year - 1}.")


class WarrantyData(EventData):
    provider = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                          metadata={"label": "Provider"})
    starts = fields.Date(required=True, validate=CALENDAR, metadata={"label": "Starts"})
    ends = fields.Date(required=True, validate=CALENDAR, metadata={"label": "Ends (last day)"})
    usage_limit = fields.Decimal(places=2, allow_nan=False, validate=validate.Range(
        min=0, max=10**12, error="A usage limit is a number from 0 to 1,000,000,000,000."),
        metadata={"kind": "number", "label": "Usage limit"})
    usage_meter = fields.Str(validate=validate.Length(min=1, max=100),
                             metadata={"label": "Meter that counts it (such as odometer)"})
    reference = fields.Str(validate=validate.Length(max=100),
                           metadata={"label": "Contract number"})


def set_warranty(asset: Asset, data: dict) -> Change:
    clean = load(WarrantyData, data)
    if clean["ends"] < clean["starts"]:
        raise ValidationFailed("A warranty cannot end before it starts.",
                               {"ends": "before the start"})
    if clean.get("usage_limit") is not None and not clean.get("usage_meter"):
        raise ValidationFailed("A usage limit needs the meter that counts it (such as "
                               "odometer or hours).", {"usage_meter": "required"})
    asset.warranty_end = clean["ends"]
    terms = {name: clean.get(name) for name in
             ("provider", "starts", "ends", "usage_limit", "usage_meter", "reference")}

    def contract(event) -> Warranty:  # written only if the event is applied
        row = db.session.scalar(sa.select(Warranty).where(Warranty.asset_id == asset.id))
        row = row or Warranty(asset_id=asset.id)
        for name, value in terms.items():
            setattr(row, name, value)
        return row

    stored = plain(clean)
    return Change(stored, {"warranty_end": stored["ends"]}, records=[contract])


TYPES = (EventType("warranty", set_warranty, WarrantyData, "Record warranty",
                   "given a warranty", asset_only=True, offered=frozenset({PAGE})),)
