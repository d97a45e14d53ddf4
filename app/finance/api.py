"""POST /api/v1/depreciation/preview: the schedule a depreciation profile gives, computed and
returned; nothing is read from or written to the database."""
from flask import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from app.api import documented, json_body, load
from app.auth.access import requires
from app.auth.roles import Permission
from app.dbtypes import MAX_MONEY
from app.finance import depreciation
from app.finance.depreciation import CONVENTIONS, MAX_LIFE_MONTHS, METHODS, PERIODS, Profile
from app.timeutil import EARLIEST, LATEST, isoformat

bp = Blueprint("finance_api", __name__, url_prefix="/api/v1/depreciation")

MAX_UNITS = 10**12  # any meter's reading over a life fits well inside


def _money(what: str) -> fields.Decimal:
    # No places=: a sub-cent amount is refused by the engine rather than rounded quietly.
    return fields.Decimal(required=True, validate=validate.Range(
        min=0, max=MAX_MONEY, error=f"{what} is an amount from 0 to {MAX_MONEY:,}."))


class PeriodUnits(fields.List):
    """A list of numbers whose item errors say which item: a plain List's reach the caller
    as "units: is not valid" (app.api.load reads the first message of a field)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            if not isinstance(exc.messages, dict):
                raise
            i, problem = next(iter(exc.messages.items()))
            raise ValidationError(f"{attr}[{i}]: {problem[0]}") from None


def _period_units(units: list) -> None:
    # Not a validate.Range on each item: the OpenAPI document takes a Range's bounds inside a
    # list as Decimals, which no JSON schema accepts.
    if len(units) > MAX_LIFE_MONTHS:
        raise ValidationError(f"units lists at most {MAX_LIFE_MONTHS} periods.")
    for i, value in enumerate(units):
        if not 0 <= value <= MAX_UNITS:
            raise ValidationError(f"Units used in a period are from 0 to {MAX_UNITS:,}; "
                                  f"units[{i}] is {value}.")


class PreviewIn(Schema):
    class Meta:
        unknown = RAISE

    cost = _money("The cost")
    salvage = _money("The salvage value")
    method = fields.Str(required=True, validate=validate.OneOf(
        METHODS, error=f"The method is one of {', '.join(METHODS)}."))
    factor = fields.Decimal(validate=validate.Range(
        min=0, min_inclusive=False, max=10,
        error="A declining-balance factor is more than 0 and at most 10 (2 is double "
              "declining, 1.5 is 150%)."))
    life_months = fields.Int(required=True, strict=True, validate=validate.Range(
        min=1, max=MAX_LIFE_MONTHS,
        error=f"A useful life is a whole number of months from 1 to {MAX_LIFE_MONTHS} "
              f"(100 years)."))
    start = fields.Date(required=True, validate=validate.Range(
        min=EARLIEST.date(), max=LATEST.date(), max_inclusive=False,
        error=f"The start is a date from {EARLIEST.year} to {LATEST.year - 1}."))
    convention = fields.Str(required=True, validate=validate.OneOf(
        CONVENTIONS, error=f"The convention is one of {', '.join(CONVENTIONS)}."))
    fiscal_year_start = fields.Int(required=True, strict=True, validate=validate.Range(
        min=1, max=12, error="A fiscal year starts in a month from 1 (January) to 12 "
                             "(December)."))
    period = fields.Str(required=True, validate=validate.OneOf(
        PERIODS, error="The period is 'month' or 'year'."))
    units = PeriodUnits(fields.Decimal(), validate=_period_units)
    total_units = fields.Decimal(validate=validate.Range(
        min=0, min_inclusive=False, max=MAX_UNITS,
        error=f"total_units is more than 0 and at most {MAX_UNITS:,}."))


def _cents(value) -> str:
    return f"{value:.2f}"


@bp.post("/preview")
@requires(Permission.VIEW)
@documented(PreviewIn)
def preview():
    """The depreciation schedule of a profile, period by period (calendar months or fiscal
    years); the amounts add up to cost - salvage exactly."""
    body = load(PreviewIn(), json_body())
    period = body.pop("period")
    profile = Profile(**body, units_period=period)  # the engine refuses what the fields cannot
    return {"periods": [
        {"start": isoformat(row.start), "end": isoformat(row.end), "amount": _cents(row.amount),
         "accumulated": _cents(row.accumulated), "book_value": _cents(row.book_value)}
        for row in depreciation.schedule(profile, period)]}
