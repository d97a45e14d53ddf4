"""Write-downs, impairments and the gain or loss on disposal (issue 15): worked by hand on a
straight-line laptop (3,600, salvage 10%, 36 months from January 2026: 90 a month) and a desk
(1,200, no salvage, 12 months: 100 a month)."""
import csv
import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from app import trail
from app.assets import service as assets
from app.auth.roles import Role
from app.catalog import service as catalog
from app.errors import DomainError
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_or_raise
from tests.factories import make_asset, make_model, make_user
from tests.integration.test_books import category_id, profile_form, value


@pytest.fixture
def finance(login):
    return login(Role.FINANCE)


@pytest.fixture
def laptop(finance):
    make_asset(tag="L1", model=make_model("Latitude").name, purchase_cost="3600.00",
               purchase_date="2026-01-10")
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}"))
    return "L1"


@pytest.fixture
def desk(finance):
    catalog.create_category(name="Furniture", holds_data=False)
    make_asset(tag="D1", model=make_model("Desk", category="Furniture").name,
               purchase_cost="1200.00", purchase_date="2026-01-10")
    finance.post("/admin/finance/profiles/new", data=profile_form(
        asset="D1", life_months="12", salvage_percent="0"))
    return "D1"


def write_down(client, tag, **fields):
    data = {"book": "company", "kind": "write_down", "amount": "1000.00", "on": "2026-06-30",
            "reason": "Screen damage found at review"} | fields
    return client.post(f"/admin/finance/assets/{tag}/write-down", data=data)


def worth(client, tag, day) -> tuple[str, str, str | None]:
    reply = value(client, tag, as_of=day).json
    return reply["accumulated"], reply["book_value"], reply.get("written_down")


def dispose(tag, proceeds=None, day="2026-07-15"):
    admin = make_user(Role.ADMIN)
    when = datetime.fromisoformat(day)
    apply_or_raise(EventIn("retire", tag, {"reason": "Old"},
                           occurred_at=when.replace(hour=8)), actor=admin)
    data = {"method": "resale"} | ({"residual_value": proceeds} if proceeds else {})
    apply_or_raise(EventIn("dispose", tag, data, occurred_at=when.replace(hour=9)),
                   actor=admin)
    db.session.commit()


def test_a_write_down_mid_life_lowers_the_value_and_depreciation_continues(finance, laptop):
    assert worth(finance, "L1", "2026-06-30") == ("540.00", "3060.00", None)
    reply = write_down(finance, "L1")
    assert reply.status_code == 302
    assert worth(finance, "L1", "2026-06-29") == ("450.00", "3150.00", None)  # May's end
    assert worth(finance, "L1", "2026-06-30") == ("540.00", "2060.00", "1000.00")
    # 90 a month as scheduled: 12 months by the end of the year.
    assert worth(finance, "L1", "2026-12-31") == ("1080.00", "1520.00", "1000.00")
    # Never below salvage (360): 3,240 - 1,000 = 2,240 is all that is left to depreciate,
    # reached in the 25th month (January 2028 would take 2,250).
    assert worth(finance, "L1", "2027-12-31") == ("2160.00", "440.00", "1000.00")
    assert worth(finance, "L1", "2028-01-31") == ("2240.00", "360.00", "1000.00")
    assert worth(finance, "L1", "2030-01-01") == ("2240.00", "360.00", "1000.00")
    event = db.session.scalar(sa.select(Event).where(Event.type == "write_down"))
    assert {k: v for k, v in event.data.items() if k != "effects"} == {
        "book": "company", "kind": "write_down", "amount": "1000.00", "on": "2026-06-30",
        "reason": "Screen damage found at review"}
    # Phones hold no book values: the asset is not sent to them again for it.
    assert not types.REGISTERED["write_down"].changes_catalogue
    assert event.outcome == "applied" and event.asset.tag == "L1"
    assert trail.check().ok


def test_a_write_down_below_salvage_stops_depreciation(finance, laptop):
    write_down(finance, "L1", amount="3000.00")
    assert worth(finance, "L1", "2026-06-30") == ("540.00", "60.00", "3000.00")
    assert worth(finance, "L1", "2027-06-30") == ("540.00", "60.00", "3000.00")
    write_down(finance, "L1", amount="60.00", on="2026-07-31", kind="impairment")
    assert worth(finance, "L1", "2026-12-31") == ("540.00", "0.00", "3060.00")


def test_the_schedule_shows_write_downs(finance, laptop):
    write_down(finance, "L1")
    rows = list(csv.reader(io.StringIO(
        finance.get("/admin/finance/assets/L1/schedule.csv").text)))
    june = next(row for row in rows if row[4] == "2026-06-30")
    assert june[5:] == ["90.00", "1000.00", "540.00", "2060.00"]
    assert rows[-1][-3:] == ["0.00", "2240.00", "360.00"]
    page = finance.get("/admin/assets/L1").text
    assert "Written down: 1000.00 on 2026-06-30." in page
    assert 'id="write-down"' in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"amount": "3060.01"}, "worth 3060.00 in the book company on 2026-06-30"),
    ({"book": "nope"}, "There is no book 'nope'"),
    ({"on": "2025-12-31"}, "on or after the purchase date (2026-01-10)"),
    ({"on": "2099-01-01"}, "cannot be dated in the future"),
    ({"amount": "0"}, "more than 0"),
])
def test_refusals_say_why_and_write_nothing(finance, laptop, fields, message):
    reply = write_down(finance, "L1", **fields)
    assert reply.status_code == 302
    flashed = finance.get("/admin/assets/L1").text
    assert "Not written down" in flashed and message in flashed.replace("&#39;", "'")
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Event.type == "write_down")) == 0


