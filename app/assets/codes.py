"""What names an asset when it is scanned: its tag, a code attached to it, or its serial number.
A scan tries them in that order, so a new name must not already name another asset in any of
these ways: the scan would open the wrong one. Serials alone may repeat between assets (two
makers' numbering); a scan of a shared serial offers both."""
import sqlalchemy as sa

from app.assets.models import Asset, AssetCode
from app.errors import Duplicate
from app.extensions import db


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
    wanted, forms = keys(code), variants(code)
    others = Asset.id != besides if besides is not None else sa.true()
    checks = [(sa.select(Asset.tag).where(sa.func.upper(Asset.tag).in_(wanted), others), "tag"),
              (sa.select(Asset.tag).join(AssetCode).where(AssetCode.key.in_(wanted), others),
               "code")]
    if serials:
        checks.append((sa.select(Asset.tag).where(Asset.serial.in_(forms), others), "serial"))
    for statement, how in checks:
        tag = db.session.scalar(statement.limit(1))
        if tag is not None:
            return tag, how
    return None


def check_free(code: str, what: str, *, serials: bool = True, besides: int | None = None) -> None:
    """Refuse `code` as a new tag, code or serial (`what`) when it already names another
    asset."""
    found = named_by(code, serials=serials, besides=besides)
    if found is None:
        return
    tag, how = found
    named = {"tag": "the tag of", "code": "a code on", "serial": "the serial number of"}[how]
    raise Duplicate(f"The {what} {code!r} is already in use: it is {named} {tag}, and a scan "
                    f"of it would open {tag}.", {what: "taken", "taken_by": tag})
