"""What names an asset when it is scanned: its tag, a code attached to it, or its serial number.
A scan tries them in that order, so a new name must not already name another asset in any of
these ways: the scan would open the wrong one. Serials alone may repeat between assets (two
makers' numbering); a scan of a shared serial offers both."""
import sqlalchemy as sa

from app.assets.models import Asset, AssetCode
from app.errors import Duplicate
from app.extensions import db
from app.memo import remembered


def variants(code: str) -> set[str]:
    """The code as printed, upper- and lower-cased, and a UPC-A read as EAN-13 or back."""
    forms = {code, code.upper(), code.lower()}
    if code.isdigit() and len(code) == 12:
        forms.add("0" + code)
    if code.isdigit() and len(code) == 13 and code.startswith("0"):
        forms.add(code[1:])
    return forms


def keys(code: str) -> list[str]:
    """The upper-cased forms tags and codes are compared in (both ignore case)."""
    return sorted({form.upper() for form in variants(code)})


def named_by(code: str, *, serials: bool, besides: int | None = None) -> tuple[str, str] | None:
    """(tag, how) of an asset other than `besides` that a scan of `code` would open: by its
    tag, by a code attached to it, or (when `serials`) by its serial number."""
    return taken([code], serials=serials, besides=besides).get(code)


def taken(wanted: list[str], *, serials: bool, besides: int | None = None,
          chunk: int = 1000) -> dict[str, tuple[str, str]]:
    """named_by() for many codes at once, in a few queries: {code: (tag, how)} for each that
    names an asset, the tag first, then an attached code, then (when `serials`) a serial."""
    others = Asset.id != besides if besides is not None else sa.true()
    forms = {code: (keys(code), variants(code)) for code in wanted}
    upper = sorted({k for ks, _ in forms.values() for k in ks})
    exact = sorted({v for _, vs in forms.values() for v in vs})

    def lookup(select, values):
        found = {}
        for start in range(0, len(values), chunk):  # bounded IN lists
            found |= dict(db.session.execute(select(values[start:start + chunk])).all())
        return found
    tables = [
        ("tag", lookup(lambda some: sa.select(sa.func.upper(Asset.tag), Asset.tag).where(
            sa.func.upper(Asset.tag).in_(some), others), upper), 0),
        ("code", lookup(lambda some: sa.select(AssetCode.key, Asset.tag).join(AssetCode)
                        .where(AssetCode.key.in_(some), others), upper), 0)]
    if serials:
        tables.append(("serial", lookup(lambda some: sa.select(Asset.serial, Asset.tag).where(
            Asset.serial.in_(some), others), exact), 1))
    hits = {}
    for code, both in forms.items():
        for how, table, which in tables:
            tag = next((table[form] for form in sorted(both[which]) if form in table), None)
            if tag is not None:
                hits[code] = (tag, how)
                break
    return hits


def check_free(code: str, what: str, *, serials: bool = True, besides: int | None = None) -> None:
    """Refuse `code` as a new tag, code or serial (`what`) when it already names another
    asset. Within lookups_remembered(), a caller that checked many codes at once (taken())
    may have remembered the answer."""
    found = remembered(("named_by", code, serials, besides),
                       lambda: named_by(code, serials=serials, besides=besides))
    if found is None:
        return
    tag, how = found
    named = {"tag": "the tag of", "code": "a code on", "serial": "the serial number of"}[how]
    raise Duplicate(f"The {what} {code!r} is already in use: it is {named} {tag}, and a scan "
                    f"of it would open {tag}.", {what: "taken", "taken_by": tag})
