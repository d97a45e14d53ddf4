"""The depreciation engine: a Profile in, a schedule or a book value on any date out. Pure
functions, no database; money is Decimal to the cent, rounded half up.

How time is counted, one rule for schedule() and book_value() alike:
- An asset's life is `life_months` months long and starts where the convention says:
  full_month at the first day of the month of acquisition, mid_month in the middle of that
  month, mid_quarter in the middle of its fiscal quarter, half_year in the middle of its
  fiscal year (so the first fiscal year has half a year and the life runs half a year into
  the fiscal year after its last whole one), actual_days on the day of acquisition itself.
- Month-based conventions count a month once it has ended: the book value on 14 March is the
  value at the end of February, and on 31 March the value at the end of March. Under
  actual_days every day of the life weighs the same and counts once it has ended: the book
  value on a date is the value at the end of that day. A period's end is such a date, so the
  schedule and book_value() always agree.
- A convention may start the life before the month of acquisition (mid_quarter bought in the
  quarter's last month, half_year bought in the year's second half): what falls before that
  month is taken in it. Nothing depreciates before it is owned, and the fiscal year still has
  the share the convention gives it.
- Before the start the book value is the cost; after the last day of the life, the salvage.

Methods give an amount per year of life (units of production: per month); a fiscal year or a
month that straddles two years of life takes its share of each, pro rata by the months (or
days) in it. This is the textbook allocation; MACRS tables instead apply a rate to each fiscal
year's opening value, and so switch to straight line a little differently.

Units of production follow usage, so no convention applies: the life runs whole months from
the month of acquisition, `units[i]` is the usage of the i-th period (month or fiscal year,
`units_period`) and a period's units accrue evenly over its months. Usage past `total_units`
depreciates nothing more; at the end of the life whatever usage has not written off is.
"""
from calendar import monthrange
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

from app.dbtypes import MAX_MONEY
from app.errors import ValidationFailed
from app.timeutil import EARLIEST, LATEST

METHODS = ("straight_line", "declining_balance", "double_declining", "declining_then_straight",
           "sum_of_years", "units_of_production", "none")
CONVENTIONS = ("full_month", "mid_month", "half_year", "mid_quarter", "actual_days")
PERIODS = ("month", "year")
MAX_LIFE_MONTHS = 1200  # 100 years
DEFAULT_FACTOR = Decimal(2)  # declining balance at 200%, the textbook rate
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Profile:
    """How one asset depreciates. Built by whoever stores profiles (an asset, its model or
    category, a book); checked when made, so a Profile that exists can be computed."""

    cost: Decimal
    life_months: int
    start: date  # the day of acquisition (placed in service)
    method: str = "straight_line"
    salvage: Decimal = Decimal(0)
    factor: Decimal | None = None  # declining balance: 2 is 200%, 1.5 is 150%
    convention: str = "full_month"
    fiscal_year_start: int = 1  # the month a fiscal year starts in
    units: tuple[Decimal, ...] = ()  # units of production: usage per period
    total_units: Decimal | None = None  # units of production: usage over the whole life
    units_period: str = "month"  # what one entry of `units` covers: a month or a fiscal year

    def __post_init__(self):
        # Frozen (so a profile can key the cache of its amounts): normalised once, here.
        normal = {"cost": _money("cost", self.cost), "salvage": _money("salvage", self.salvage),
                  "units": tuple(_number("units", u) for u in self.units)}
        for name in ("factor", "total_units"):
            value = getattr(self, name)
            normal[name] = None if value is None else _number(name, value)
        for name, value in normal.items():
            object.__setattr__(self, name, value)
        _check(self)

    def starting(self, day: date) -> "Profile":
        """The same profile for an asset acquired on `day`; only what depends on the day is
        checked again (cheaper than a new Profile, for reports over many start days)."""
        other = copy(self)
        object.__setattr__(other, "start", day)
        _check_dates(other)
        _check_units(other)
        return other


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    amount: Decimal
    accumulated: Decimal
    book_value: Decimal


def schedule(profile: Profile, period: str = "month") -> list[Period]:
    """The life's periods (calendar months or fiscal years) from the one the asset was
    acquired in to the one its life ends in; the first starts on the day of acquisition."""
    if period not in PERIODS:
        _refuse("period", f"A period is 'month' or 'year', not {period!r}.")
    rows, begin, before = [], profile.start, Decimal("0.00")
    for end in _period_ends(profile, period):
        total = accumulated(profile, end)
        rows.append(Period(begin, end, total - before, total, profile.cost - total))
        begin, before = end + timedelta(days=1), total
    return rows


