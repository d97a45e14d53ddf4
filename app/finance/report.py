"""The depreciation report: per department or category, for one fiscal year, the assets, their
cost, the year's depreciation, the year's write-downs, the accumulated depreciation, the book
value at year end, and the gain or loss on the assets disposed of in the year.

Fast and exact at once: assets that share a profile and a start month (the start day under
actual_days) write off the same fraction of cost - salvage by any date, so that fraction is
computed once (depreciation.accrued_fraction) and each asset's total is its cost times it,
rounded once to the cent in whole-number arithmetic, as books.valuation() rounds it. The rows
come as plain numbers and ISO text (no Decimal or date objects per row). The few assets with a
write-down in the book or a disposal in the year take the slower path of books' write-down
rule (books.with_write_downs), still in whole cents."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from app.assets.models import Asset
from app.catalog.models import AssetModel, Category
from app.errors import ValidationFailed
from app.extensions import db
from app.finance import books
from app.finance.models import DEFAULT_BOOK, DepreciationProfile, StartFrom
from app.lifecycle.models import Event
from app.org.models import Department

GROUPS = ("department", "category")
NO_GROUP = "(none)"
FIRST_YEAR, LAST_YEAR = 1900, 2199


def fiscal_year_arg(text) -> int:
    try:
        year = int(str(text).strip())
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(f"fiscal_year is a year from {FIRST_YEAR} to {LAST_YEAR} "
                               f"(the calendar year the fiscal year starts in).",
                               {"fiscal_year": str(text)[:20]})
    return year


def group_arg(text: str) -> str:
    if text not in GROUPS:
        raise ValidationFailed("group is department or category.", {"group": str(text)[:20]})
    return text


def fiscal_year_bounds(year: int, start_month: int) -> tuple[date, date]:
    """A fiscal year is named by the calendar year it starts in (FY 2026 starting in April
    runs from 1 April 2026 to 31 March 2027)."""
    first = date(year, start_month, 1)
    return first, date(year + 1, start_month, 1) - timedelta(days=1)


@dataclass
class Line:
    group: str
    assets: int = 0
    cost: int = 0  # all money in cents until shown
    depreciation: int = 0
    written_down: int = 0
    accumulated: int = 0
    book_value: int = 0
    gain_or_loss: int = 0

    def as_json(self) -> dict:
        return {"group": self.group, "assets": self.assets,
                **{name: _money(getattr(self, name)) for name in MONEY}}


@dataclass
class Report:
    fiscal_year: int
    group: str
    book: str
    start: date
    end: date
    lines: list[Line] = field(default_factory=list)
    total: Line = field(default_factory=lambda: Line("Total"))

    def as_json(self) -> dict:
        return {"fiscal_year": self.fiscal_year, "group": self.group, "book": self.book,
                "start": self.start.isoformat(), "end": self.end.isoformat(),
                "groups": [line.as_json() for line in self.lines],
                "total": self.total.as_json()}


MONEY = ("cost", "depreciation", "written_down", "accumulated", "book_value", "gain_or_loss")
COLUMNS = ("group", "assets", *MONEY)


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def depreciation_report(fiscal_year: int, group: str, book_name: str) -> Report:
    """Every asset with a cost and a purchase date on or before the year's end; one without
    a profile in the book stays at cost (no depreciation)."""
    book = books.find_book(book_name)
    start, end = fiscal_year_bounds(fiscal_year, books.fiscal_year_start())
    before = start - timedelta(days=1)
    report = Report(fiscal_year, group, book_name, start, end)
    profiles = [_Plan(p) for p in _profiles(book).values()]
    uses = {plan.start_from for plan in profiles}
    deployed = _first_deployments() if StartFrom.FIRST_DEPLOYMENT in uses else {}
    by_asset, by_model, by_category = ({getattr(plan.profile, k): plan for plan in profiles
                                        if getattr(plan.profile, k) is not None}
                                       for k in ("asset_id", "model_id", "category_id"))
    lines: dict[str, Line] = {}
    downs, sold = _write_downs(book_name, end), _disposals(start, end)
    rows = _rows(group, end, with_created=StartFrom.IN_SERVICE in uses)
    for asset_id, cents, bought, created, model_id, category_id, name in rows:
        line = lines.get(name)
        if line is None:
            line = lines[name] = Line(name or NO_GROUP)
        line.assets += 1
        line.cost += cents
        plan = (by_asset.get(asset_id) or by_model.get(model_id)
                or by_category.get(category_id))
        begin = bought
        if plan is not None and plan.start_from == StartFrom.IN_SERVICE and created is not None:
            begin = created
        elif plan is not None and plan.start_from == StartFrom.FIRST_DEPLOYMENT:
            begin = deployed.get(asset_id) or bought
        if asset_id in downs or asset_id in sold:
            _exactly(line, plan, begin, cents, downs.get(asset_id, ()), sold.get(asset_id),
                     before, end)
            continue
        if plan is None:
            line.book_value += cents
            continue
        key = begin if plan.by_day else begin[:7]  # ISO text: the day, or the month
        pair = plan.shares.get(key)
        if pair is None:
            pair = plan.shares[key] = plan.parts(begin, before, end)
        (n0, d0), (n1, d1) = pair
        done = (2 * cents * n1 + d1) // (2 * d1)  # half up, as depreciation.cents() rounds
        line.depreciation += done - (2 * cents * n0 + d0) // (2 * d0)
        line.accumulated += done
        line.book_value += cents - done
    report.lines = sorted(lines.values(), key=lambda line: line.group.lower())
    for line in report.lines:
        for name in ("assets", *MONEY):
            setattr(report.total, name, getattr(report.total, name) + getattr(line, name))
    return report


def _exactly(line: Line, plan, begin: str, cents: int, downs, sold, before: date,
             end: date) -> None:
    """One asset with write-downs or a disposal in the year, by books' rule, in cents."""
    if plan is None:
        scheduled, base = (lambda day: 0), 0
    else:
        unit = books.unit_profile(plan.profile, date.fromisoformat(begin))

        def scheduled(day):
            n, d = plan._as_parts(books.fraction(unit, day))
            return (2 * cents * n + d) // (2 * d)
        n, d = plan._as_parts(Fraction(1))
        base = (2 * cents * n + d) // (2 * d)
    done0, down0 = books.with_write_downs(scheduled, base, downs, before)
    done, down = books.with_write_downs(scheduled, base, downs, end)
    line.depreciation += done - done0
    line.written_down += down - down0
    line.accumulated += done
    line.book_value += cents - done - down
    if sold is not None:
        day, proceeds = sold
        done, down = books.with_write_downs(scheduled, base, downs, day)
        line.gain_or_loss += proceeds - (cents - done - down)


