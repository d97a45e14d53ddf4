"""Decide which asset a scanned payload names. Only payloads that match a known tag, extra
code, serial number or Tagtrail URL count: a misread never lands on the wrong asset."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.assets.models import Asset, AssetCode
from app.assets.service import FULL
from app.extensions import db
from app.scanning.payload import Payload, parse


@dataclass
class Resolution:
    payload: Payload
    asset: Asset | None = None
    matched_by: str = ""  # tag | code | serial
    candidates: list[Asset] = field(default_factory=list)


def _variants(code: str) -> set[str]:
    """The code as printed, upper- and lower-cased, and a UPC-A read as EAN-13 or back."""
    forms = {code, code.upper(), code.lower()}
    if code.isdigit() and len(code) == 12:
        forms.add("0" + code)
    if code.isdigit() and len(code) == 13 and code.startswith("0"):
        forms.add(code[1:])
    return forms


def _one(query) -> Asset | None:
    return db.session.scalars(query.options(*FULL).limit(1)).first()


def resolve(raw: str) -> Resolution:
    payload = parse(raw)
    result = Resolution(payload)
    code = payload.code
    if not code:
        return result
    forms = _variants(code)
    keys = {f.upper() for f in forms}
    asset = _one(sa.select(Asset).where(Asset.tag == code)) or _one(
        sa.select(Asset).where(sa.func.upper(Asset.tag).in_(keys)))
    if asset:
        result.asset, result.matched_by = asset, "tag"
        return result
    asset = _one(sa.select(Asset).join(AssetCode).where(AssetCode.key.in_(keys)))
    if asset:
        result.asset, result.matched_by = asset, "code"
        return result
    by_serial = db.session.scalars(sa.select(Asset).where(Asset.serial.in_(forms))
                                   .options(*FULL).limit(6)).unique().all()
    if len(by_serial) == 1:
        result.asset, result.matched_by = by_serial[0], "serial"
    else:
        # Several assets share the serial, or nothing matched: offer what is close.
        result.candidates = by_serial or _similar(code)
    return result


def _similar(code: str, limit: int = 5) -> list[Asset]:
    """Assets whose tag starts with the code as typed (a label read only in part)."""
    if len(code) < 3:
        return []
    prefix = code.upper()
    return db.session.scalars(sa.select(Asset).where(
        Asset.tag >= prefix, Asset.tag < prefix + "\uffff").order_by(Asset.tag)
        .options(*FULL).limit(limit)).unique().all()
