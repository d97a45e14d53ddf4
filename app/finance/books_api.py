"""GET /api/v1/assets/<tag>/value (book value on any date, in any book) and
GET /api/v1/reports/depreciation (and .csv): the contracts in design.md "Procure and finance"."""
import csv
import io
from datetime import date

from flask import Blueprint, Response, request

from app.auth.access import requires
from app.auth.roles import Permission
from app.csvsafe import cell
from app.errors import ValidationFailed
from app.finance import books, report
from app.finance.models import DEFAULT_BOOK
from app.timeutil import utcnow

bp = Blueprint("books_api", __name__, url_prefix="/api/v1")


def date_arg(text: str | None) -> date:
    if not text:
        return utcnow().date()
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2199 or len(text.strip()) != 10:
        raise ValidationFailed("as_of is a date such as 2026-12-31.", {"as_of": text[:40]})
    return day


@bp.get("/assets/<tag>/value")
@requires(Permission.VIEW)
def value(tag):
    """What the asset is worth in a book (`book`, default company) at the end of `as_of`
    (default today); money as strings to the cent, and a `note` when it does not
    depreciate."""
    as_of = date_arg(request.args.get("as_of"))
    book = request.args.get("book", DEFAULT_BOOK)
    return books.valuation(books.asset_by_tag(tag), book, as_of).as_json()


def _report() -> report.Report:
    return report.depreciation_report(
        report.fiscal_year_arg(request.args.get("fiscal_year", "")),
        report.group_arg(request.args.get("group", "department")),
        request.args.get("book", DEFAULT_BOOK))


@bp.get("/reports/depreciation")
@requires(Permission.VIEW)
def depreciation_report():
    """Per department or category (`group`) for one fiscal year (`fiscal_year`, named by the
    calendar year it starts in): assets, cost, the year's depreciation, accumulated
    depreciation and book value at the year's end."""
    return _report().as_json()


@bp.get("/reports/depreciation.csv")
@requires(Permission.VIEW)
def depreciation_report_csv():
    """The same report as CSV (cells safe to open in a spreadsheet)."""
    result = _report().as_json()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report.COLUMNS)
    for line in [*result["groups"], result["total"]]:
        writer.writerow([cell(line[name]) for name in report.COLUMNS])
    name = f"depreciation-{result['fiscal_year']}-{result['group']}-{result['book']}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
