"""What the meters API takes and gives."""
from marshmallow import RAISE, Schema, fields, validate

from app.meters.models import MeterKind
from app.meters.service import LIMIT, MAX_BATCH
from app.timeutil import isoformat

SANE = validate.Range(min=-LIMIT, max=LIMIT)


class MeterIn(Schema):
    class Meta:
        unknown = RAISE

    asset = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in MeterKind]))
    unit = fields.Str(load_default="", validate=validate.Length(max=32))
    # The value a projection looks for (the next service, a threshold); optional.
    target = fields.Float(allow_nan=False, allow_none=True, validate=SANE)
    stale_after_days = fields.Int(allow_none=True, validate=validate.Range(min=1, max=3650))


class ReadingsIn(Schema):
    """Documents the body: each reading is judged on its own, so the list is read by hand."""

    readings = fields.List(fields.Dict(), required=True,
                           validate=validate.Length(max=MAX_BATCH))


def meter_json(meter) -> dict:
    return {"id": meter.id, "asset": meter.asset.tag, "name": meter.name, "kind": str(meter.kind),
            "unit": meter.unit, "target": meter.target,
            "stale_after_days": meter.stale_after_days,
            "latest": None if meter.last_at is None else {
                "at": isoformat(meter.last_at), "value": meter.last_value}}


def reading_json(reading) -> dict:
    return {"id": reading.id, "meter": reading.meter.name, "value": reading.value,
            "at": isoformat(reading.at), "reset": reading.reset, "source": reading.source}
