"""The stock-take scan: an asset counted in an open stock-take, or found counted already."""
from marshmallow import ValidationError, fields, validate, validates_schema

from app.assets.models import Asset
from app.dbtypes import MAX_INT
from app.lifecycle.types import Change, EventData, EventType, load
from app.stocktakes import scans


class StocktakeScanData(EventData):
    stocktake = fields.Int(required=True, validate=validate.Range(min=1, max=MAX_INT))
    location = fields.Str(validate=validate.Length(min=1, max=64))  # the room the scanner is in
    how = fields.Str(load_default="scanned", validate=validate.OneOf(["scanned", "seen"]))
    reason = fields.Str(validate=validate.Length(min=1, max=2000))  # why "seen", not scanned

    @validates_schema
    def _reason_when_seen(self, data, **_kwargs):
        if data["how"] == "seen" and not data.get("reason"):
            raise ValidationError("Say why it was seen but could not be scanned.", "reason")


def stocktake_scan(asset: Asset, data: dict) -> Change:
    """Count the asset in an open stock-take, or say it was already counted. The asset itself
    stays as it is: reconciliation moves or marks it later."""
    clean = load(StocktakeScanData, data)
    clean = {k: v for k, v in clean.items() if k not in ("result", "expected_at")}
    result, count = scans.classify(asset, clean["stocktake"], clean.get("location"),
                                   clean["how"])
    return Change(clean | result, records=count)


TYPES = (EventType("stocktake_scan", stocktake_scan, StocktakeScanData, "Count", "counted in "
                   "a stock-take", asset_only=True, prepare=scans.prepare, physical=True,
                   echo=("result",), offered=frozenset()),)
