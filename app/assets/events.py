"""The register's event types: an asset created (or requested), edited, given another code,
and approved and ordered on its way in."""
from marshmallow import fields, validate

from app.assets import codes
from app.assets.models import Asset, AssetCode, CodeKind, Criticality
from app.assets.schemas import AssetIn
from app.catalog import service as catalog
from app.errors import Duplicate, ValidationFailed
from app.lifecycle.states import AssetStatus
from app.lifecycle.types import PAGE, Change, EventData, EventType, load, plain
from app.org import service as org

# Fields that name another record, by code or name, and how to find it.
REFERENCES = {"location": org.find_location, "department": org.find_department,
              "assignee": org.find_person, "model": catalog.find_model,
              "category": catalog.find_category}


def _set_fields(asset: Asset, data: dict) -> None:
    for name, value in data.items():
        if name in ("tag", "status"):
            continue
        if name in REFERENCES:
            value = REFERENCES[name](value) if value is not None else None
        elif name == "criticality":
            value = Criticality(value)
        setattr(asset, name, value)
    if "model" in data and asset.model and "category" not in data:
        asset.category = asset.model.category


def _derived(asset: Asset, clean: dict) -> dict:
    # A model named without a category brings its own: the event says so, for the record.
    if clean.get("model") and "category" not in clean:
        return {"category": asset.category.name if asset.category else None}
    return {}


def create(asset: Asset, data: dict) -> Change:
    clean = load(AssetIn, data)
    codes.check_free(clean["tag"], "tag")
    if clean.get("serial"):
        codes.check_free(clean["serial"], "serial", serials=False)
    _set_fields(asset, clean)
    if clean.get("status") == AssetStatus.DEPLOYED and asset.assignee is None:
        raise ValidationFailed("A deployed asset needs an assignee.", {"assignee": "required"})
    return Change(plain(clean) | _derived(asset, clean))


def request(asset: Asset, data: dict) -> Change:
    """A new asset that exists only as a purchase request for now."""
    return create(asset, data | {"status": AssetStatus.REQUESTED.value})


def update(asset: Asset, data: dict) -> Change:
    resolves = data.pop("resolves", None)  # set when a manager applies a conflicted edit
    clean = load(AssetIn, data, partial=True, exclude=("tag", "status"))
    if not clean:
        raise ValidationFailed("Nothing to change.")
    if "assignee" in clean:
        raise ValidationFailed("The assignee changes by checking the asset out or in.",
                               {"assignee": "use check_out or check_in"})
    if "location" in clean:
        raise ValidationFailed("The location changes by a transfer or a check-in.",
                               {"location": "use transfer"})
    if clean.get("serial"):
        codes.check_free(clean["serial"], "serial", serials=False, besides=asset.id)
    _set_fields(asset, clean)
    changed = plain(clean) | _derived(asset, clean)
    return Change(changed | ({"resolves": resolves} if resolves else {}), effects=dict(changed))


class AttachCodeData(EventData):
    code = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                      metadata={"label": "Code on the label"})
    kind = fields.Str(load_default="label", validate=validate.OneOf([k.value for k in CodeKind]))


def attach_code(asset: Asset, data: dict) -> Change:
    clean = load(AttachCodeData, data)
    code = clean["code"].strip()
    key = code.upper()
    if key == asset.tag.upper() or key in {c.key for c in asset.codes}:
        raise Duplicate(f"The code {code!r} already belongs to {asset.tag}.", {"code": "taken"})
    codes.check_free(code, "code", besides=asset.id)  # another asset's tag, code or serial
    asset.codes.append(AssetCode(code=code, key=key, kind=CodeKind(clean["kind"])))
    return Change(clean | {"code": code})


def _noted(asset: Asset, data: dict) -> Change:
    return Change(load(EventData, data))


NOWHERE = frozenset()  # made on a page of its own (the asset form, the conflicts page)

TYPES = (
    EventType("create", create, AssetIn, "Register", "registered", offered=NOWHERE),
    EventType("request", request, AssetIn, "Request", "requested", offered=NOWHERE),
    EventType("update", update, AssetIn, "Edit", "edited", asset_only=True, offered=NOWHERE),
    EventType("attach_code", attach_code, AttachCodeData, "Attach label", "labelled",
              offered=frozenset({PAGE})),
    EventType("approve", _noted, EventData, "Approve", "approved", asset_only=True,
              offered=frozenset({PAGE})),
    EventType("order", _noted, EventData, "Order", "ordered", asset_only=True,
              offered=frozenset({PAGE})),
)
