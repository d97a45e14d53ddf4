"""Books and their depreciation profiles: which profile an asset has in a book, from what day
its life starts, and what it is worth on any date."""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app

from app.assets.models import Asset
from app.catalog.models import AssetModel
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.finance import depreciation
from app.finance.models import DEFAULT_BOOK, Book, DepreciationProfile, StartFrom
from app.lifecycle.models import Event

# Units of production needs each asset's own usage, which a shared profile cannot give.
PROFILE_METHODS = tuple(m for m in depreciation.METHODS if m != "units_of_production")
BOOK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
UNIT = Decimal(100)  # a profile is computed at a cost of 100, so salvage is its percent


def fiscal_year_start() -> int:
    return current_app.config["FISCAL_YEAR_START"]


# Books

def find_book(name: str) -> Book | None:
    """The book of that name; None for the default book when nothing has been written to it
    yet (then it has no profiles). Another unknown name is refused."""
    book = db.session.scalar(sa.select(Book).where(Book.name == name))
    if book is None and name != DEFAULT_BOOK:
        known = db.session.scalars(sa.select(Book.name).order_by(Book.name)).all()
        raise ValidationFailed(f"There is no book {name!r}: the books are "
                               f"{', '.join(sorted({DEFAULT_BOOK, *known}))}.", {"book": name})
    return book


def book_for_writing(name: str) -> Book:
    """The book to add a profile to: the default book is made if it is missing."""
    book = find_book(name)
    if book is None:
        book = Book(name=DEFAULT_BOOK)
        db.session.add(book)
        db.session.flush()
    return book


def all_books() -> list[Book]:
    book_for_writing(DEFAULT_BOOK)
    return list(db.session.scalars(sa.select(Book).order_by(Book.id)))


def add_book(name: str) -> Book:
    """A new named set of accounts (such as "tax")."""
    name = (name or "").strip().lower()
    if not BOOK_NAME.match(name):
        raise ValidationFailed("A book's name is 1 to 40 lower-case letters, digits, - or _ "
                               "(such as tax).", {"name": name[:40]})
    if db.session.scalar(sa.select(Book.id).where(Book.name == name)) is not None:
        raise ValidationFailed(f"There is already a book {name!r}.", {"name": name})
    book = Book(name=name)
    db.session.add(book)
    db.session.flush()
    return book


# Profiles

def check_profile(fields: dict) -> None:
    """Refuse what the engine would refuse for any asset the profile covers, naming the
    field: a profile is tried on an asset costing 100 bought on 1 January 2000."""
    method, factor = fields["method"], fields.get("factor")
    if method not in PROFILE_METHODS:
        raise ValidationFailed(f"A profile's method is one of {', '.join(PROFILE_METHODS)}.",
                               {"fields": {"method": ["Choose a method."]}})
    percent = fields["salvage_percent"]
    if percent is None or not 0 <= percent <= 100:
        message = ("Salvage is a percent of cost from 0 to 100: the salvage cannot be more "
                   "than the cost.")
        raise ValidationFailed(message, {"fields": {"salvage_percent": [message]}})
    if method not in ("declining_balance", "declining_then_straight") and factor is not None:
        fields["factor"] = None  # only declining balance at a chosen rate uses one
    depreciation.Profile(cost=UNIT, salvage=percent, life_months=fields["life_months"],
                         start=date(2000, 1, 1), method=method, factor=fields["factor"],
                         convention=fields["convention"])


def save_profile(profile: DepreciationProfile | None, *, book: Book, target: tuple[str, int],
                 fields: dict) -> DepreciationProfile:
    """Create or change the profile `book` gives the target ("category", "model" or
    "asset", and its id)."""
    check_profile(fields)
    kind, target_id = target
    if kind not in ("category", "model", "asset"):
        raise ValidationFailed("A profile belongs to a category, a model or an asset.",
                               {"target": kind})
    ids = {"category_id": None, "model_id": None, "asset_id": None, f"{kind}_id": target_id}
    taken = db.session.scalar(sa.select(DepreciationProfile.id).where(
        DepreciationProfile.book_id == book.id,
        getattr(DepreciationProfile, f"{kind}_id") == target_id))
    if taken is not None and (profile is None or taken != profile.id):
        raise ValidationFailed(f"That {kind} already has a profile in the book {book.name}: "
                               f"edit that one.", {"target": kind})
    if profile is None:
        profile = DepreciationProfile()
        db.session.add(profile)
    profile.book = book
    for name, value in (ids | fields).items():
        setattr(profile, name, value)
    db.session.flush()
    return profile


def profile_for(asset: Asset, book: Book | None) -> DepreciationProfile | None:
    """The asset's own profile in the book, else its model's, else its category's (the
    asset's category, else its model's), else None: then it does not depreciate."""
    if book is None:
        return None
    P = DepreciationProfile
    category_id = asset.category_id
    if category_id is None and asset.model_id is not None:  # its model's, in the same query
        category_id = (sa.select(AssetModel.category_id)
                       .where(AssetModel.id == asset.model_id).scalar_subquery())
    targets = [P.asset_id == asset.id]
    if asset.model_id is not None:
        targets.append(P.model_id == asset.model_id)
    if category_id is not None:
        targets.append(P.category_id == category_id)
    rows = db.session.scalars(sa.select(P).where(P.book_id == book.id,
                                                 sa.or_(*targets))).all()
    for attribute in ("asset_id", "model_id", "category_id"):
        for row in rows:
            if getattr(row, attribute) is not None:
                return row
    return None


