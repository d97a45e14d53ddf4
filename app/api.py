"""Helpers every /api/v1 blueprint shares: reading JSON bodies and query arguments."""
from flask import request
from marshmallow import Schema, ValidationError, fields

from app import inputs
from app.dbtypes import MAX_INT
from app.errors import BadRequest, ValidationFailed
from app.extensions import db
from app.timeutil import EARLIEST, LATEST, parse_datetime


class Moment(fields.Field):
    """An ISO 8601 time from a client, read as naive UTC (timeutil.parse_datetime): offsets
    at the calendar's edges are refused, not an overflow."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_datetime(value)
        except (TypeError, ValueError, AttributeError):
            raise ValidationError(f"Give a time such as 2026-12-03T09:30:00Z, between "
                                  f"{EARLIEST.year} and {LATEST.year}.") from None


def documented(body):
    """Name what a view reads (a marshmallow schema, "PUT" for raw bytes, or "multipart")
    for the OpenAPI spec. Put it under @requires, which keeps the mark."""
    def mark(view):
        view.body_schema = body
        return view
    return mark


def json_body(*, checked_later: bool = False) -> dict:
    """The request's JSON object, or a clear 400/415-style refusal. Values the databases
    cannot hold are refused too (app.inputs), unless the caller checks part by part."""
    if not request.is_json:
        raise BadRequest("Send a JSON object with 'Content-Type: application/json'.",
                         {"content_type": request.content_type})
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # the parser's own limit, far past inputs.MAX_DEPTH
        raise BadRequest("The request body is nested too deeply.", {"body": "too deep"}) from None
    if body is None:
        raise BadRequest("The request body is not valid JSON.", {"body": "malformed"})
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", {"body": "not an object"})
    reason = None if checked_later else inputs.problem(body)
    if reason:
        raise BadRequest(f"The request body cannot be taken: {reason}.", {"body": reason})
    return body


def load(schema: Schema, data: dict, **kwargs) -> dict:
    try:
        return schema.load(data, **kwargs)
    except ValidationError as exc:
        messages = exc.normalized_messages()
        name, text = first_problem(messages)
        raise ValidationFailed(f"{name}: {text}", {"fields": messages}) from None


def first_problem(messages: dict, path: tuple = ()) -> tuple[str, str]:
    """The first field refused, by its path ("lines.0.units"), and why."""
    name, problem = next(iter(messages.items()))
    path = (*path, str(name))
    if isinstance(problem, dict) and problem:
        return first_problem(problem, path)
    if isinstance(problem, list) and problem and isinstance(problem[0], str):
        return ".".join(path), problem[0]
    return ".".join(path), "is not valid"


def whole_number(text, high: int = MAX_INT) -> int | None:
    """The number `text` writes in ASCII digits (str.isdigit also takes '²'), up to `high`."""
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= high else None


def int_arg(name: str, default: int, *, low: int = 1, high: int = 10**9) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"'{name}' must be a whole number.", {name: raw}) from None
    if not low <= value <= high:
        raise ValidationFailed(f"'{name}' must be from {low} to {high}.", {name: raw})
    return value


def paged(stmt, as_json) -> dict:
    """One page of what `stmt` selects, as a list endpoint answers: ?page= and ?per_page=
    (up to 200), each row by `as_json`, the total and whether there are more."""
    page = db.paginate(stmt, page=int_arg("page", 1), per_page=int_arg("per_page", 50, high=200),
                       error_out=False, count=True)
    return {"items": [as_json(row) for row in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total, "more": page.has_next}


def page_arg(high: int = 100_000) -> int:
    """The `page` a list page shows: a page number of junk or out of range shows the nearest
    page, as a link from an old bookmark should."""
    number = whole_number(request.args.get("page", ""), high=10**18)
    return min(max(number or 1, 1), high)
