"""What each event type does to an asset. Each handler validates the event's data, changes
the asset's fields (never its status: the pipeline sets that from the state machine) and
returns the data to store, with references resolved."""
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import sqlalchemy as sa
from flask import current_app
from marshmallow import (
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from app.assets import codes
from app.assets.models import Asset, AssetCode, CodeKind, Criticality
from app.assets.schemas import AssetIn
from app.catalog import service as catalog
from app.certificates import service as certificates
from app.certificates.models import CertificateKind
from app.errors import Duplicate, InvalidTransition, ValidationFailed
from app.extensions import db
from app.lifecycle.models import Conflict, ConflictStatus, Event
from app.lifecycle.states import AssetStatus
from app.org import service as org
from app.stocktakes import scans

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="A photo is the SHA-256 of an uploaded blob.")


@dataclass
class Change:
    data: dict  # what is stored in the event row
    effects: dict = field(default_factory=dict)  # what it set, to compare with later events
    status: AssetStatus | None = None  # a status the handler chose (repairs)
    # Rows that come with the event (a certificate, a stock-take count), each made from the
    # stored event by one of these, and only if the event is applied.
    records: list[Callable[[Event], db.Model]] = field(default_factory=list)


def _linked(row) -> Callable[[Event], db.Model]:
    """For a row made before its event: it only needs the link."""
    def link(event: Event):
        row.event = event
        return row
    return link


class EventData(Schema):
    class Meta:
        unknown = INCLUDE  # phones may send fields newer than this server; keep them

    note = fields.Str(validate=validate.Length(max=10_000))
    photos = fields.List(fields.Str(validate=SHA256), validate=validate.Length(max=50))


@cache
def _schema(kind: type[Schema], exclude: tuple = ()) -> Schema:
    return kind(exclude=exclude)  # made once: building a schema costs more than a load


def _load(kind: type[Schema], data: dict, partial: bool = False, exclude: tuple = ()) -> dict:
    try:
        return _schema(kind, exclude).load(data, partial=partial)
    except ValidationError as exc:
        fields_ = exc.normalized_messages()
        first = next(iter(fields_.items()))
        message = first[1][0] if isinstance(first[1], list) else str(first[1])
        raise ValidationFailed(f"{first[0]}: {message}", {"fields": fields_}) from None


def _plain(data: dict) -> dict:
    """JSON-safe copy of validated data (dates and decimals as strings)."""
    return {k: (str(v) if isinstance(v, Decimal) else
                v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


ASSET_REFS = {"location": org.find_location, "department": org.find_department,
              "assignee": org.find_person, "model": catalog.find_model,
              "category": catalog.find_category}


def _set_fields(asset: Asset, data: dict) -> None:
    for name, value in data.items():
        if name in ASSET_REFS:
            value = ASSET_REFS[name](value) if value is not None else None
        elif name == "criticality":
            value = Criticality(value)
        if name in ("tag", "status"):
            continue
        setattr(asset, name, value)
    if "model" in data and asset.model and "category" not in data:
        asset.category = asset.model.category


def create(asset: Asset, data: dict) -> Change:
    clean = _load(AssetIn, data)
    codes.check_free(clean["tag"], "tag")
    if clean.get("serial"):
        codes.check_free(clean["serial"], "serial", serials=False)
    _set_fields(asset, clean)
    status = AssetStatus(clean.get("status", AssetStatus.IN_STOCK))
    if status is AssetStatus.DEPLOYED and asset.assignee is None:
        raise ValidationFailed("A deployed asset needs an assignee.", {"assignee": "required"})
    return Change(_plain(clean) | _derived(asset, clean), status=status)


def request(asset: Asset, data: dict) -> Change:
    """A new asset that exists only as a purchase request for now."""
    return create(asset, data | {"status": AssetStatus.REQUESTED.value})


def update(asset: Asset, data: dict) -> Change:
    resolves = data.pop("resolves", None)  # set when a manager applies a conflicted edit
    clean = _load(AssetIn, data, partial=True, exclude=("tag", "status"))
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
    plain = _plain(clean) | _derived(asset, clean)
    return Change(plain | ({"resolves": resolves} if resolves else {}), effects=dict(plain))


def _derived(asset: Asset, clean: dict) -> dict:
    # A model named without a category brings its own: the event says so, for the record.
    if clean.get("model") and "category" not in clean:
        return {"category": asset.category.name if asset.category else None}
    return {}


class LocationData(EventData):
    location = fields.Str(required=True, validate=validate.Length(min=1, max=64))


def receive(asset: Asset, data: dict) -> Change:
    clean = _load(LocationData, data)
    asset.location = org.find_location(clean["location"])
    return Change(clean, {"location": asset.location.code})


def check_in(asset: Asset, data: dict) -> Change:
    clean = _load(LocationData, data)
    asset.location = org.find_location(clean["location"])
    asset.assignee = None
    return Change(clean, {"location": asset.location.code, "custody": None})


class CheckOutData(EventData):
    assignee = fields.Str(required=True, validate=validate.Length(min=1, max=254))
    location = fields.Str(validate=validate.Length(min=1, max=64))


def check_out(asset: Asset, data: dict) -> Change:
    clean = _load(CheckOutData, data)
    asset.assignee = org.find_person(clean["assignee"])
    clean["assignee"] = asset.assignee.code
    effects = {"custody": asset.assignee.code}
    if "location" in clean:
        asset.location = org.find_location(clean["location"])
        effects["location"] = asset.location.code
    return Change(clean, effects)


class TransferData(EventData):
    to_location = fields.Str(required=True, validate=validate.Length(min=1, max=64))


def transfer(asset: Asset, data: dict) -> Change:
    clean = _load(TransferData, data)
    destination = org.find_location(clean["to_location"], "to_location")
    if destination.id == asset.location_id:
        raise ValidationFailed(f"{asset.tag} is already at {destination.name}.",
                               {"to_location": "same as current"})
    clean["from_location"] = asset.location.code if asset.location else None
    asset.location = destination
    return Change(clean, {"location": destination.code})


class RepairData(EventData):
    symptom = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    work_done = fields.Str(validate=validate.Length(max=10_000))
    parts = fields.Str(validate=validate.Length(max=2000))
    cost = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**9))
    minutes = fields.Int(validate=validate.Range(min=0, max=60 * 24 * 30))
    # open: the asset goes to repair; closed: it comes back to stock; absent: just a log entry
    status = fields.Str(validate=validate.OneOf(["open", "closed"]))


