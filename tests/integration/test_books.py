"""Books, depreciation profiles, book value on any date and the depreciation report (design.md
"Procure and finance": book value, reports)."""
import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.catalog.models import Category
from app.extensions import db
from app.finance import books, depreciation
from app.finance.models import Book, DepreciationProfile
from app.org import service as org
from tests.factories import make_asset, make_model


@pytest.fixture
def finance(login):
    return login(Role.FINANCE)


@pytest.fixture
def auditor(login):
    return login(Role.AUDITOR)


def profile_form(**fields) -> dict:
    return {"book": "company", "applies_to": "", "asset": "", "method": "straight_line",
            "factor": "", "life_months": "36", "salvage_percent": "10",
            "convention": "full_month", "start_from": "purchase"} | fields


def category_id(name: str = "Laptops") -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.name == name))


def value(client, tag, **args):
    return client.get(f"/api/v1/assets/{tag}/value", query_string=args)


def profiles() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DepreciationProfile))


@pytest.fixture
def laptop():
    model = make_model("Latitude")
    return make_asset(tag="L1", model=model.name, purchase_cost="3600.00",
                      purchase_date="2026-01-10")


def test_resolution_asset_then_model_then_category_then_none(finance, laptop):
    assert value(finance, "L1", as_of="2026-12-31").json["method"] == "none"
    assert "No depreciation profile" in value(finance, "L1").json["note"]
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}", life_months="12", salvage_percent="0"))
    assert value(finance, "L1", as_of="2026-06-30").json["accumulated"] == "1800.00"
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"model:{laptop.model_id}", method="sum_of_years"))
    assert value(finance, "L1", as_of="2026-06-30").json["method"] == "sum_of_years"
    finance.post("/admin/finance/profiles/new", data=profile_form(
        asset="l1", method="double_declining"))
    reply = value(finance, "L1", as_of="2026-06-30").json
    assert reply["method"] == "double_declining"
    # 200% over 3 years: 2/3 of 3,600 in the first year, half of it by the end of June.
    assert reply == {"book": "company", "method": "double_declining", "cost": "3600.00",
                     "accumulated": "1200.00", "book_value": "2400.00",
                     "as_of": "2026-06-30"}
    assert profiles() == 3


def test_two_books_with_different_methods_on_one_asset(finance, laptop):
    assert finance.post("/admin/finance/books", data={"name": "tax"}).status_code == 302
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}", salvage_percent="0"))
    finance.post("/admin/finance/profiles/new", data=profile_form(
        book="tax", asset="L1", method="declining_balance", factor="1.5",
        salvage_percent="0"))
    company = value(finance, "L1", as_of="2026-12-31").json
    tax = value(finance, "L1", as_of="2026-12-31", book="tax").json
    assert (company["method"], company["accumulated"]) == ("straight_line", "1200.00")
    assert (tax["book"], tax["method"], tax["accumulated"]) == ("tax", "declining_balance",
                                                                "1800.00")  # 1.5 / 3 years


def test_book_value_past_future_before_purchase_and_after_the_end(auditor, finance, laptop):
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}"))  # 3,600, salvage 10% = 360, 36 months
    assert value(auditor, "L1", as_of="2025-12-31").json["book_value"] == "3600.00"
    assert value(auditor, "L1", as_of="2026-01-30").json["book_value"] == "3600.00"
    assert value(auditor, "L1", as_of="2026-01-31").json["accumulated"] == "90.00"
    assert value(auditor, "L1", as_of="2027-12-31").json["accumulated"] == "2160.00"
    assert value(auditor, "L1", as_of="2031-01-01").json["book_value"] == "360.00"
    today = value(auditor, "L1").json
    assert today["book"] == "company" and re.fullmatch(r"\d{4}-\d\d-\d\d", today["as_of"])


def test_an_asset_without_a_cost_gets_a_clear_answer(auditor):
    make_asset(tag="NC")
    reply = value(auditor, "NC")
    assert reply.status_code == 200
    assert reply.json["cost"] is None and "No purchase cost" in reply.json["note"]


@pytest.mark.parametrize("args", [{"book": "nope"}, {"as_of": "2026-13-01"},
                                  {"as_of": "yesterday"}, {"as_of": "99999-01-01"}])
def test_an_unknown_book_or_a_bad_date_is_refused(auditor, laptop, args):
    reply = value(auditor, "L1", **args)
    assert reply.status_code == 422
    assert reply.json["error"]["message"]


