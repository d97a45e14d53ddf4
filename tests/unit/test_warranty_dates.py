"""Warranty dates and verdicts, worked by hand: both ends of a coverage are covered days, a
usage up to the limit is covered, and month arithmetic clamps to shorter months."""
from datetime import date
from decimal import Decimal

import pytest

from app.warranty.coverage import Coverage, Source, Standing, model_end, months_later, verdict


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
    (date(2026, 3, 15), 12, date(2027, 3, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 1, 15), -13, date(2024, 12, 15)),
])
def test_months_later(day, months, expected):
    assert months_later(day, months) == expected


def test_a_years_warranty_covers_up_to_the_day_before_the_anniversary():
    assert model_end(date(2026, 3, 15), 12) == date(2027, 3, 14)
    assert model_end(date(2026, 1, 31), 1) == date(2026, 2, 27)


CONTRACT = Coverage(Source.CONTRACT, date(2027, 6, 30), date(2026, 7, 1), "Fleetcare",
                    Decimal("100000"), "odometer")


@pytest.mark.parametrize("on, standing", [
    (date(2026, 6, 30), Standing.NOT_STARTED),
    (date(2026, 7, 1), Standing.COVERED),  # its first day
    (date(2027, 6, 30), Standing.COVERED),  # its last day
    (date(2027, 7, 1), Standing.EXPIRED),
])
def test_the_boundary_days(on, standing):
    assert verdict(CONTRACT, on).standing == standing


@pytest.mark.parametrize("usage, standing", [
    (Decimal("99999.99"), Standing.COVERED),
    (Decimal("100000"), Standing.COVERED),  # at the limit: still covered
    (Decimal("100000.01"), Standing.OVER_LIMIT),
])
def test_the_usage_limit(usage, standing):
    assert verdict(CONTRACT, date(2027, 1, 1), usage).standing == standing


def test_the_words_say_what_decided():
    assert verdict(CONTRACT, date(2027, 6, 30)).words == (
        "Covered by Fleetcare until 2027-06-30 (last day), up to 100,000 on the odometer; "
        "no odometer reading is known.")
    assert verdict(CONTRACT, date(2027, 1, 1), Decimal("100500")).words == (
        "Warranty by Fleetcare covers up to 100,000 on the odometer; the asset is at 100,500.")
    assert verdict(CONTRACT, date(2027, 7, 1)).words == "Warranty by Fleetcare ended on 2027-06-30."
    assert verdict(None, date(2027, 7, 1)).standing == Standing.NONE
    assert not verdict(None, date(2027, 7, 1)).covered