def book_value(profile: Profile, as_of: date) -> Decimal:
    """What the asset is worth in the books at the end of `as_of` (any date)."""
    return profile.cost - accumulated(profile, as_of)


def accumulated(profile: Profile, as_of: date) -> Decimal:
    """Depreciation to the end of `as_of`, to the cent.

    Rounding happens here and only here, on the running total: a period's amount is the
    difference of two rounded totals, so no remainder builds up. Each period is within a cent
    of its exact share and the last one ends exactly at cost - salvage."""
    return cents(_accrued(profile, _elapsed(profile, as_of)))


def accrued_fraction(profile: Profile, as_of: date) -> Fraction:
    """The exact share of cost - salvage depreciated by the end of `as_of`, unrounded (0 when
    there is nothing to depreciate). Every method but units of production is linear in cost
    and salvage together, so assets whose profiles differ only by a common factor of both
    (the same salvage percent) share it: accumulated() is cents(base * this fraction)."""
    base = _base(profile)
    if base == 0 or profile.method == "none":
        return Fraction(0)
    if as_of > last_day(profile):  # every method writes off cost - salvage by then, exactly
        return Fraction(1)
    return _accrued(profile, _elapsed(profile, as_of)) / base


def cents(exact: Fraction) -> Decimal:
    """Money to the cent, rounded half up: the one rounding accumulated() applies."""
    return (Decimal(floor(exact * 100 + Fraction(1, 2))) * CENT).quantize(CENT)


def last_day(profile: Profile) -> date:
    """The last day of the life: from the next day on the book value is the salvage (under
    `none`, still the cost)."""
    if _by_days(profile):
        return _months_later(profile.start, profile.life_months) - timedelta(days=1)
    months = ceil(profile.life_months + _offset(profile))  # whole months to use it all up
    return _last_of(_month(profile.start) + max(months, 1) - 1)


# Time: months as one number (year * 12 + month - 1), and how much life is used up.