def test_write_downs_go_in_date_order(finance, laptop):
    write_down(finance, "L1", on="2026-06-30", amount="10.00")
    with pytest.raises(DomainError, match="date order"):
        assets.record("L1", "write_down", {"amount": "5.00", "on": "2026-05-31",
                                           "reason": "x"}, actor=make_user(Role.FINANCE))


def test_a_disposed_asset_cannot_be_written_down(finance, desk):
    dispose("D1")
    with pytest.raises(DomainError, match="disposed"):
        assets.record("D1", "write_down", {"amount": "5.00", "on": "2026-06-30",
                                           "reason": "x"}, actor=make_user(Role.FINANCE))
    assert 'id="write-down"' not in finance.get("/admin/assets/D1").text


def test_a_manager_cannot_write_down(login, laptop):
    manager = login(Role.MANAGER)
    assert write_down(manager, "L1").status_code == 403
    with pytest.raises(DomainError, match="A manager may not write down"):
        assets.record("L1", "write_down", {"amount": "5.00", "on": "2026-06-30",
                                           "reason": "x"}, actor=make_user(Role.MANAGER))
    assert 'id="write-down"' not in manager.get("/admin/assets/L1").text


@pytest.mark.parametrize(("proceeds", "gain"), [("750.00", "150.00"), ("400.00", "-200.00"),
                                                (None, "-600.00")])
def test_disposal_gain_or_loss(finance, desk, proceeds, gain):
    dispose("D1", proceeds)  # on 15 July: six months gone, worth 600
    before = value(finance, "D1", as_of="2026-07-14").json
    assert "gain_or_loss" not in before
    after = value(finance, "D1", as_of="2026-12-31").json
    assert after["disposed_on"] == "2026-07-15"
    assert after["proceeds"] == (proceeds or "0.00")
    assert after["gain_or_loss"] == gain
    page = finance.get("/admin/assets/D1").text
    assert "Disposed of on 2026-07-15" in page and f"of {gain.lstrip('-')}" in page
    report = finance.get("/api/v1/reports/depreciation",
                         query_string={"fiscal_year": 2026, "group": "category"}).json
    assert report["total"]["gain_or_loss"] == gain
    assert trail.check().ok


def test_a_written_down_asset_sold_books_against_its_reduced_value(finance, desk):
    # 900 -> 400 at the end of March, then 100 a month as scheduled, down to 0 by July's end.
    write_down(finance, "D1", amount="500.00", on="2026-03-31")
    assert worth(finance, "D1", "2026-06-30") == ("600.00", "100.00", "500.00")
    assert worth(finance, "D1", "2026-07-31") == ("700.00", "0.00", "500.00")
    dispose("D1", "350.00")  # on 15 July, worth 100
    assert value(finance, "D1", as_of="2026-07-31").json["gain_or_loss"] == "250.00"


def test_the_report_shows_the_years_write_downs(finance, laptop, desk):
    write_down(finance, "L1")
    dispose("D1", "750.00")
    args = {"fiscal_year": 2026, "group": "category"}
    data = finance.get("/api/v1/reports/depreciation", query_string=args).json
    lines = {line["group"]: line for line in data["groups"]}
    assert lines["Laptops"] | {"group": "Laptops"} == {
        "group": "Laptops", "assets": 1, "cost": "3600.00", "depreciation": "1080.00",
        "written_down": "1000.00", "accumulated": "1080.00", "book_value": "1520.00",
        "gain_or_loss": "0.00"}
    assert lines["Furniture"]["gain_or_loss"] == "150.00"
    assert value(finance, "L1", as_of="2026-12-31").json["book_value"] == "1520.00"
    # The year after: no write-down in it, the same rule.
    later = finance.get("/api/v1/reports/depreciation",
                        query_string={"fiscal_year": 2027, "group": "category"}).json
    laptops = next(line for line in later["groups"] if line["group"] == "Laptops")
    assert (laptops["written_down"], laptops["depreciation"], laptops["book_value"]) == (
        "0.00", "1080.00", "440.00")
    # Page, CSV and JSON say the same.
    rows = list(csv.reader(io.StringIO(finance.get("/api/v1/reports/depreciation.csv",
                                                   query_string=args).text)))
    page = finance.get("/admin/finance/depreciation", query_string=args).text
    cells = [re.findall(r"<td>([^<]*)</td>", row)
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]
    expected = [[str(line[c]) for c in rows[0]] for line in [*data["groups"], data["total"]]]
    assert rows[1:] == expected and [row for row in cells if row] == expected
