"""The `write_down` event: finance lowers what an asset is worth in one book (a write-down, or
an impairment found on review). Routine depreciation is never an event (it follows from the
profile); a write-down changes the asset's value in a way no profile foresees, so it goes
through the pipeline and sits in the asset's history and the audit trail."""
from marshmallow import fields, validate

from app.assets.models import Asset
from app.errors import ValidationFailed
from app.finance import books
from app.finance.models import DEFAULT_BOOK
from app.lifecycle.types import Change, EventData, EventType, load, plain
from app.timeutil import utcnow

KINDS = {"write_down": "write-down", "impairment": "impairment"}


class WriteDownData(EventData):
    book = fields.Str(load_default=DEFAULT_BOOK, validate=validate.Length(min=1, max=40),
                      metadata={"label": "Book"})
    kind = fields.Str(load_default="write_down", validate=validate.OneOf(list(KINDS)),
                      metadata={"choices": KINDS, "label": "Kind"})
    amount = fields.Decimal(required=True, places=2, allow_nan=False, validate=validate.Range(
        min=0, min_inclusive=False, max=10**12, error="An amount is more than 0."),
        metadata={"label": "Amount"})
    on = fields.Date(required=True, metadata={"label": "On (date)"})
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000),
                        metadata={"label": "Reason"})


def write_down(asset: Asset, data: dict) -> Change:
    """Refused, naming why, for an unknown book, a day before purchase or after today, a day
    before the book's last write-down, or more than the book value on that day."""
    clean = load(WriteDownData, data)
    book, on, amount = clean["book"].strip().lower(), clean["on"], clean["amount"]
    books.find_book(book)  # an unknown book is refused here
    if on > utcnow().date():
        raise ValidationFailed(f"A write-down cannot be dated in the future ({on}).",
                               {"on": on.isoformat()})
    if asset.purchase_date is None or on < asset.purchase_date:
        bought = asset.purchase_date or "not recorded"
        raise ValidationFailed(f"A write-down is dated on or after the purchase date "
                               f"({bought}), not {on}.", {"on": on.isoformat()})
    earlier = books.write_downs(asset.id, book)
    if earlier and on < earlier[-1][0]:
        raise ValidationFailed(f"Write-downs in the book {book} are recorded in date order: "
                               f"the last is dated {earlier[-1][0]}.", {"on": on.isoformat()})
    worth = books.valuation(asset, book, on).book_value
    if worth is None:
        raise ValidationFailed("No purchase cost is recorded, so there is nothing to write "
                               "down.", {"amount": str(amount)})
    if amount > worth:
        raise ValidationFailed(f"{asset.tag} is worth {worth:.2f} in the book {book} on {on}: "
                               f"a write-down of {amount:.2f} is more than that.",
                               {"amount": str(amount), "book_value": f"{worth:.2f}"})
    return Change(plain(clean | {"book": book}))


TYPES = (EventType("write_down", write_down, WriteDownData, "Write down", "written down",
                   offered=frozenset(), from_devices=False, changes_catalogue=False),)
