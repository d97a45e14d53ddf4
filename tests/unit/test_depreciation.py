"""The depreciation engine on examples worked by hand (the arithmetic beside each): every
method and convention, a mid-year purchase, the switch to straight line, fiscal years that
start in April, a leap day, a disposal mid-life, and what is refused."""
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from app.errors import ValidationFailed
from app.finance import depreciation
from app.finance.depreciation import Profile, accumulated, book_value, last_day, schedule


def profile(**fields) -> Profile:
    defaults = {"cost": Decimal("12000"), "life_months": 36, "start": date(2026, 1, 1)}
    return Profile(**defaults | fields)


def amounts(p: Profile, period: str = "year") -> list[str]:
    return [str(row.amount) for row in schedule(p, period)]


def test_straight_line_bought_mid_year_with_no_salvage():
    # 12,000 over 36 months = 333.33 a month, from July 2026 (the month of acquisition counts
    # whole): 2026 has 6 months (2,000), 2027 and 2028 have 12 (4,000), 2029 the last 6.
    p = profile(start=date(2026, 7, 15))
    rows = schedule(p, "year")
    assert amounts(p) == ["2000.00", "4000.00", "4000.00", "2000.00"]
    assert (rows[0].start, rows[0].end) == (date(2026, 7, 15), date(2026, 12, 31))
    assert (rows[-1].start, rows[-1].end) == (date(2029, 1, 1), date(2029, 12, 31))
    assert rows[-1].book_value == Decimal("0.00")


def test_rounding_is_on_the_running_total_so_nothing_is_left_over():
    # 1,000 over 3 months: the running totals 333.333, 666.667, 1,000 round to 333.33, 666.67
    # and 1,000.00, so the months take 333.33, 333.34 and 333.33: exactly 1,000.
    p = profile(cost=Decimal("1000"), life_months=3)
    assert amounts(p, "month") == ["333.33", "333.34", "333.33"]
    assert [str(r.accumulated) for r in schedule(p, "month")] == ["333.33", "666.67", "1000.00"]


def test_mid_month_takes_half_a_month_first_and_last():
    # 1,200 over 12 months = 100 a month: January 2026 half (50), February to December whole
    # (11 x 100), January 2027 the other half (50): 13 months, 1,200.
    p = profile(cost=Decimal("1200"), life_months=12, start=date(2026, 1, 20),
                convention="mid_month")
    assert amounts(p, "month") == ["50.00"] + ["100.00"] * 11 + ["50.00"]
    assert last_day(p) == date(2027, 1, 31)


def test_half_year_with_a_fiscal_year_starting_in_april():
    # 10,000 less 1,000 salvage over 5 years = 1,800 a year. Bought 10 May 2026, in the fiscal
    # year 1 April 2026 - 31 March 2027: that year has half a year (900), the next four 1,800,
    # and the half year left runs into a sixth fiscal year (900): 900 + 4 x 1,800 + 900.
    p = profile(cost=Decimal("10000"), salvage=Decimal("1000"), life_months=60,
                start=date(2026, 5, 10), convention="half_year", fiscal_year_start=4)
    rows = schedule(p, "year")
    assert amounts(p) == ["900.00", "1800.00", "1800.00", "1800.00", "1800.00", "900.00"]
    assert [(r.start, r.end) for r in rows[:2]] == [
        (date(2026, 5, 10), date(2027, 3, 31)), (date(2027, 4, 1), date(2028, 3, 31))]
    assert rows[-1].end == date(2032, 3, 31) and rows[-1].book_value == Decimal("1000.00")
    # By month the half year is the fiscal year's second half: nothing May - September,
    # then 150 a month (1,800 / 12) from October.
    assert amounts(p, "month")[:7] == ["0.00"] * 5 + ["150.00", "150.00"]


def test_half_year_bought_late_in_the_year_takes_what_falls_before_in_its_first_month():
    # Bought 15 February 2027, the eleventh month of the April fiscal year: the half year
    # runs from October, before it was owned, so February takes October - February (5 x 150)
    # and March one month more (150): the fiscal year still has its 900.
    p = profile(cost=Decimal("10000"), salvage=Decimal("1000"), life_months=60,
                start=date(2027, 2, 15), convention="half_year", fiscal_year_start=4)
    assert amounts(p, "month")[:3] == ["750.00", "150.00", "150.00"]
    assert amounts(p)[0] == "900.00"


