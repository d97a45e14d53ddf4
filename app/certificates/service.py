"""Issuing certificates: the facts, a number, the PDF (WeasyPrint) and its blob. The wipe and
dispose handlers call issue() inside the event's savepoint, under the chain lock, so numbers
are allocated one at a time and a failed render fails the event."""
import hashlib
import hmac
import secrets
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, render_template

from app import numbering, symbols
from app.assets.models import Asset
from app.auth.roles import Permission
from app.catalog.models import AssetModel, Category
from app.certificates.models import PREFIX, Certificate, CertificateKind, DisposalBatch
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.files import store
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.links import public_base
from app.org.models import Person
from app.pdf import html_to_pdf
from app.timeutil import isoformat, utcnow

METHODS = {"clear": "Clear", "purge": "Purge", "destroy": "Destroy"}  # NIST SP 800-88 Rev. 1
TECHNIQUES = {"overwrite": "Overwrite", "block_erase": "Block erase",
              "cryptographic_erase": "Cryptographic erase", "secure_erase": "ATA/NVMe secure erase",
              "degauss": "Degauss", "shred": "Shred", "disintegrate": "Disintegrate",
              "drill_punch": "Drill / punch", "incinerate": "Incinerate"}
VENDOR_CERTIFICATIONS = ("R2", "e-Stewards", "WEEE", "none")
DISPOSAL_METHODS = {"resale": "Resale", "donation": "Donation", "recycling": "Recycling",
                    "return_to_lessor": "Return to lessor", "destruction": "Destruction"}
THUMBNAIL_PX = 360


class CertificateFailed(DomainError):
    code = "certificate_failed"


def check_blobs(data: dict) -> None:
    """Every photo and signature must name a stored blob: evidence cannot be promised later."""
    named = list(data.get("photos") or []) + list((data.get("signatures") or {}).values())
    unknown = [sha for sha in named if not store.exists(sha)]
    if unknown:
        raise ValidationFailed(f"No uploaded file has the SHA-256 {unknown[0]}; upload the "
                               "photo or signature first.", {"unknown_blobs": unknown})


def holds_data(asset: Asset) -> bool:
    category = asset.category or (asset.model.category if asset.model else None)
    return bool(category and category.holds_data)


def unwiped(asset_ids: list[int]) -> set[int]:
    """Of these assets, the ones disposal refuses for now: they hold data (by their own
    category, else their model's, as holds_data reads it) and have no verified wipe. The
    phone's copy of the register carries it, so the phone refuses such a disposal too."""
    own, of_model = so.aliased(Category), so.aliased(Category)
    holding = set(db.session.scalars(
        sa.select(Asset.id).outerjoin(own, Asset.category_id == own.id)
        .outerjoin(AssetModel, Asset.model_id == AssetModel.id)
        .outerjoin(of_model, AssetModel.category_id == of_model.id)
        .where(Asset.id.in_(asset_ids), sa.func.coalesce(own.holds_data, of_model.holds_data))))
    if not holding:
        return set()
    wiped = {asset_id for asset_id, data in db.session.execute(
        sa.select(Event.asset_id, Event.data).where(
            Event.asset_id.in_(holding), Event.type == "wipe", Event.outcome == "applied"))
        if data.get("verified") is True}
    return holding - wiped


def verified_wipes(asset: Asset) -> list[Event]:
    wipes = db.session.scalars(sa.select(Event).where(
        Event.asset_id == asset.id, Event.type == "wipe", Event.outcome == "applied")
        .order_by(Event.seq)).all()
    return [e for e in wipes if e.data.get("verified") is True]


def person(text: str | None) -> str:
    """A person's code shown with their name; free text as it is."""
    if not text:
        return ""
    found = db.session.scalar(sa.select(Person).where(Person.code == text))
    return f"{found.name} ({found.code})" if found else text