def test_a_book_value_equals_the_engine_on_the_real_cost(finance, laptop):
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}", method="sum_of_years", salvage_percent="25",
        convention="actual_days", life_months="29"))
    engine = depreciation.Profile(cost=Decimal("3600.00"), salvage=Decimal("900.00"),
                                  life_months=29, start=date(2026, 1, 10),
                                  method="sum_of_years", convention="actual_days")
    for day in ("2026-03-03", "2027-07-19", "2028-05-01"):
        reply = value(finance, "L1", as_of=day).json
        assert Decimal(reply["accumulated"]) == depreciation.accumulated(
            engine, date.fromisoformat(day))


def seed_report(finance):
    for code in ("OPS", "FIN"):
        org.create_department(code=code, name=f"Dept {code}")
    db.session.commit()
    model = make_model("Latitude")
    make_model("Desk", category="Furniture")
    for i, (cost, bought, dept, mod) in enumerate([
            ("1000.01", "2024-03-15", "OPS", model.name), ("2500.55", "2025-07-01", "OPS", None),
            ("999.99", "2026-02-28", "FIN", model.name), ("333.33", "2026-11-30", "FIN", "Desk"),
            ("120.00", "2027-02-01", "FIN", "Desk"), ("77.70", "2025-05-05", None, "Desk")]):
        make_asset(tag=f"R{i}", model=mod, purchase_cost=cost, purchase_date=bought,
                   department=dept, **({} if mod else {"category": "Laptops"}))
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}", method="declining_then_straight",
        factor="1.75", salvage_percent="7.5", convention="mid_quarter", life_months="41"))
    finance.post("/admin/finance/profiles/new", data=profile_form(
        asset="R2", method="sum_of_years", convention="actual_days", salvage_percent="3.33"))
    # Furniture has no profile: it stays at cost.


@pytest.mark.parametrize("group", ["department", "category"])
def test_the_report_is_the_sum_of_the_assets_book_values(finance, group):
    seed_report(finance)
    reply = finance.get("/api/v1/reports/depreciation",
                        query_string={"fiscal_year": 2026, "group": group})
    assert reply.status_code == 200
    report = reply.json
    assert (report["start"], report["end"]) == ("2026-01-01", "2026-12-31")
    total = {"assets": 0, "cost": 0, "depreciation": 0, "written_down": 0, "accumulated": 0,
             "book_value": 0, "gain_or_loss": 0}
    for tag in [f"R{i}" for i in range(6) if i != 4]:  # R4 is bought after the year
        end = value(finance, tag, as_of="2026-12-31").json
        start = value(finance, tag, as_of="2025-12-31").json
        total["assets"] += 1
        total["cost"] += Decimal(end["cost"])
        total["accumulated"] += Decimal(end["accumulated"])
        total["book_value"] += Decimal(end["book_value"])
        total["depreciation"] += Decimal(end["accumulated"]) - Decimal(start["accumulated"])
    assert {k: v if k == "assets" else Decimal(report["total"][k])
            for k, v in report["total"].items() if k != "group"} == total
    assert sum(line["assets"] for line in report["groups"]) == 5
    assert Decimal(report["total"]["depreciation"]) > 0


def test_page_csv_and_json_show_the_same_numbers(finance):
    seed_report(finance)
    args = {"fiscal_year": 2026, "group": "department"}
    data = finance.get("/api/v1/reports/depreciation", query_string=args).json
    rows = list(csv.reader(io.StringIO(finance.get("/api/v1/reports/depreciation.csv",
                                                   query_string=args).text)))
    page = finance.get("/admin/finance/depreciation", query_string=args).text
    cells = [re.findall(r"<td>([^<]*)</td>", row)
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]
    cells = [row for row in cells if row]
    expected = [[str(line[c]) for c in ("group", "assets", "cost", "depreciation",
                                        "written_down", "accumulated", "book_value",
                                        "gain_or_loss")]
                for line in [*data["groups"], data["total"]]]
    assert rows[1:] == expected
    assert cells == expected
    assert [line["group"] for line in data["groups"]] == ["(none)", "Dept FIN", "Dept OPS"]


@pytest.mark.parametrize("args", [{"fiscal_year": "20x6"}, {"fiscal_year": "1066"},
                                  {"fiscal_year": ""}, {"fiscal_year": 2026, "group": "site"},
                                  {"fiscal_year": 2026, "book": "nope"}])
def test_bad_report_inputs_are_refused(auditor, args):
    for url in ("/api/v1/reports/depreciation", "/api/v1/reports/depreciation.csv"):
        reply = auditor.get(url, query_string=args)
        assert reply.status_code == 422 and reply.json["error"]["message"]
    if args["fiscal_year"]:  # the page, left blank, shows this year
        assert auditor.get("/admin/finance/depreciation", query_string=args).status_code == 422


