"""The end of an asset's life: retired, its data wiped, disposed of. A verified wipe and a
disposal each issue their certificate inside the event, so a failed PDF fails the event."""
from flask import current_app
from marshmallow import fields, validate

from app.assets.models import Asset
from app.certificates import service as certificates
from app.certificates.models import CertificateKind
from app.errors import InvalidTransition, ValidationFailed
from app.lifecycle.types import CARD, SHA256, Change, EventData, EventType, linked, load, plain

# What the pipeline answers a disposal of an asset that still holds data; the phone is served
# it with the dispose type (`refused_when`) and its assets' `unwiped_data` flag.
NEEDS_WIPE = "{tag} holds data: wipe it first (a verified wipe), then dispose of it."
NO_WITNESS = "A wipe needs a witness."


class RetireData(EventData):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))


def retire(asset: Asset, data: dict) -> Change:
    asset.assignee = None
    return Change(load(RetireData, data), {"custody": None})


class Evidence(EventData):
    operator = fields.Str(validate=validate.Length(max=200),  # a person's code, or a name
                          metadata={"kind": "person"})
    witness = fields.Str(validate=validate.Length(max=200), metadata={"kind": "person"})
    notes = fields.Str(validate=validate.Length(max=10_000))  # printed on the certificate
    note = fields.Str(validate=validate.Length(max=10_000), metadata={"kind": "internal"})
    signatures = fields.Dict(keys=fields.Str(validate=validate.OneOf(["operator", "witness"])),
                             values=fields.Str(validate=SHA256))


class WipeData(Evidence):
    method = fields.Str(required=True, validate=validate.OneOf(list(certificates.METHODS)),
                        metadata={"choices": certificates.METHODS})
    # Free text: tools name their own techniques; certificates.TECHNIQUES gives the usual
    # slugs (overwrite, cryptographic_erase, degauss, shred, drill_punch, ...) their labels.
    technique = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    tool = fields.Str(validate=validate.Length(max=200))
    media_serials = fields.List(fields.Str(validate=validate.Length(max=100)),
                                validate=validate.Length(max=100))
    verified = fields.Bool(required=True, metadata={"clears": "unwiped_data"})
    witness = fields.Str(validate=validate.Length(max=200),  # required unless configured off
                         metadata={"kind": "person", "required_by": "WITNESS_REQUIRED",
                                   "missing": NO_WITNESS})


def wipe(asset: Asset, data: dict) -> Change:
    """A verified wipe issues a data-destruction certificate; an unverified one is recorded
    (and the state machine leaves the asset as it was)."""
    clean = load(WipeData, data)
    if current_app.config["WITNESS_REQUIRED"] and not clean.get("witness"):
        raise ValidationFailed(NO_WITNESS, {"witness": "required"})
    certificates.check_blobs(clean)
    if not clean["verified"]:
        return Change(clean)
    cert = certificates.issue(CertificateKind.DATA_DESTRUCTION, asset,
                              certificates.wipe_details(clean))
    return Change(clean | {"certificate": {"number": cert.number, "sha256": cert.sha256}},
                  records=[linked(cert)])


class DisposeData(Evidence):
    method = fields.Str(required=True, validate=validate.OneOf(list(
        certificates.DISPOSAL_METHODS)), metadata={"choices": certificates.DISPOSAL_METHODS})
    vendor = fields.Str(validate=validate.Length(max=200))
    vendor_certification = fields.Str(validate=validate.OneOf(
        certificates.VENDOR_CERTIFICATIONS))
    weight_kg = fields.Float(validate=validate.Range(min=0, max=100_000))
    residual_value = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**9))
    # What disposing of it cost (the vendor's fee): part of its total cost of ownership.
    disposal_cost = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**9),
                                   metadata={"label": "Disposal cost (the vendor's fee)"})
    batch = fields.Str(validate=validate.Length(max=32),  # the DisposalBatch it left in
                       metadata={"kind": "internal"})


def dispose(asset: Asset, data: dict) -> Change:
    """Disposal issues a disposal certificate; an asset that holds data needs a verified
    wipe first."""
    clean = plain(load(DisposeData, data))
    if certificates.holds_data(asset) and not certificates.verified_wipes(asset):
        raise InvalidTransition(NEEDS_WIPE.format(tag=asset.tag), {"wipe": "required"})
    certificates.check_blobs(clean)
    asset.assignee = None
    cert = certificates.issue(CertificateKind.DISPOSAL, asset,
                              certificates.dispose_details(asset, clean))
    return Change(clean | {"certificate": {"number": cert.number, "sha256": cert.sha256}},
                  {"custody": None}, records=[linked(cert)])


TYPES = (
    EventType("retire", retire, RetireData, "Retire", "retired", asset_only=True),
    EventType("wipe", wipe, WipeData, "Record wipe", "wiped", offered=frozenset({CARD}),
              signatures=(("operator", "Operator's signature"),
                          ("witness", "Witness's signature"))),
    EventType("dispose", dispose, DisposeData, "Dispose", "disposed of",
              offered=frozenset({CARD}), refused_when=(("unwiped_data", NEEDS_WIPE),),
              signatures=(("operator", "Handed over by (signature)"),
                          ("witness", "Received by the vendor (signature)"))),
)