def repair(asset: Asset, data: dict) -> Change:
    clean = _plain(_load(RepairData, data))
    status = None
    if clean.get("status") == "open":
        status = AssetStatus.IN_REPAIR
    elif clean.get("status") == "closed":
        if asset.status is not AssetStatus.IN_REPAIR:
            raise InvalidTransition(f"{asset.tag} is not in repair, so there is no repair "
                                    "to close.")
        status = AssetStatus.IN_STOCK
        asset.assignee = None  # back in stock: nobody holds it
    effects = {"custody": None} if status is AssetStatus.IN_STOCK else {}
    return Change(clean, effects, status)


class RetireData(EventData):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


def retire(asset: Asset, data: dict) -> Change:
    asset.assignee = None
    return Change(_load(RetireData, data), {"custody": None})


class Evidence(EventData):
    operator = fields.Str(validate=validate.Length(max=200))  # a person's code, or a name
    witness = fields.Str(validate=validate.Length(max=200))
    notes = fields.Str(validate=validate.Length(max=10_000))
    signatures = fields.Dict(keys=fields.Str(validate=validate.OneOf(["operator", "witness"])),
                             values=fields.Str(validate=SHA256))


class WipeData(Evidence):
    method = fields.Str(required=True, validate=validate.OneOf(["clear", "purge", "destroy"]))
    # Free text: tools name their own techniques; certificates.TECHNIQUES gives the usual
    # slugs (overwrite, cryptographic_erase, degauss, shred, drill_punch, ...) their labels.
    technique = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    tool = fields.Str(validate=validate.Length(max=200))
    verified = fields.Bool(required=True)
    media_serials = fields.List(fields.Str(validate=validate.Length(max=100)),
                                validate=validate.Length(max=100))


def wipe(asset: Asset, data: dict) -> Change:
    """A verified wipe marks the asset wiped and issues a data-destruction certificate; an
    unverified one is recorded, and the asset stays as it was."""
    clean = _load(WipeData, data)
    if current_app.config["WITNESS_REQUIRED"] and not clean.get("witness"):
        raise ValidationFailed("A wipe needs a witness.", {"witness": "required"})
    certificates.check_blobs(clean)
    if not clean["verified"]:
        return Change(clean, status=asset.status)
    cert = certificates.issue(CertificateKind.DATA_DESTRUCTION, asset,
                              certificates.wipe_details(clean))
    return Change(clean | {"certificate": {"number": cert.number, "sha256": cert.sha256}},
                  records=[_linked(cert)])


