"""The meters' event types: a reading a person took (on the phone or the asset's page), and
the summary of a feed's batch that the audit trail keeps instead of one event per reading."""
import uuid

from marshmallow import fields, validate

from app.api import Moment
from app.assets.models import Asset
from app.lifecycle.types import CARD, Change, EventData, EventType, load, plain
from app.meters import service


class ReadingData(EventData):
    meter = fields.Str(required=True, validate=validate.Length(min=1, max=64),
                       metadata={"label": "Meter"})
    # Text, not "number": the phone's number input takes no minus sign, and gauges go below 0.
    value = fields.Float(required=True, allow_nan=False, metadata={"kind": "text",
                                                                  "label": "Reading"})
    # When it was read; left out, the time the event was made (the pipeline fills it in).
    at = Moment(metadata={"kind": "internal"})
    reset = fields.Bool(load_default=False, metadata={"label": "The meter was reset"})


def reading(asset: Asset, data: dict) -> Change:
    """Check a person's reading against the meter's neighbours in time; its row comes with
    the event. The event's id makes it idempotent; the row gets an id of its own, so no
    feed's reading id can ever collide with it."""
    clean = load(ReadingData, data)
    meter = service.find_meter(asset, clean["meter"])
    point = service.Point(clean["at"], clean["value"], clean["reset"])
    service.check_reading(meter, point)

    def row(event):
        from app.maintenance import planner  # maintenance reads meters: import it late
        planner.reading_kept(meter.id)  # its thresholds, once the transaction commits
        return service.keep(meter, point, id=str(uuid.uuid4()), actor_id=event.actor_id,
                            source="event", batch=event.id)
    return Change(plain(clean) | {"meter": meter.name}, records=[row])


class ReadingsData(EventData):
    batch = fields.UUID(required=True)
    count = fields.Int(required=True, validate=validate.Range(min=1, max=service.MAX_BATCH))
    meters = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    first = fields.Str(required=True)
    last = fields.Str(required=True)
    sha256 = fields.Str(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


def readings(asset: Asset, data: dict) -> Change:
    clean = load(ReadingsData, data)
    return Change(clean | {"batch": str(clean["batch"])})


TYPES = (
    EventType("reading", reading, ReadingData, "Record reading", "read", dated="at",
              offered=frozenset({CARD}), changes_catalogue=False),
    # Made by POST /api/v1/readings alone, one per asset of a batch.
    EventType("readings", readings, ReadingsData, "Readings received", "read", asset_only=True,
              offered=frozenset(), from_devices=False, changes_catalogue=False),
)