@pytest.mark.parametrize("fields, message", [
    ({"salvage_percent": "120"}, "cannot be more than the cost"),
    ({"life_months": "0"}, "useful life is 1 to"),
    ({"method": "declining_balance", "factor": "0"}, "factor is more than 0"),
    ({"applies_to": ""}, "Choose the category or model"),
    ({"asset": "NOPE"}, "no asset with the tag"),
])
def test_bad_profiles_are_refused_with_a_message_and_nothing_written(finance, laptop, fields,
                                                                     message):
    form = profile_form(applies_to=f"category:{category_id()}") | fields
    reply = finance.post("/admin/finance/profiles/new", data=form)
    assert reply.status_code == 422
    assert message in reply.text
    assert profiles() == 0


def test_a_second_profile_for_the_same_target_is_refused(finance, laptop):
    form = profile_form(applies_to=f"category:{category_id()}")
    assert finance.post("/admin/finance/profiles/new", data=form).status_code == 302
    assert finance.post("/admin/finance/profiles/new", data=form).status_code == 422
    assert profiles() == 1


def test_a_technician_cannot_edit_profiles_or_books(login, finance, laptop):
    tech = login(Role.TECHNICIAN)
    form = profile_form(applies_to=f"category:{category_id()}")
    assert tech.post("/admin/finance/profiles/new", data=form).status_code == 403
    assert tech.post("/admin/finance/books", data={"name": "tax"}).status_code == 403
    assert tech.get("/admin/finance/profiles").status_code == 403
    assert profiles() == 0
    assert db.session.scalar(sa.select(Book.id).where(Book.name == "tax")) is None
    assert value(tech, "L1").status_code == 200  # reading is for everyone


def test_editing_and_removing_a_profile(finance, laptop):
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}"))
    profile = db.session.scalar(sa.select(DepreciationProfile))
    assert finance.get(f"/admin/finance/profiles/{profile.id}/edit").status_code == 200
    finance.post(f"/admin/finance/profiles/{profile.id}/edit", data=profile_form(
        applies_to=f"category:{category_id()}", life_months="12", salvage_percent="0"))
    assert value(finance, "L1", as_of="2026-12-31").json["book_value"] == "0.00"
    assert "category Laptops" in finance.get("/admin/finance/profiles").text
    finance.post(f"/admin/finance/profiles/{profile.id}/delete")
    assert profiles() == 0


def test_first_deployment_starts_the_life_at_the_first_check_out(finance, laptop):
    from app.assets import service
    from tests.factories import make_person
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}", start_from="first_deployment",
        salvage_percent="0"))
    assert value(finance, "L1", as_of="2026-03-31").json["accumulated"] == "300.00"
    person = make_person()
    service.record("L1", "check_out", {"assignee": person.code}, actor=laptop_actor())
    db.session.commit()
    started = books.first_deployment(laptop.id)
    assert started is not None
    assert value(finance, "L1", as_of=started.isoformat()).json["accumulated"] == "0.00"


def laptop_actor():
    from tests.factories import make_user
    return make_user(Role.ADMIN)


def test_the_asset_page_shows_its_schedule_in_each_book_and_as_csv(finance, laptop):
    finance.post("/admin/finance/books", data={"name": "tax"})
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}"))
    page = finance.get("/admin/assets/L1").text
    assert "Depreciation · book company" in page and "Depreciation · book tax" in page
    assert "No depreciation profile applies in this book" in page
    text = finance.get("/admin/finance/assets/L1/schedule.csv").text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["asset", "book"] and len(rows) == 37
    assert rows[-1][-2:] == ["3240.00", "360.00"]


@pytest.mark.parametrize("start_from", ["first_deployment", "in_service"])
def test_the_report_follows_each_start_from(finance, laptop, start_from):
    from app.assets import service
    from tests.factories import make_person, make_user
    finance.post("/admin/finance/profiles/new", data=profile_form(
        applies_to=f"category:{category_id()}", start_from=start_from,
        convention="actual_days"))
    service.record("L1", "check_out", {"assignee": make_person().code},
                   actor=make_user(Role.ADMIN))
    db.session.commit()
    year = date.today().year
    report = finance.get("/api/v1/reports/depreciation",
                         query_string={"fiscal_year": year, "group": "category"}).json
    end = value(finance, "L1", as_of=f"{year}-12-31").json
    assert report["total"]["accumulated"] == end["accumulated"]
    assert report["total"]["book_value"] == end["book_value"]