class DisposeData(Evidence):
    method = fields.Str(required=True, validate=validate.OneOf(list(
        certificates.DISPOSAL_METHODS)))
    vendor = fields.Str(validate=validate.Length(max=200))
    vendor_certification = fields.Str(validate=validate.OneOf(
        certificates.VENDOR_CERTIFICATIONS))
    residual_value = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**9))
    weight_kg = fields.Float(validate=validate.Range(min=0, max=100_000))
    batch = fields.Str(validate=validate.Length(max=32))  # the DisposalBatch it left in


def dispose(asset: Asset, data: dict) -> Change:
    """Disposal issues a disposal certificate; an asset that holds data needs a verified
    wipe first."""
    clean = _plain(_load(DisposeData, data))
    if certificates.holds_data(asset) and not certificates.verified_wipes(asset):
        raise InvalidTransition(f"{asset.tag} holds data: wipe it first (a verified wipe), "
                                "then dispose of it.", {"wipe": "required"})
    certificates.check_blobs(clean)
    asset.assignee = None
    cert = certificates.issue(CertificateKind.DISPOSAL, asset,
                              certificates.dispose_details(asset, clean))
    return Change(clean | {"certificate": {"number": cert.number, "sha256": cert.sha256}},
                  {"custody": None}, records=[_linked(cert)])


def mark_lost(asset: Asset, data: dict) -> Change:
    return Change(_load(EventData, data))


class FoundData(EventData):
    location = fields.Str(validate=validate.Length(min=1, max=64))


def mark_found(asset: Asset, data: dict) -> Change:
    clean = _load(FoundData, data)
    asset.assignee = None  # found means back in stock, with nobody holding it
    effects = {"custody": None}
    if "location" in clean:
        asset.location = org.find_location(clean["location"])
        effects["location"] = asset.location.code
    return Change(clean, effects)


class StocktakeScanData(EventData):
    stocktake = fields.Int(required=True, validate=validate.Range(min=1, max=scans.MAX_ID))
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
    clean = _load(StocktakeScanData, data)
    clean = {k: v for k, v in clean.items() if k not in ("result", "expected_at")}
    result, count = scans.classify(asset, clean["stocktake"], clean.get("location"),
                                   clean["how"])
    return Change(clean | result, records=count)


class AttachCodeData(EventData):
    code = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Str(load_default="label", validate=validate.OneOf([k.value for k in CodeKind]))


def attach_code(asset: Asset, data: dict) -> Change:
    clean = _load(AttachCodeData, data)
    code = clean["code"].strip()
    key = code.upper()
    if key == asset.tag.upper() or key in {c.key for c in asset.codes}:
        raise Duplicate(f"The code {code!r} already belongs to {asset.tag}.", {"code": "taken"})
    codes.check_free(code, "code", besides=asset.id)  # another asset's tag, code or serial
    asset.codes.append(AssetCode(code=code, key=key, kind=CodeKind(clean["kind"])))
    return Change(clean | {"code": code})


def approve(asset: Asset, data: dict) -> Change:
    return Change(_load(EventData, data))


order = approve


class ResolveData(EventData):
    conflict = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    choice = fields.Str(required=True, validate=validate.OneOf(["keep_current", "apply_theirs"]))


def resolve_conflict(asset: Asset, data: dict) -> Change:
    clean = _load(ResolveData, data)
    status = db.session.scalar(sa.select(Conflict.status).join(Event).where(
        Event.id == clean["conflict"], Conflict.asset_id == asset.id))
    if status is None:
        raise ValidationFailed(f"{asset.tag} has no conflict {clean['conflict']!r}.",
                               {"conflict": "unknown"})
    if status is not ConflictStatus.OPEN:
        raise Duplicate("That conflict has already been resolved.", {"conflict": "resolved"})
    return Change(clean)


# Handlers that change nothing but their asset's own fields (no flush; any rows of their own
# come as records, added once the event is applied), so that a batch may apply them in
# memory and undo a refused one by putting the fields back.
ASSET_ONLY = frozenset({"update", "approve", "order", "receive", "check_in", "check_out",
                        "transfer", "repair", "retire", "mark_lost", "mark_found",
                        "stocktake_scan"})
# What a batch reads for all its events of a type at once, before applying them:
# prepare([(data, asset or None), ...]).
PREPARE = {"stocktake_scan": scans.prepare}

HANDLERS = {"create": create, "request": request, "update": update, "approve": approve,
            "order": order, "receive": receive, "check_in": check_in, "check_out": check_out,
            "transfer": transfer, "repair": repair, "retire": retire, "wipe": wipe,
            "dispose": dispose, "mark_lost": mark_lost, "mark_found": mark_found,
            "stocktake_scan": stocktake_scan, "attach_code": attach_code,
            "resolve_conflict": resolve_conflict}