def issue(kind: CertificateKind, asset: Asset | None, details: dict, *,
          supersedes: Certificate | None = None) -> Certificate:
    """Render a certificate and keep its PDF; the caller holds the chain lock. It is returned
    unsaved, for its event to bring (Change.records) or the caller to add. A disposal batch's
    certificate is of no one asset (`asset` None): its details list them all."""
    if (asset is None) != (kind == CertificateKind.DISPOSAL_BATCH):
        raise ValueError(f"A {kind} certificate is issued for "
                         f"{'a batch, not an asset' if asset else 'an asset'}.")
    now = utcnow()
    number = numbering.next_number(Certificate.number, PREFIX[kind], now.year)
    key = secrets.token_urlsafe(16)
    head = audit.lock_chain()  # held already: this is the chain's head as the event sees it
    facts = {"number": number, "kind": str(kind), "issued_at": isoformat(now),
             "organisation": current_app.config["ORGANISATION"],
             "verify_url": verify_url(number, key),
             **({"asset": _asset_facts(asset)} if asset else {}),
             "supersedes": supersedes.number if supersedes else None,
             "audit_anchor": {"seq": head.seq, "hash": head.hash}, **_plain(details)}
    try:
        pdf = render_pdf(facts)
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001  (WeasyPrint, Pillow: the event must fail whole)
        raise CertificateFailed(f"The certificate could not be made: {exc}") from exc
    sha256 = hashlib.sha256(pdf).hexdigest()
    keep(pdf, sha256)
    cert = Certificate(number=number, kind=kind, asset_id=asset.id if asset else None,
                       sha256=sha256, issued_at=now, facts=facts, verify_key=key,
                       supersedes_id=supersedes.id if supersedes else None)
    cert.seal = audit.seal(cert.sealed())
    return cert


def verify_url(number: str, key: str) -> str:
    return f"{public_base()}/verify/{number}?k={key}"


def link(cert: Certificate) -> str:
    """The verification link the certificate prints (made again for one issued before links
    carried their key)."""
    printed = cert.facts.get("verify_url", "")
    return printed if "?k=" in printed else verify_url(cert.number, cert.verify_key)


def may_see(cert: Certificate, key: str, user) -> bool:
    """Whether the public page may show the certificate's facts: to whoever holds its key,
    and to users who may read the register."""
    if user.is_authenticated and user.can(Permission.VIEW):
        return True
    return bool(key) and hmac.compare_digest(key.encode(), cert.verify_key.encode())


def _asset_facts(asset: Asset) -> dict:
    category = asset.category or (asset.model.category if asset.model else None)
    return {"tag": asset.tag, "name": asset.name, "serial": asset.serial or "",
            "model": asset.model.name if asset.model else "",
            "category": category.name if category else ""}


def _plain(details: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in details.items()}


def render_pdf(facts: dict) -> bytes:
    html = render_template(f"certificates/{facts['kind']}.html", c=facts,
                           qr=symbols.qr(facts["verify_url"]),
                           signatures={who: _data_uri(sha) for who, sha in
                                       (facts.get("signatures") or {}).items()},
                           photos=[_data_uri(sha) for sha in facts.get("photos") or []],
                           methods=METHODS, techniques=TECHNIQUES)
    return html_to_pdf(html)


def _data_uri(sha256: str) -> str:
    return store.inline_png(sha256, THUMBNAIL_PX)


def keep(pdf: bytes, sha256: str) -> None:
    store.put_document(pdf)


def of_asset(asset: Asset) -> list[Certificate]:
    """An asset's certificates, oldest first, superseded ones included: its own, and the
    certificate of the disposal batch it left in with its corrections. That one's row names
    no asset (it covers several): the asset's dispose event names the batch, and the batch
    names the certificate it was issued with."""
    left_in = sa.select(Event.data["batch"].as_string()).where(
        Event.asset_id == asset.id, Event.type == "dispose", Event.outcome == "applied")
    ids = set(db.session.scalars(sa.select(DisposalBatch.certificate_id).where(
        DisposalBatch.number.in_(left_in), DisposalBatch.certificate_id.is_not(None))))
    newer = ids
    while newer:  # each correction supersedes the one before
        newer = set(db.session.scalars(sa.select(Certificate.id).where(
            Certificate.supersedes_id.in_(newer)))) - ids
        ids |= newer
    return db.session.scalars(sa.select(Certificate).where(sa.or_(
        Certificate.asset_id == asset.id, Certificate.id.in_(ids))).order_by(Certificate.id)).all()


def find(number: str) -> Certificate:
    cert = db.session.scalar(sa.select(Certificate).where(Certificate.number == number))
    if cert is None:
        raise NotFound(f"There is no certificate {number!r}.", {"number": number})
    return cert


def stored_sha256(cert: Certificate) -> str | None:
    """The hash of the file on disk now, or None when it is gone."""
    try:
        with store.open(cert.sha256) as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def pdf_bytes(cert: Certificate) -> bytes:
    return store.read(cert.sha256)


