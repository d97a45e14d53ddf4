"""Disposal batches: retired or wiped assets that leave together with one vendor (a pickup).

Each asset gets its own `dispose` event through the pipeline, carrying {"batch": number}
(and so its own disposal certificate, as any disposal does); the batch gets one more
certificate listing them all. Everything happens in one savepoint: if any asset is refused,
nothing is written. The caller commits."""
import base64
import binascii
import hashlib
from datetime import datetime

import sqlalchemy as sa

from app import numbering
from app.assets.models import Asset, tag_is
from app.auth.models import User
from app.certificates import service
from app.certificates.models import CertificateKind, DisposalBatch
from app.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from app.extensions import db
from app.files import store
from app.lifecycle import audit
from app.lifecycle.pipeline import EventIn, apply_event
from app.lifecycle.states import AssetStatus
from app.timeutil import isoformat, utcnow

PREFIX = "DB"
LEAVING = (AssetStatus.RETIRED, AssetStatus.WIPED)


def create_batch(tags, *, vendor: str, vendor_certification: str, method: str, actor: User,
                 weight_kg: float | None = None, notes: str = "",
                 picked_up_at: datetime | None = None, operator: str = "", witness: str = "",
                 signatures: dict | None = None) -> DisposalBatch:
    tags = _distinct(tags)
    vendor, notes = (vendor or "").strip(), (notes or "").strip()
    _check(tags, vendor, vendor_certification, method, weight_kg)
    audit.lock_chain()  # outside any savepoint, as the pipeline needs; numbers one at a time
    with db.session.begin_nested():  # all of the batch, or none of it
        assets = [_leaving(tag) for tag in tags]
        now = utcnow()
        number = numbering.next_number(DisposalBatch.number, PREFIX, now.year)
        data = {"method": method, "vendor": vendor,
                "vendor_certification": vendor_certification, "batch": number}
        # The handover, as each asset's custody event records it: who, and their signatures.
        people = {k: v.strip() for k, v in (("operator", operator), ("witness", witness))
                  if v and v.strip()}
        data |= people | ({"signatures": signatures} if signatures else {})
        if notes:
            data["notes"] = notes
        events = [_dispose(asset, data, actor) for asset in assets]
        batch = DisposalBatch(number=number, vendor=vendor,
                              vendor_certification=vendor_certification, method=method,
                              picked_up_at=picked_up_at or now, created_by_id=actor.id,
                              weight_kg=weight_kg, notes=notes)
        db.session.add(batch)
        batch.certificate = _certify(batch, assets, events, actor, people, signatures or {})
        db.session.flush()
    return batch


def _distinct(tags) -> list[str]:
    """Blank lines and repeats dropped (tags ignore case), in the order given."""
    seen = {}
    for tag in (t.strip() for t in tags if t):
        if tag:
            seen.setdefault(tag.upper(), tag)
    return list(seen.values())


def _check(tags, vendor, vendor_certification, method, weight_kg) -> None:
    if not tags:
        raise ValidationFailed("List at least one asset tag.", {"tags": "required"})
    if not vendor:
        raise ValidationFailed("Name the vendor who takes the assets.", {"vendor": "required"})
    if vendor_certification not in service.VENDOR_CERTIFICATIONS:
        raise ValidationFailed(f"vendor_certification must be one of "
                               f"{', '.join(service.VENDOR_CERTIFICATIONS)}.",
                               {"vendor_certification": vendor_certification})
    if method not in service.DISPOSAL_METHODS:
        raise ValidationFailed(f"method must be one of {', '.join(service.DISPOSAL_METHODS)}.",
                               {"method": method})
    if weight_kg is not None and weight_kg < 0:
        raise ValidationFailed("weight_kg cannot be negative.", {"weight_kg": weight_kg})


def _leaving(tag: str) -> Asset:
    asset = db.session.scalar(sa.select(Asset).where(tag_is(tag)))
    if asset is None:
        raise NotFound(f"There is no asset with the tag {tag!r}.", {"tags": tag})
    if asset.status not in LEAVING:
        raise InvalidTransition(f"{asset.tag} is {asset.status.replace('_', ' ')}: only retired "
                                "or wiped assets can leave in a disposal batch.",
                                {"tags": asset.tag})
    return asset


def _dispose(asset: Asset, data: dict, actor: User):
    outcome = apply_event(EventIn("dispose", asset.tag, dict(data)), actor=actor)
    if outcome.status != "applied":  # the dispose handler's refusal, e.g. no verified wipe
        raise DomainError(f"{asset.tag} was refused: {outcome.reason} No asset in the batch "
                          "was disposed of.", {"tags": asset.tag, "refusal": outcome.details},
                          code=outcome.code)
    return outcome.event


def _certify(batch: DisposalBatch, assets: list[Asset], events: list, actor: User,
             people: dict, signatures: dict):
    """The batch certificate: its facts list every asset with its disposal certificate; its
    row names no asset and no event (it is of all of them), and the batch names it."""
    listed = [service._asset_facts(asset) | {
        "disposal_certificate": event.data["certificate"]["number"]}
        for asset, event in zip(assets, events, strict=True)]
    details = {"batch": batch.number, "vendor": batch.vendor,
               "vendor_certification": batch.vendor_certification,
               "disposal_method": batch.method, "weight_kg": batch.weight_kg,
               "picked_up_at": isoformat(batch.picked_up_at), "recorded_by": str(actor),
               "notes": batch.notes, "assets": listed, "signatures": signatures,
               "operator": service.person(people.get("operator")),
               "witness": service.person(people.get("witness"))}
    cert = service.issue(CertificateKind.DISPOSAL_BATCH, None, details)
    db.session.add(cert)
    db.session.flush()
    return cert


def recent(limit: int = 200) -> list[DisposalBatch]:
    return db.session.scalars(sa.select(DisposalBatch).order_by(
        DisposalBatch.id.desc()).limit(limit)).all()


def signatures(**drawn: str) -> dict:
    """Signatures a form sent as PNG data URLs, stored as blobs: {who: sha256}."""
    stored = {}
    for who, url in drawn.items():
        if not url:
            continue
        prefix = "data:image/png;base64,"
        try:
            png = base64.b64decode(url.removeprefix(prefix), validate=True)
        except (binascii.Error, ValueError):
            png = b""
        if not url.startswith(prefix) or not png:
            raise ValidationFailed(f"The {who}'s signature did not arrive as an image; "
                                   "draw it again.", {f"signature_{who}": "invalid"})
        stored[who] = store.put(png, hashlib.sha256(png).hexdigest()).sha256
    return stored
