"""A repair logged against an asset: opened (the asset goes to repair), closed (back to
stock), or only noted. The state machine reads which from the event's status."""
from marshmallow import fields, validate

from app.assets.models import Asset
from app.lifecycle.types import Change, EventData, EventType, load, plain


class RepairData(EventData):
    symptom = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    work_done = fields.Str(validate=validate.Length(max=10_000))
    parts = fields.Str(validate=validate.Length(max=2000))
    cost = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**9))
    minutes = fields.Int(validate=validate.Range(min=0, max=60 * 24 * 30),
                         metadata={"kind": "minutes", "label": "Minutes spent"})
    status = fields.Str(validate=validate.OneOf(["open", "closed"]), metadata={
        "label": "Repair", "blank": "Just log it", "choices": {
            "open": "Asset goes to repair", "closed": "Repair done, back to stock"}})


def repair(asset: Asset, data: dict) -> Change:
    clean = plain(load(RepairData, data))
    if clean.get("status") == "closed":
        asset.assignee = None  # back in stock: nobody holds it
        return Change(clean, {"custody": None})
    return Change(clean)


TYPES = (EventType("repair", repair, RepairData, "Log repair", "repaired", asset_only=True,
                   physical=True),)