def _write_downs(book_name: str, end: date) -> dict[int, list[tuple[date, int]]]:
    """Each asset's write-downs in the book up to the year's end, (day, cents), in order."""
    found: dict[int, list] = {}
    rows = db.session.execute(sa.select(Event.asset_id, Event.data).where(
        Event.type == "write_down", Event.outcome == "applied").order_by(Event.seq))
    for asset_id, data in rows:
        on = date.fromisoformat(data["on"])
        if data.get("book", DEFAULT_BOOK) == book_name and on <= end:
            found.setdefault(asset_id, []).append((on, _cents(data["amount"])))
    for pairs in found.values():
        pairs.sort(key=lambda pair: pair[0])
    return found


def _disposals(start: date, end: date) -> dict[int, tuple[date, int]]:
    """(day, proceeds in cents) of each asset disposed of in the year."""
    rows = db.session.execute(sa.select(Event.asset_id, Event.occurred_at, Event.data).where(
        Event.type == "dispose", Event.outcome == "applied",
        Event.occurred_at >= datetime.combine(start, time()),
        Event.occurred_at < datetime.combine(end + timedelta(days=1), time())))
    return {asset_id: (when.date(), _cents(data.get("residual_value") or "0"))
            for asset_id, when, data in rows}


def _cents(text) -> int:
    return int(Decimal(str(text)).scaleb(2).to_integral_value())


class _Plan:
    """One profile as the report's loop reads it: plain attributes, and the share of cost
    written off by the two dates per start key (computed once, scaled for each asset)."""

    def __init__(self, profile: DepreciationProfile):
        self.profile = profile
        self.start_from = profile.start_from
        self.by_day = profile.convention == "actual_days"
        self.points = int(profile.salvage_percent * 100)  # basis points of cost
        self.shares: dict = {}

    def parts(self, begin: str, before: date, end: date) -> tuple:
        unit = books.unit_profile(self.profile, date.fromisoformat(begin))
        return tuple(self._as_parts(books.fraction(unit, day)) for day in (before, end))

    def _as_parts(self, share) -> tuple[int, int]:
        # cents = cost_cents * (10000 - basis points) / 10000 * share, as one fraction n / d.
        return (10000 - self.points) * share.numerator, 10000 * share.denominator


def _profiles(book) -> dict[int, DepreciationProfile]:
    if book is None:
        return {}
    rows = db.session.scalars(sa.select(DepreciationProfile)
                              .where(DepreciationProfile.book_id == book.id))
    return {p.id: p for p in rows}


def _first_deployments() -> dict[int, str]:
    rows = db.session.execute(
        sa.select(Event.asset_id, sa.func.min(Event.occurred_at))
        .where(Event.type == "check_out", Event.outcome == "applied",
               Event.asset_id.is_not(None))
        .group_by(Event.asset_id))
    return {asset_id: when.date().isoformat() for asset_id, when in rows}


def _rows(group: str, end: date, *, with_created: bool):
    """(id, cost in cents, purchase date, day registered (when asked for), model, category
    (its own, else its model's), group name) of every asset the report covers; dates as ISO
    text and money as whole cents, so neither database's driver builds objects for them."""
    category_id = sa.func.coalesce(Asset.category_id, AssetModel.category_id)
    joined = sa.outerjoin(Asset, AssetModel, Asset.model_id == AssetModel.id)
    if group == "department":
        name = Department.name
        joined = joined.outerjoin(Department, Asset.department_id == Department.id)
    else:
        name = Category.name
        joined = joined.outerjoin(Category, Category.id == category_id)
    created = _iso_day(Asset.created_at) if with_created else sa.null()
    query = (sa.select(Asset.id,
                       sa.cast(sa.func.round(Asset.purchase_cost * 100), sa.BigInteger),
                       _iso_day(Asset.purchase_date), created,
                       Asset.model_id, category_id, name)
             .select_from(joined)
             .where(Asset.purchase_cost.is_not(None), Asset.purchase_date.is_not(None),
                    Asset.purchase_date <= end))
    return db.session.connection().execute(query)


def _iso_day(column):
    """The day of a date or timestamp column as YYYY-MM-DD text, on either database."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM-DD")
    return sa.func.substr(sa.cast(column, sa.String), 1, 10)  # SQLite keeps ISO text