def test_mid_quarter_starts_in_the_middle_of_the_quarter():
    # 4,000 over 48 months = 1,000 a year, 83.33 a month. Bought 20 November 2026, in the
    # fourth quarter (October - December): the life starts mid-November, so 2026 has 1.5
    # months (125), 2027 - 2029 have 1,000, and 2030 the 10.5 months left (875).
    p = profile(cost=Decimal("4000"), life_months=48, start=date(2026, 11, 20),
                convention="mid_quarter")
    assert amounts(p) == ["125.00", "1000.00", "1000.00", "1000.00", "875.00"]


def test_mid_quarter_bought_in_the_quarters_last_month():
    # Bought 5 March 2026 (the first quarter's last month): the life starts mid-February, so
    # March takes 1.5 months (125) and 2026 has 10.5 months (875), the textbook figure.
    p = profile(cost=Decimal("4000"), life_months=48, start=date(2026, 3, 5),
                convention="mid_quarter")
    assert amounts(p, "month")[:2] == ["125.00", "83.33"]
    assert amounts(p)[0] == "875.00"


def test_actual_days_across_february_29():
    # 3,660 over a year from 1 September 2027: the year to 1 September 2028 holds 29 February
    # 2028, so 366 days at 10 a day. 2027 has September - December, 122 days (1,220); 2028
    # the other 244 (2,440); February 2028 has 29 days (290).
    p = profile(cost=Decimal("3660"), life_months=12, start=date(2027, 9, 1),
                convention="actual_days")
    assert amounts(p) == ["1220.00", "2440.00"]
    assert amounts(p, "month")[5] == "290.00"
    # A day counts once it is over: on 29 February 122 + 31 + 29 = 182 days are gone (1,820),
    # on the 28th one fewer.
    assert book_value(p, date(2028, 2, 29)) == Decimal("1840.00")
    assert book_value(p, date(2028, 2, 28)) == Decimal("1850.00")
    assert last_day(p) == date(2028, 8, 31)


def test_actual_days_from_the_middle_of_a_month():
    # 1,000 from 16 March 2026 for a year: 365 days; March has 16 of them (43.84).
    p = profile(cost=Decimal("1000"), life_months=12, start=date(2026, 3, 16),
                convention="actual_days")
    assert amounts(p, "month")[0] == "43.84"  # 1000 * 16 / 365 = 43.835
    assert schedule(p, "month")[-1].end == date(2027, 3, 31)


def test_declining_balance_reaches_salvage_in_the_last_year_of_life():
    # Factor 1.5 over 5 years: 30% of the value at the start of each year. 10,000 -> 3,000
    # (7,000) -> 2,100 (4,900) -> 1,470 (3,430) -> 1,029 (2,401); declining balance would
    # never get to the 1,000 salvage, so the fifth year takes 2,401 - 1,000 = 1,401.
    p = profile(cost=Decimal("10000"), salvage=Decimal("1000"), life_months=60,
                method="declining_balance", factor=Decimal("1.5"))
    assert amounts(p) == ["3000.00", "2100.00", "1470.00", "1029.00", "1401.00"]


def test_double_declining_with_no_salvage():
    # 50% a year over 4 years: 5,000 -> 2,500, 1,250, 625, and the last year the 625 left.
    p = profile(cost=Decimal("5000"), life_months=48, method="double_declining")
    assert amounts(p) == ["2500.00", "1250.00", "625.00", "625.00"]


def test_declining_then_straight_switches_in_year_four():
    # 10,000, no salvage, 5 years, factor 2 (40%). Each year: declining vs straight line on
    # what is left over the years left. 1: 4,000 vs 2,000; 2: 2,400 vs 6,000/4 = 1,500;
    # 3: 1,440 vs 3,600/3 = 1,200; 4: 864 vs 2,160/2 = 1,080 -> switch; 5: 1,080.
    p = profile(cost=Decimal("10000"), life_months=60, method="declining_then_straight")
    assert amounts(p) == ["4000.00", "2400.00", "1440.00", "1080.00", "1080.00"]


