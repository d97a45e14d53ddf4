"""POST /api/v1/depreciation/preview: the contract in design.md "Procure and finance"."""
from decimal import Decimal

import pytest

from app.auth.roles import Role

URL = "/api/v1/depreciation/preview"


@pytest.fixture
def auditor(login):
    return login(Role.AUDITOR)  # the least a caller may be: it reads and writes nothing


def body(**fields):
    return {"cost": "1000", "salvage": "100", "method": "straight_line", "life_months": 36,
            "start": "2026-03-15", "convention": "full_month", "fiscal_year_start": 1,
            "period": "month"} | fields


def test_a_monthly_straight_line_schedule(auditor):
    reply = auditor.post(URL, json=body())
    assert reply.status_code == 200
    periods = reply.json["periods"]
    assert len(periods) == 36
    # 900 over 36 months = 25 a month, March 2026 (bought on the 15th) to February 2029.
    assert periods[0] == {"start": "2026-03-15", "end": "2026-03-31", "amount": "25.00",
                          "accumulated": "25.00", "book_value": "975.00"}
    assert periods[1]["start"] == "2026-04-01"
    assert periods[-1] == {"start": "2029-02-01", "end": "2029-02-28", "amount": "25.00",
                           "accumulated": "900.00", "book_value": "100.00"}


def test_money_is_strings_to_the_cent_and_adds_up_exactly(auditor):
    # 1,000 over 7 fiscal years starting in April, by days: no amount is round.
    reply = auditor.post(URL, json=body(cost=1000, salvage=0, life_months=84,
                                        convention="actual_days", fiscal_year_start=4,
                                        period="year", method="sum_of_years"))
    periods = reply.json["periods"]
    money = [p[k] for p in periods for k in ("amount", "accumulated", "book_value")]
    assert all(isinstance(m, str) and len(m.split(".")[1]) == 2 for m in money)
    assert sum(Decimal(p["amount"]) for p in periods) == Decimal("1000.00")
    assert periods[0]["end"] == "2026-03-31" and periods[-1]["book_value"] == "0.00"


def test_declining_balance_units_of_production_and_none(auditor):
    ddb = auditor.post(URL, json=body(method="declining_balance", factor="1.5", salvage=0,
                                      period="year", start="2026-01-01")).json["periods"]
    assert [p["amount"] for p in ddb] == ["500.00", "250.00", "250.00"]  # 50%, then the rest
    units = auditor.post(URL, json=body(method="units_of_production", units=[300, 600],
                                        total_units=900, life_months=24, period="year",
                                        start="2026-01-01")).json["periods"]
    assert [p["amount"] for p in units] == ["300.00", "600.00"]  # 900 x 300/900, x 600/900
    none = auditor.post(URL, json=body(method="none", period="year")).json["periods"]
    assert {p["book_value"] for p in none} == {"1000.00"}


@pytest.mark.parametrize("fields, field, says", [
    ({"salvage": "1200"}, "salvage", "cannot be more than the cost"),
    ({"life_months": 0}, "life_months", "whole number of months from 1 to 1200"),
    ({"method": "declining_balance", "factor": 0}, "factor", "more than 0"),
    ({"fiscal_year_start": 13}, "fiscal_year_start", "from 1 (January) to 12"),
    ({"cost": "-5"}, "cost", "from 0 to"),
    ({"cost": "10.005"}, "cost", "to the cent"),
    ({"method": "units_of_production"}, "total_units", "needs total_units"),
    ({"method": "units_of_production", "total_units": 10, "units": [1, -1]}, "units",
     "units[1] is -1"),
    ({"units": [1, "many"]}, "units", "units[1]: Not a valid number"),
    ({"method": "straight-line"}, "method", "one of straight_line"),
    ({"convention": "monthly"}, "convention", "one of full_month"),
    ({"period": "week"}, "period", "'month' or 'year'"),
    ({"start": "1776-07-04"}, "start", "from 1900"),
    ({"start": "8950-01-01", "life_months": 1200}, "start", "between 1900 and 9000"),
    ({"life_months": 12.5}, "life_months", "integer"),
    ({"book": "tax"}, "book", "Unknown field"),
])
def test_bad_input_is_refused_with_a_message(auditor, fields, field, says):
    reply = auditor.post(URL, json=body(**fields))
    assert reply.status_code == 422, reply.json
    error = reply.json["error"]
    assert error["code"] == "invalid" and says in error["message"]
    assert field in error["details"]["fields"]


def test_a_missing_field_is_named(auditor):
    reply = auditor.post(URL, json={k: v for k, v in body().items() if k != "start"})
    assert reply.status_code == 422 and reply.json["error"]["message"].startswith("start:")


def test_it_needs_a_signed_in_user(client):
    assert client.post(URL, json=body()).status_code == 401