def first_deployment(asset_id: int) -> date | None:
    when = db.session.scalar(sa.select(sa.func.min(Event.occurred_at)).where(
        Event.asset_id == asset_id, Event.type == "check_out", Event.outcome == "applied"))
    return when.date() if when else None


def start_of(asset: Asset, profile: DepreciationProfile) -> date | None:
    """The day the asset's life starts under the profile (None: no purchase date)."""
    if profile.start_from == StartFrom.IN_SERVICE and asset.created_at:
        return asset.created_at.date()
    if profile.start_from == StartFrom.FIRST_DEPLOYMENT:
        return first_deployment(asset.id) or asset.purchase_date
    return asset.purchase_date


# Values

def unit_profile(profile: DepreciationProfile, start: date) -> depreciation.Profile:
    """The engine's profile at a cost of 100 (salvage: the percent). Month conventions count
    only the month of the start, so it is moved to the 1st and shared by the month."""
    if profile.convention != "actual_days":
        start = start.replace(day=1)
    return _unit(profile.method, profile.factor, profile.life_months, profile.salvage_percent,
                 profile.convention, start, fiscal_year_start())


@lru_cache(maxsize=65536)
def _unit(method, factor, life_months, percent, convention, start, fy_start):
    first = _unit_from(method, factor, life_months, percent, convention, fy_start)
    return first.starting(start)


@lru_cache(maxsize=4096)
def _unit_from(method, factor, life_months, percent, convention, fy_start):
    return depreciation.Profile(cost=UNIT, salvage=Decimal(percent), life_months=life_months,
                                start=date(2000, 1, 1), method=method, factor=factor,
                                convention=convention, fiscal_year_start=fy_start)


@lru_cache(maxsize=65536)
def fraction(unit: depreciation.Profile, as_of: date) -> Fraction:
    return depreciation.accrued_fraction(unit, as_of)


def scaled(cost: Decimal, percent: Decimal, share: Fraction) -> Decimal:
    """Depreciation of an asset costing `cost` when `share` of its cost - salvage is written
    off; the salvage is `percent` of cost, kept exact (not rounded), so every asset a profile
    covers depreciates by the same fraction, and the total is rounded once, as the engine
    rounds."""
    return depreciation.cents(Fraction(cost) * (100 - Fraction(percent)) / 100 * share)


# Write-downs and disposal: both are events, read back from the asset's history.
#
# The rule (the simpler one of issue 15): a write-down is subtracted from the book value on its
# day; depreciation then continues as the profile schedules it, but never takes the value below
# salvage, and stops at once if a write-down has already taken it there or below. So the book
# value on any day is cost - accumulated - written down, where accumulated is the scheduled
# depreciation capped, after each write-down, at max(what had accrued by then, cost - salvage
# - written down so far). The life is not shortened and the curve is not recomputed.

def write_downs(asset_id: int, book_name: str) -> list[tuple[date, Decimal]]:
    """The asset's applied write-downs in the book, (day, amount), in date order."""
    return _finance_events(asset_id, book_name)[0]


def _finance_events(asset_id: int, book_name: str):
    """(write-downs in the book, in date order; (day, proceeds) of its disposal or None), read
    in one query: a book value is asked for often."""
    rows = db.session.execute(sa.select(Event.type, Event.occurred_at, Event.data).where(
        Event.asset_id == asset_id, Event.type.in_(("write_down", "dispose")),
        Event.outcome == "applied").order_by(Event.seq))
    downs, sold = [], None
    for kind, when, data in rows:
        if kind == "dispose":
            sold = when.date(), Decimal(data.get("residual_value") or "0").quantize(
                depreciation.CENT)
        elif data.get("book", DEFAULT_BOOK) == book_name:
            downs.append((date.fromisoformat(data["on"]), Decimal(data["amount"])))
    return sorted(downs, key=lambda pair: pair[0]), sold


def with_write_downs(scheduled, base, downs, as_of):
    """(accumulated depreciation, total written down) at the end of `as_of` under the rule
    above; `scheduled(day)` is the profile's accumulated depreciation, `base` what it writes
    off in all (cost - salvage), `downs` (day, amount) in date order. Works on Decimals or
    whole cents alike."""
    fixed = written = 0
    for on, amount in downs:
        if on > as_of:
            break
        fixed = min(scheduled(on), max(fixed, base - written))
        written += amount
    if not written:
        return scheduled(as_of), written
    return min(scheduled(as_of), max(fixed, base - written)), written


def disposal(asset_id: int) -> tuple[date, Decimal] | None:
    """(day, proceeds) of the asset's applied disposal (proceeds 0 when none were given)."""
    return _finance_events(asset_id, DEFAULT_BOOK)[1]