# What a manager may correct; the rest (asset, number, event) is what the certificate is about.
CORRECTABLE = {
    CertificateKind.DATA_DESTRUCTION: ("technique", "tool", "media_serials", "operator",
                                       "witness", "notes"),
    CertificateKind.DISPOSAL: ("vendor", "vendor_certification", "weight_kg",
                               "residual_value", "operator", "witness", "notes"),
    CertificateKind.DISPOSAL_BATCH: ("vendor", "vendor_certification", "weight_kg", "operator",
                                     "witness", "notes"),
}
NUMBERS = {"weight_kg": 100_000, "residual_value": 10**9}  # the limits of a dispose event


def correct(cert: Certificate, changes: dict, *, reason: str, actor) -> Certificate:
    """Issue a new certificate with `changes`, superseding `cert`. The caller commits."""
    if cert.superseded_by is not None:
        raise ValidationFailed(f"{cert.number} is already superseded by "
                               f"{cert.superseded_by.number}; correct that one.")
    if not reason.strip():
        raise ValidationFailed("Say why the certificate is corrected.", {"reason": "required"})
    changes = _check_changes({k: v for k, v in changes.items() if k in CORRECTABLE[cert.kind]})
    if not changes:
        raise ValidationFailed("Nothing to correct.")
    audit.lock_chain()  # numbers are allocated one at a time, as in the pipeline
    keep_facts = {k: v for k, v in cert.facts.items() if k not in (
        "number", "kind", "issued_at", "organisation", "verify_url", "asset", "supersedes",
        "audit_anchor")}
    details = keep_facts | changes | {"correction": {
        "reason": reason.strip(), "by": str(actor), "of": cert.number}}
    new = issue(cert.kind, cert.asset, details, supersedes=cert)
    new.event_id = cert.event_id  # the same event described again (a batch's: none)
    db.session.add(new)
    db.session.flush()
    return new


def _check_changes(changes: dict) -> dict:
    clean = {}
    for name, value in changes.items():
        value = value.strip() if isinstance(value, str) else value
        if value in ("", None):
            continue
        if name == "vendor_certification" and value not in VENDOR_CERTIFICATIONS:
            raise ValidationFailed(f"vendor_certification must be one of "
                                   f"{', '.join(VENDOR_CERTIFICATIONS)}.", {name: value})
        if name in NUMBERS:
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                number = Decimal("NaN")
            if not number.is_finite() or not 0 <= number <= NUMBERS[name]:
                raise ValidationFailed(f"{name} must be a number from 0 to {NUMBERS[name]:,}.",
                                       {name: value})
            value = float(number) if name == "weight_kg" else str(number.quantize(Decimal("0.01")))
        if name == "media_serials" and isinstance(value, str):
            value = [s.strip() for s in value.split(",") if s.strip()]
        clean[name] = value
    return clean


def request_data_destruction(asset: Asset) -> Certificate:
    """A data-destruction certificate for an asset wiped before certificates were issued
    (or fetched again): refused, with nothing issued, when it has no verified wipe."""
    wipes = verified_wipes(asset)
    if not wipes:
        raise ValidationFailed(f"{asset.tag} has no completed, verified wipe: there is nothing "
                               "to certify.", {"asset": asset.tag})
    existing = db.session.scalar(sa.select(Certificate).where(
        Certificate.event_id == wipes[-1].id).order_by(Certificate.id.desc()).limit(1))
    if existing is not None:
        return existing
    audit.lock_chain()
    cert = issue(CertificateKind.DATA_DESTRUCTION, asset, wipe_details(wipes[-1].data))
    cert.event_id = wipes[-1].id
    db.session.add(cert)
    db.session.flush()
    return cert


def wipe_details(data: dict) -> dict:
    keys = ("method", "technique", "tool", "verified", "media_serials", "photos",
            "signatures", "notes")
    return {k: data[k] for k in keys if k in data} | {
        "operator": person(data.get("operator")), "witness": person(data.get("witness"))}


def dispose_details(asset: Asset, data: dict) -> dict:
    keys = ("vendor", "vendor_certification", "weight_kg", "residual_value", "notes", "photos",
            "signatures")
    wiped = db.session.scalars(sa.select(Certificate.number).where(
        Certificate.asset_id == asset.id,
        Certificate.kind == CertificateKind.DATA_DESTRUCTION)).all()
    return {k: data[k] for k in keys if k in data} | {
        "disposal_method": data["method"], "operator": person(data.get("operator")),
        "witness": person(data.get("witness")), "data_destruction": list(wiped)}
