"""Decide which asset a scanned payload names. Only payloads that match a known tag, extra
code, serial number or Tagtrail URL count: a misread never lands on the wrong asset."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.assets import codes
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


# Built once, since every scan runs them. Just the asset row: the API answers with its own
# record query, the page redirects. Tags are unique ignoring case (an index on upper(tag)).
_KEYS = sa.bindparam("keys", expanding=True)
_BY_TAG = sa.select(Asset).where(sa.func.upper(Asset.tag).in_(_KEYS)).limit(1)
_BY_CODE = sa.select(Asset).join(AssetCode).where(AssetCode.key.in_(_KEYS)).limit(1)


def resolve(raw: str) -> Resolution:
    payload = parse(raw)
    result = Resolution(payload)
    code = payload.code
    if not code:
        return result
    forms = codes.variants(code)
    keys = {f.upper() for f in forms}
    for statement, matched_by in ((_BY_TAG, "tag"), (_BY_CODE, "code")):
        asset = db.session.scalars(statement, {"keys": sorted(keys)}).first()
        if asset:
            result.asset, result.matched_by = asset, matched_by
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
