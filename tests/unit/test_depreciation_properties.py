"""The depreciation engine's invariants over random assets: never below salvage or zero,
never rising, the periods adding up to cost - salvage to the cent, and book_value() on any
date agreeing with the schedule."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.finance.depreciation import (
    CONVENTIONS,
    METHODS,
    Profile,
    accumulated,
    book_value,
    last_day,
    schedule,
)

CENT = Decimal("0.01")


@st.composite
def profiles(draw) -> Profile:
    cost = draw(st.integers(0, 10**11)) * CENT
    salvage = draw(st.integers(0, int(cost * 100))) * CENT
    method = draw(st.sampled_from(METHODS))
    life = draw(st.integers(1, 360))
    fields = {"cost": cost, "salvage": salvage, "method": method, "life_months": life,
              "start": draw(st.dates(date(1950, 1, 1), date(2150, 12, 31))),
              "convention": draw(st.sampled_from(CONVENTIONS)),
              "fiscal_year_start": draw(st.integers(1, 12))}
    if method in ("declining_balance", "declining_then_straight"):
        fields["factor"] = draw(st.decimals("0.01", "10", places=2))
    if method == "units_of_production":
        fields["units_period"] = draw(st.sampled_from(["month", "year"]))
        periods = len(schedule(Profile(**fields | {"method": "none",
                                                   "convention": "full_month"}),
                               fields["units_period"]))
        fields["units"] = draw(st.lists(st.integers(0, 10**6), max_size=min(periods, 40)))
        fields["total_units"] = draw(st.integers(1, 10**7))
    return Profile(**fields)


@settings(max_examples=150, deadline=None, database=None)
@given(profiles(), st.sampled_from(["month", "year"]), st.integers(0, 10**6))
def test_schedules_keep_the_invariants(p, period, day):
    rows = schedule(p, period)
    expected = Decimal(0) if p.method == "none" else p.cost - p.salvage
    assert sum(r.amount for r in rows) == expected  # exactly, to the cent
    floor = p.cost if p.method == "none" else p.salvage
    values = [p.cost] + [r.book_value for r in rows]
    assert all(v >= floor >= 0 for v in values)
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))  # never rising
    assert all(r.amount >= 0 and r.amount.as_tuple().exponent == -2 for r in rows)
    assert rows[0].start == p.start and rows[-1].end >= last_day(p)
    assert all(a.end + timedelta(days=1) == b.start for a, b in zip(rows, rows[1:],
                                                                    strict=False))
    for row in rows:
        assert book_value(p, row.end) == row.book_value
        assert accumulated(p, row.end) == row.accumulated
    assert book_value(p, p.start - timedelta(days=1)) == p.cost
    assert book_value(p, last_day(p) + timedelta(days=1)) == floor
    # Any date between two period ends has a book value between theirs.
    as_of = p.start + timedelta(days=day % ((rows[-1].end - p.start).days + 1))
    around = [r for r in rows if r.start <= as_of <= r.end][0]
    assert around.book_value <= book_value(p, as_of) <= around.book_value + around.amount


@settings(max_examples=50, deadline=None, database=None)
@given(profiles())
def test_months_and_fiscal_years_agree_at_each_year_end(p):
    months = schedule(p, "month")
    for year in schedule(p, "year"):
        assert [m.book_value for m in months if m.end <= year.end][-1] == year.book_value
