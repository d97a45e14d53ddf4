"""The tag series (AST-000001, AST-000002 ...): the next number no one has used, as an
asset's tag, as a code attached to one, or on blank labels printed before their assets
exist. Blank labels reserve their range, so no later print run and no asset registered at
the desk gets the same numbers."""
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.assets.models import Asset, AssetCode, TagReservation
from app.auth.models import User
from app.errors import NotFound, ValidationFailed
from app.extensions import db

ATTEMPTS = 5  # a print run racing another takes the range after it


def _series() -> tuple[str, int]:
    return current_app.config["TAG_PREFIX"], current_app.config["TAG_WIDTH"]


def format_tag(number: int) -> str:
    prefix, width = _series()
    return f"{prefix}{number:0{width}d}"


def highest_used() -> int:
    """The highest number of the series that is a tag, a code or reserved (0: none)."""
    prefix, width = _series()
    low, high = prefix.upper() + "0" * width, prefix.upper() + "9" * width
    highest = 0
    # Each a range of an index (tags' upper() and codes' upper-cased key), so the highest in
    # the series is found without reading the register.
    for column in (sa.func.upper(Asset.tag), AssetCode.key):
        last = db.session.scalar(sa.select(sa.func.max(column)).where(
            column.between(low, high), sa.func.length(column) == len(low)))
        digits = last[len(prefix):] if last else ""
        if digits.isascii() and digits.isdigit():
            highest = max(highest, int(digits))
    reserved = db.session.scalar(sa.select(sa.func.max(TagReservation.last)).where(
        TagReservation.prefix == prefix))
    return max(highest, reserved or 0)


def next_tag() -> str:
    """The tag a new asset is offered: after every one used or reserved."""
    return format_tag(highest_used() + 1)


def reserve(count: int, *, actor: User) -> TagReservation:
    """Reserve the next `count` numbers for blank labels; committed here, since a reserved
    range must hold even if the PDF is never fetched. Two runs at once get ranges one after
    the other: the second's insert meets the first's (prefix, first) and it tries again."""
    prefix, width = _series()
    for _ in range(ATTEMPTS):
        first = highest_used() + 1
        last = first + count - 1
        if last >= 10 ** width:
            raise ValidationFailed(f"The series {prefix} has no {count:,} numbers left (it "
                                   f"ends at {format_tag(10 ** width - 1)}).", {"count": count})
        reservation = TagReservation(prefix=prefix, first=first, last=last,
                                     reserved_by_id=actor.id)
        db.session.add(reservation)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return reservation
    raise ValidationFailed("Other print runs kept taking the numbers; try again.")


def recent(limit: int = 20) -> list[TagReservation]:
    return db.session.scalars(sa.select(TagReservation).order_by(
        TagReservation.id.desc()).limit(limit)).all()


def reserved(reservation_id: int) -> TagReservation:
    found = db.session.get(TagReservation, reservation_id)
    if found is None:
        raise NotFound(f"There is no blank label batch #{reservation_id}.",
                       {"reservation": reservation_id})
    return found