def test_sum_of_years_bought_mid_year():
    # 16,000 less 1,000 salvage over 5 years, digits 5+4+3+2+1 = 15: years of life take
    # 5,000, 4,000, 3,000, 2,000, 1,000. Bought in July, each calendar year takes half of two
    # years of life: 2,500; 2,500+2,000; 2,000+1,500; 1,500+1,000; 1,000+500; 500.
    p = profile(cost=Decimal("16000"), salvage=Decimal("1000"), life_months=60,
                start=date(2026, 7, 1), method="sum_of_years")
    assert amounts(p) == ["2500.00", "4500.00", "3500.00", "2500.00", "1500.00", "500.00"]


def test_units_of_production_by_year():
    # 50,000 less 5,000 over 100,000 km = 0.45 a km. 20,000 km (9,000), 30,000 (13,500),
    # 25,000 (11,250); the life ends with 25,000 km not driven, written off then (11,250).
    p = profile(cost=Decimal("50000"), salvage=Decimal("5000"), method="units_of_production",
                units=[Decimal(20000), Decimal(30000), Decimal(25000)],
                total_units=Decimal(100000), units_period="year")
    assert amounts(p) == ["9000.00", "13500.00", "22500.00"]
    # A year's units spread over its months: 20,000 / 12 km x 0.45 = 750 a month.
    assert amounts(p, "month")[:2] == ["750.00", "750.00"]


def test_units_of_production_stops_at_the_total():
    # 60,000 km a year against 100,000 in all: 27,000, then only the 18,000 left.
    p = profile(cost=Decimal("50000"), salvage=Decimal("5000"), life_months=24,
                method="units_of_production", units=[Decimal(60000)] * 2,
                total_units=Decimal(100000), units_period="year")
    assert amounts(p) == ["27000.00", "18000.00"]


def test_units_of_production_by_month_ignores_the_convention():
    # 1,000 over 100 units: 10 a unit; 10, 20 and 30 units, then the 40 not used at the end.
    p = profile(cost=Decimal("1000"), life_months=3, method="units_of_production",
                units=[10, 20, 30], total_units=100, convention="mid_month")
    assert amounts(p, "month") == ["100.00", "200.00", "700.00"]


def test_none_keeps_the_cost():
    p = profile(method="none")
    assert set(amounts(p)) == {"0.00"}
    assert book_value(p, date(2040, 1, 1)) == Decimal("12000.00")


def test_fully_depreciated_asset_stays_at_salvage():
    # 1,200 less 200 over 12 months from January 2026: done at the end of December.
    p = profile(cost=Decimal("1200"), salvage=Decimal("200"), life_months=12)
    assert schedule(p, "month")[-1].end == date(2026, 12, 31)
    for later in (date(2026, 12, 31), date(2027, 6, 30), date(2100, 1, 1), date(9999, 12, 31)):
        assert book_value(p, later) == Decimal("200.00")
        assert accumulated(p, later) == Decimal("1000.00")  # nothing more after the end


def test_book_value_mid_life_for_a_disposal():
    # 10,000 less 1,000 over 60 months from 10 January 2026, sold 20 August 2028: January
    # 2026 - July 2028 have ended, 31 months of 150: 4,650 gone, 5,350 left; August is not
    # over yet, so it does not count.
    p = profile(cost=Decimal("10000"), salvage=Decimal("1000"), life_months=60,
                start=date(2026, 1, 10))
    assert book_value(p, date(2028, 8, 20)) == Decimal("5350.00")
    assert book_value(p, date(2028, 8, 31)) == Decimal("5200.00")  # August over: 32 months
    assert book_value(p, date(2026, 1, 30)) == Decimal("10000.00")  # first month not over
    assert book_value(p, date(2025, 12, 31)) == Decimal("10000.00")  # before it was bought


def test_a_year_or_months_give_the_same_book_value_at_each_year_end():
    p = profile(cost=Decimal("9999.99"), salvage=Decimal("0.01"), life_months=77,
                start=date(2026, 5, 17), method="declining_then_straight",
                convention="mid_quarter", fiscal_year_start=7)
    months = schedule(p, "month")
    for year in schedule(p, "year"):
        assert [m.book_value for m in months if m.end <= year.end][-1] == year.book_value


