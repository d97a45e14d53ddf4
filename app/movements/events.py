"""Where an asset is and who holds it: received into stock, checked out and in, moved
between places, lost and found again."""
from marshmallow import fields, validate

from app.assets.models import Asset
from app.errors import ValidationFailed
from app.lifecycle.types import Change, EventData, EventType, load
from app.org import service as org


def place(**kwargs) -> fields.Str:
    """A location's code, entered by choosing a place (or scanning its label); it moves the
    asset there."""
    kwargs.setdefault("metadata", {})
    kwargs["metadata"] |= {"kind": "place", "sets": "location", "unknown": org.UNKNOWN_LOCATION}
    return fields.Str(validate=validate.Length(min=1, max=64), **kwargs)


class LocationData(EventData):
    location = place(required=True)


def receive(asset: Asset, data: dict) -> Change:
    clean = load(LocationData, data)
    asset.location = org.find_location(clean["location"])
    return Change(clean, {"location": asset.location.code})


def check_in(asset: Asset, data: dict) -> Change:
    clean = load(LocationData, data)
    asset.location = org.find_location(clean["location"])
    asset.assignee = None
    return Change(clean, {"location": asset.location.code, "custody": None})


class CheckOutData(EventData):
    assignee = fields.Str(required=True, validate=validate.Length(min=1, max=254),
                          metadata={"kind": "person", "label": "Person", "sets": "custody",
                                    "unknown": org.UNKNOWN_PERSON})
    location = place()


def check_out(asset: Asset, data: dict) -> Change:
    clean = load(CheckOutData, data)
    asset.assignee = org.find_person(clean["assignee"])
    clean["assignee"] = asset.assignee.code
    effects = {"custody": asset.assignee.code}
    if "location" in clean:
        asset.location = org.find_location(clean["location"])
        effects["location"] = asset.location.code
    return Change(clean, effects)


class TransferData(EventData):
    to_location = place(required=True, metadata={"label": "To"})


def transfer(asset: Asset, data: dict) -> Change:
    clean = load(TransferData, data)
    destination = org.find_location(clean["to_location"], "to_location")
    if destination.id == asset.location_id:
        raise ValidationFailed(f"{asset.tag} is already at {destination.name}.",
                               {"to_location": "same as current"})
    clean["from_location"] = asset.location.code if asset.location else None
    asset.location = destination
    return Change(clean, {"location": destination.code})


def mark_lost(asset: Asset, data: dict) -> Change:
    return Change(load(EventData, data))


class FoundData(EventData):
    location = place()


def mark_found(asset: Asset, data: dict) -> Change:
    clean = load(FoundData, data)
    asset.assignee = None  # found means back in stock, with nobody holding it
    effects = {"custody": None}
    if "location" in clean:
        asset.location = org.find_location(clean["location"])
        effects["location"] = asset.location.code
    return Change(clean, effects)


TYPES = (
    EventType("receive", receive, LocationData, "Receive", "received", asset_only=True,
              physical=True),
    EventType("check_in", check_in, LocationData, "Check in", "checked in", asset_only=True,
              physical=True),
    EventType("check_out", check_out, CheckOutData, "Check out", "checked out",
              asset_only=True, physical=True),
    EventType("transfer", transfer, TransferData, "Transfer", "transferred", asset_only=True,
              physical=True),
    EventType("mark_lost", mark_lost, EventData, "Mark lost", "marked lost", asset_only=True),
    EventType("mark_found", mark_found, FoundData, "Mark found", "marked found",
              asset_only=True, physical=True),
)