def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_of(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _last_of(month: int) -> date:
    return _first_of(month + 1) - timedelta(days=1)


def _months_later(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    end = _last_of(_month(day) + months)
    return end.replace(day=min(day.day, end.day))


def _by_days(profile: Profile) -> bool:
    # Units of production counts whole months whatever the convention (module docstring).
    return profile.convention == "actual_days" and profile.method != "units_of_production"


def _into_year(profile: Profile) -> int:
    """Months of its fiscal year gone before the month of acquisition (0 to 11)."""
    return (profile.start.month - profile.fiscal_year_start) % 12


def _offset(profile: Profile) -> Fraction:
    """Where the life starts, in months after the first day of the month of acquisition
    (negative: before it)."""
    if profile.method == "units_of_production":
        return Fraction(0)
    return {"full_month": Fraction(0), "mid_month": Fraction(1, 2),
            "mid_quarter": Fraction(3, 2) - _into_year(profile) % 3,
            "half_year": 6 - Fraction(_into_year(profile)),
            "actual_days": Fraction(0)}[profile.convention]


def _elapsed(profile: Profile, day: date) -> Fraction:
    """Months of life used up by the end of `day`, from 0 to life_months."""
    life = profile.life_months
    if day < profile.start:
        return Fraction(0)
    if _by_days(profile):
        days = (_months_later(profile.start, life) - profile.start).days
        return Fraction(life * min((day - profile.start).days + 1, days), days)
    ended = _month(day) - _month(profile.start) + (day.day == monthrange(day.year, day.month)[1])
    if ended == 0:  # the month of acquisition is not over yet
        return Fraction(0)
    return min(max(ended - _offset(profile), Fraction(0)), Fraction(life))


def _period_ends(profile: Profile, period: str):
    last = last_day(profile)
    if period == "month":
        ends = (_last_of(m) for m in range(_month(profile.start), _month(last) + 1))
    else:
        first = _month(profile.start) + 11 - _into_year(profile)  # its fiscal year's last month
        ends = (_last_of(m) for m in range(first, _month(last) + 12, 12))
    for end in ends:
        yield end
        if end >= last:
            return


# Methods: each gives what every year of life (units of production: every month) depreciates,
# exactly, as fractions; _accrued() spreads them over time.

def _accrued(profile: Profile, elapsed: Fraction) -> Fraction:
    """Exact depreciation once `elapsed` months of the life are used up; within a year of
    life it accrues evenly."""
    step, amounts, running = _curve(profile)
    k = min(int(elapsed // step), len(amounts) - 1)
    length = min(step, profile.life_months - k * step)
    return running[k] + amounts[k] * (elapsed - k * step) / length


def _curve(profile: Profile) -> tuple[int, list[Fraction], list[Fraction]]:
    # What each year of life depreciates depends on the method, cost, salvage, factor and
    # life alone (units of production: on usage and the fiscal year too), so assets bought
    # on different days share one curve: a report over many start days computes it once.
    key = profile if profile.method == "units_of_production" else (
        profile.method, profile.cost, profile.salvage, profile.factor, profile.life_months)
    found = _CURVES.get(key)
    if found is None:
        if len(_CURVES) >= 4096:  # bounded, as an lru_cache would be
            _CURVES.clear()
        found = _CURVES[key] = _curve_of(profile)
    return found


_CURVES: dict = {}


def _curve_of(profile: Profile) -> tuple[int, list[Fraction], list[Fraction]]:
    step = 1 if profile.method == "units_of_production" else 12
    amounts = METHOD_AMOUNTS[profile.method](profile)
    running = [Fraction(0)]
    for amount in amounts:
        running.append(running[-1] + amount)
    return step, amounts, running


def _years_of_life(profile: Profile) -> list[Fraction]:
    """Each year of life as a fraction of a year: whole ones, then perhaps a part-year."""
    life = profile.life_months
    return [Fraction(min(12, life - m), 12) for m in range(0, life, 12)]


def _base(profile: Profile) -> Fraction:
    return Fraction(profile.cost - profile.salvage)


def _straight_line(profile: Profile) -> list[Fraction]:
    years = Fraction(profile.life_months, 12)
    return [_base(profile) * share / years for share in _years_of_life(profile)]


def _sum_of_years(profile: Profile) -> list[Fraction]:
    # The digits count down the years left at the start of each year of life (5, 4, 3, 2, 1
    # for five years); a part-year at the end weighs its digit by its length.
    years = Fraction(profile.life_months, 12)
    weights = [(years - k) * share for k, share in enumerate(_years_of_life(profile))]
    return [_base(profile) * w / sum(weights) for w in weights]


def _declining(profile: Profile, *, switch: bool) -> list[Fraction]:
    # The rate is factor / life in years, on the value at the start of each year of life.
    # Salvage does not lower that value, only stops it: an amount never takes the value below
    # salvage. With `switch`, a year takes straight line on what is left over the life left
    # when that gives more (and from then on it always does). Declining balance alone never
    # reaches salvage, so the last year of life takes the value down to it.
    years = Fraction(profile.life_months, 12)
    rate = Fraction(profile.factor or DEFAULT_FACTOR) / years
    value, salvage, amounts = Fraction(profile.cost), Fraction(profile.salvage), []
    shares = _years_of_life(profile)
    for k, share in enumerate(shares):
        amount = value * rate * share
        if switch:
            amount = max(amount, (value - salvage) * share / (years - k))
        if k == len(shares) - 1:
            amount = value - salvage
        amount = min(amount, value - salvage)
        amounts.append(amount)
        value -= amount
    return amounts


def _units_of_production(profile: Profile) -> list[Fraction]:
    base, total = _base(profile), Fraction(profile.total_units)
    amounts, used, done = [], Fraction(0), Fraction(0)
    for units in _units_by_month(profile):
        used += units
        reached = base * min(used, total) / total
        amounts.append(reached - done)
        done = reached
    amounts[-1] += base - done  # the end of the life writes off what usage has not
    return amounts


def _unit_periods(profile: Profile) -> list[int]:
    """The months in each period `units` counts: months, or fiscal years (the first from the
    month of acquisition, the last up to the end of the life)."""
    life = profile.life_months
    if profile.units_period == "month":
        return [1] * life
    first = min(12 - _into_year(profile), life)
    return [first] + [min(12, life - m) for m in range(first, life, 12)]


def _units_by_month(profile: Profile) -> list[Fraction]:
    months = []
    for i, length in enumerate(_unit_periods(profile)):
        units = Fraction(profile.units[i]) if i < len(profile.units) else Fraction(0)
        months += [units / length] * length
    return months


METHOD_AMOUNTS = {
    "straight_line": _straight_line,
    "declining_balance": lambda p: _declining(p, switch=False),
    "double_declining": lambda p: _declining(p, switch=False),
    "declining_then_straight": lambda p: _declining(p, switch=True),
    "sum_of_years": _sum_of_years,
    "units_of_production": _units_of_production,
    "none": lambda p: [Fraction(0)] * len(_years_of_life(p)),
}


# Checks: each refusal says what to send instead.

def _refuse(name: str, message: str):
    raise ValidationFailed(message, {"fields": {name: [message]}})


def _number(name: str, value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        _refuse(name, f"{name} must be a Decimal or a whole number (never a float), "
                      f"not {value!r}.")
    value = Decimal(value)
    if not value.is_finite():
        _refuse(name, f"{name} must be a number, not {value}.")
    return value


def _money(name: str, value) -> Decimal:
    value = _number(name, value)
    if value < 0:
        _refuse(name, f"{name} cannot be negative (it is {value}).")
    if value > MAX_MONEY:
        _refuse(name, f"{name} is at most {MAX_MONEY:,} (it is {value}).")
    if value != value.quantize(CENT):
        _refuse(name, f"{name} is money: give it to the cent at most (such as 1250.50), "
                      f"not {value}.")
    return value.quantize(CENT)


def _check(p: Profile) -> None:
    if p.method not in METHODS:
        _refuse("method", f"Unknown method {p.method!r}: use one of {', '.join(METHODS)}.")
    if p.convention not in CONVENTIONS:
        _refuse("convention",
                f"Unknown convention {p.convention!r}: use one of {', '.join(CONVENTIONS)}.")
    if p.salvage > p.cost:
        _refuse("salvage", f"The salvage value ({p.salvage}) cannot be more than the cost "
                           f"({p.cost}): it is what the asset is still worth at the end.")
    if type(p.life_months) is not int or not 1 <= p.life_months <= MAX_LIFE_MONTHS:
        _refuse("life_months", f"A useful life is a whole number of months from 1 to "
                               f"{MAX_LIFE_MONTHS} (100 years), not {p.life_months!r}.")
    if (factor := p.factor) is not None:
        if factor <= 0:
            _refuse("factor", f"A declining-balance factor is more than 0 (2 is double "
                              f"declining, 1.5 is 150%), not {factor}.")
        if p.method == "double_declining" and factor != 2:
            _refuse("factor", f"double_declining is declining balance at factor 2; for "
                              f"factor {factor} use declining_balance.")
    if type(p.fiscal_year_start) is not int or not 1 <= p.fiscal_year_start <= 12:
        _refuse("fiscal_year_start", f"A fiscal year starts in a month from 1 (January) to "
                                     f"12 (December), not {p.fiscal_year_start!r}.")
    _check_dates(p)
    _check_units(p)


def _check_dates(p: Profile) -> None:
    if not isinstance(p.start, date) or isinstance(p.start, datetime):
        _refuse("start", f"start is a date (such as 2026-04-01), not {p.start!r}.")
    if p.start < EARLIEST.date() or last_day(p) >= LATEST.date():
        _refuse("start", f"The life must lie between {EARLIEST.year} and {LATEST.year}: "
                         f"starting on {p.start}, it would end on {last_day(p)}.")


def _check_units(p: Profile) -> None:
    if p.units_period not in PERIODS:
        _refuse("units_period", f"Units count per 'month' or 'year', not {p.units_period!r}.")
    if any(u < 0 for u in p.units):
        _refuse("units", "Units used in a period cannot be negative.")
    if p.total_units is not None and p.total_units <= 0:
        _refuse("total_units", "total_units is the usage over the whole life: more than 0.")
    if p.method != "units_of_production":
        return
    if p.total_units is None:
        _refuse("total_units", "Units of production needs total_units: the usage the asset "
                               "is expected to give over its whole life.")
    periods = len(_unit_periods(p))
    if len(p.units) > periods:
        _refuse("units", f"units has {len(p.units)} entries but a life of {p.life_months} "
                         f"months has {periods} {p.units_period} periods.")