@pytest.mark.parametrize("fields, says", [
    ({"cost": Decimal("-1")}, "cost cannot be negative"),
    ({"salvage": Decimal("-1")}, "salvage cannot be negative"),
    ({"salvage": Decimal("12000.01")}, "cannot be more than the cost"),
    ({"cost": Decimal("10.005")}, "to the cent"),
    ({"cost": 10.5}, "never a float"),
    ({"life_months": 0}, "months from 1 to 1200"),
    ({"life_months": -12}, "months from 1 to 1200"),
    ({"life_months": 1201}, "months from 1 to 1200"),
    ({"method": "declining_balance", "factor": Decimal(0)}, "more than 0"),
    ({"method": "declining_balance", "factor": Decimal(-2)}, "more than 0"),
    ({"method": "double_declining", "factor": Decimal(3)}, "use declining_balance"),
    ({"fiscal_year_start": 13}, "from 1 \\(January\\) to 12"),
    ({"fiscal_year_start": 0}, "from 1 \\(January\\) to 12"),
    ({"method": "reducing"}, "Unknown method 'reducing': use one of straight_line"),
    ({"convention": "half_month"}, "Unknown convention 'half_month'"),
    ({"method": "units_of_production"}, "needs total_units"),
    ({"method": "units_of_production", "total_units": 0}, "more than 0"),
    ({"method": "units_of_production", "total_units": 10, "units": [1, -1]},
     "cannot be negative"),
    ({"method": "units_of_production", "total_units": 10, "units": [1] * 37},
     "37 entries but a life of 36 months has 36 month periods"),
    ({"start": date(1899, 12, 31)}, "between 1900 and 9000"),
    ({"start": date(8999, 1, 1)}, "between 1900 and 9000"),
])
def test_bad_profiles_are_refused_with_a_reason(fields, says):
    with pytest.raises(ValidationFailed, match=says):
        profile(**fields)


def test_an_unknown_period_is_refused():
    with pytest.raises(ValidationFailed, match="'month' or 'year'"):
        schedule(profile(), "week")


@pytest.mark.parametrize("method", ["straight_line", "declining_balance", "double_declining",
                                    "declining_then_straight", "sum_of_years", "none"])
@pytest.mark.parametrize("convention", ["full_month", "mid_month", "half_year", "mid_quarter",
                                        "actual_days"])
def test_the_fraction_scales_to_any_cost_with_the_same_salvage_percent(method, convention):
    # A profile at cost 100 with salvage p gives the fraction; an asset costing c with salvage
    # c * p / 100 depreciates c * (100 - p) / 100 times it, to the cent, as the engine says.
    unit = Profile(cost=Decimal(100), salvage=Decimal("12.50"), life_months=41,
                   start=date(2025, 5, 20), method=method, convention=convention,
                   fiscal_year_start=4)
    for cost in (Decimal("800.00"), Decimal("1234.56"), Decimal("99999.20")):
        real = Profile(cost=cost, salvage=cost / 8, life_months=41, start=date(2025, 5, 20),
                       method=method, convention=convention, fiscal_year_start=4)
        for day in (date(2025, 5, 19), date(2025, 9, 30), date(2026, 3, 14), date(2029, 1, 1)):
            fraction = depreciation.accrued_fraction(unit, day)
            assert depreciation.cents(Fraction(cost - cost / 8) * fraction) == \
                depreciation.accumulated(real, day)


def test_the_fraction_is_zero_with_nothing_to_depreciate():
    whole = Profile(cost=Decimal(100), salvage=Decimal(100), life_months=12,
                    start=date(2026, 1, 1))
    assert depreciation.accrued_fraction(whole, date(2027, 1, 1)) == 0


def test_starting_another_day_is_the_same_as_a_new_profile():
    base = profile(method="sum_of_years", convention="actual_days", salvage=Decimal(500))
    moved = base.starting(date(2027, 2, 13))
    assert moved == profile(method="sum_of_years", convention="actual_days",
                            salvage=Decimal(500), start=date(2027, 2, 13))
    assert base.start == date(2026, 1, 1)
    with pytest.raises(ValidationFailed):
        base.starting(date(1066, 10, 14))