@dataclass
class Valuation:
    book: str
    method: str | None
    cost: Decimal | None
    accumulated: Decimal | None
    book_value: Decimal | None
    as_of: date
    note: str = ""
    written_down: Decimal | None = None
    # Once disposed of (on or before as_of): the day, the proceeds, and proceeds - the book
    # value on that day.
    disposed_on: date | None = None
    proceeds: Decimal | None = None
    gain_or_loss: Decimal | None = None

    def as_json(self) -> dict:
        def money(value):
            return None if value is None else f"{value:.2f}"
        reply = {"book": self.book, "method": self.method, "cost": money(self.cost),
                 "accumulated": money(self.accumulated),
                 "book_value": money(self.book_value), "as_of": self.as_of.isoformat()}
        if self.written_down:  # only once written down, so the contract's answer stays as it was
            reply["written_down"] = money(self.written_down)
        if self.disposed_on is not None:
            reply |= {"disposed_on": self.disposed_on.isoformat(),
                      "proceeds": money(self.proceeds),
                      "gain_or_loss": money(self.gain_or_loss)}
        return reply | ({"note": self.note} if self.note else {})


def valuation(asset: Asset, book_name: str, as_of: date) -> Valuation:
    """What the asset is worth in the book at the end of `as_of`, or why it has no value;
    after its disposal, the gain or loss on it too."""
    book = find_book(book_name)
    if asset.purchase_cost is None:
        return Valuation(book_name, None, None, None, None, as_of,
                         "No purchase cost is recorded, so there is nothing to depreciate.")
    downs, sold = _finance_events(asset.id, book_name) if asset.id else ([], None)
    value = _valuer(asset, book, book_name, downs)
    done, written = value(as_of)
    found = value.method, asset.purchase_cost, done, asset.purchase_cost - done - written
    reply = Valuation(book_name, *found, as_of, value.note, written)
    if sold is not None and sold[0] <= as_of:
        done, written = value(sold[0])
        reply.disposed_on, reply.proceeds = sold
        reply.gain_or_loss = sold[1] - (asset.purchase_cost - done - written)
    return reply


class _valuer:
    """(accumulated, written down) on any day for one asset in one book."""

    def __init__(self, asset: Asset, book: Book | None, book_name: str, downs=None):
        cost, zero = asset.purchase_cost, Decimal("0.00")
        self.downs = write_downs(asset.id, book_name) if downs is None else downs
        profile = profile_for(asset, book)
        start = start_of(asset, profile) if profile else None
        self.method, self.note = "none", ""
        self.scheduled, self.base = (lambda day: zero), zero
        if profile is None:
            self.note = (f"No depreciation profile applies in the book {book_name} (none on "
                         f"the asset, its model or its category): it stays at cost.")
        elif start is None:
            self.method = profile.method
            self.note = "No purchase date is recorded, so depreciation has not started."
        else:
            unit, percent = unit_profile(profile, start), profile.salvage_percent
            self.method = profile.method
            self.scheduled = lambda day: scaled(cost, percent, fraction(unit, day))
            self.base = scaled(cost, percent, Fraction(1))

    def __call__(self, day: date) -> tuple[Decimal, Decimal]:
        done, written = with_write_downs(self.scheduled, self.base, self.downs, day)
        return done, Decimal(written).quantize(depreciation.CENT)


def asset_by_tag(tag: str) -> Asset:
    from app.assets.models import tag_is
    asset = db.session.scalar(sa.select(Asset).where(tag_is(tag)))
    if asset is None:
        raise NotFound(f"There is no asset with the tag {tag!r}.", {"tag": tag})
    return asset


@dataclass(frozen=True)
class Row:
    start: date
    end: date
    amount: Decimal
    written_down: Decimal
    accumulated: Decimal
    book_value: Decimal


@dataclass
class Schedule:
    book: str
    profile: DepreciationProfile | None
    start: date | None
    rows: list[Row]
    write_downs: list[tuple[date, Decimal]] = ()
    valuation: Valuation | None = None  # on the day of disposal, when disposed of


def schedule(asset: Asset, book: Book | None, period: str = "year") -> Schedule:
    """The asset's periods in a book, from its start to the end of its life (no rows: no
    cost, no profile or no start)."""
    name = book.name if book else DEFAULT_BOOK
    profile = profile_for(asset, book)
    start = start_of(asset, profile) if profile else None
    if profile is None or start is None or asset.purchase_cost is None:
        return Schedule(name, profile, start, [])
    cost, percent = asset.purchase_cost, profile.salvage_percent
    value = _valuer(asset, book, name)
    rows, before, down = [], Decimal("0.00"), Decimal("0.00")
    for row in depreciation.schedule(_unit(profile.method, profile.factor,
                                           profile.life_months, percent, profile.convention,
                                           start, fiscal_year_start()), period):
        total, written = value(row.end)
        rows.append(Row(row.start, row.end, total - before, written - down, total,
                        cost - total - written))
        before, down = total, written
    sold = disposal(asset.id)
    found = valuation(asset, name, sold[0]) if sold else None
    return Schedule(name, profile, start, rows, value.downs, found)
