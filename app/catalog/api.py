"""GET/POST /api/v1/categories and /api/v1/models: the catalogue as design.md "Procure and
finance" describes it, through the same service functions as the pages."""
from flask import Blueprint, request, url_for
from marshmallow import RAISE, Schema, fields, validate

from app.api import documented, int_arg, json_body, load
from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog import service
from app.catalog.models import AssetModel, Category
from app.dbtypes import MAX_MONEY
from app.errors import Duplicate, ValidationFailed
from app.extensions import db

bp = Blueprint("catalog_api", __name__, url_prefix="/api/v1")


class CategoryIn(Schema):
    class Meta:
        unknown = RAISE

    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    holds_data = fields.Bool(load_default=False)


class ModelIn(Schema):
    class Meta:
        unknown = RAISE

    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    category = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    manufacturer = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    model_number = fields.Str(load_default="", validate=validate.Length(max=100))
    replacement_cost = fields.Decimal(places=2, allow_nan=False, allow_none=True,
                                      validate=validate.Range(
        min=0, max=MAX_MONEY, error=f"A cost is a number from 0 to {MAX_MONEY:,}."))
    useful_life_months = fields.Int(load_default=48, strict=True, validate=validate.Range(
        min=1, max=1200, error="A useful life is from 1 to 1,200 months."))
    warranty_months = fields.Int(strict=True, allow_none=True, validate=validate.Range(
        min=0, max=1200, error="A warranty is from 0 to 1,200 months."))


def category_json(category: Category) -> dict:
    return {"id": category.id, "name": category.name, "holds_data": category.holds_data}


def model_json(model: AssetModel) -> dict:
    cost = model.replacement_cost
    return {"id": model.id, "name": model.name, "category": model.category.name,
            "manufacturer": model.manufacturer, "model_number": model.model_number,
            "replacement_cost": None if cost is None else f"{cost:.2f}",
            "useful_life_months": model.useful_life_months,
            "warranty_months": model.warranty_months}


def _page(query, as_json) -> dict:
    page = db.paginate(query, page=int_arg("page", 1),
                       per_page=int_arg("per_page", 50, high=200), error_out=False, count=True)
    return {"items": [as_json(row) for row in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total, "more": page.has_next}


def _refused_as_invalid(exc: Duplicate):
    # A name taken is bad input like any other here: 422, as the contract's clients expect.
    return ValidationFailed(exc.message, exc.details)


@bp.get("/categories")
@requires(Permission.VIEW)
def categories():
    """Categories by name; `name` keeps those whose name contains it."""
    return _page(service.category_query(request.args.get("name", "")[:100]), category_json)


@bp.post("/categories")
@requires(Permission.MANAGE)
@documented(CategoryIn)
def create_category():
    """Add a category; a name already taken (in any case) is refused."""
    data = load(CategoryIn(), json_body())
    try:
        category = service.create_category(name=data["name"].strip(),
                                           holds_data=data["holds_data"])
    except Duplicate as exc:
        raise _refused_as_invalid(exc) from None
    db.session.commit()
    return category_json(category), 201


@bp.get("/models")
@requires(Permission.VIEW)
def models():
    """Models by name; `name` keeps those whose name contains it, `category` those of one."""
    return _page(service.model_query(request.args.get("name", "")[:200],
                                     request.args.get("category", "")[:100]), model_json)


@bp.post("/models")
@requires(Permission.MANAGE)
@documented(ModelIn)
def create_model():
    """Add a model of a known category; a name already taken is refused."""
    data = load(ModelIn(), json_body())
    category = service.find_category(data["category"])
    try:
        model = service.create_model(
            name=data["name"].strip(), manufacturer=data["manufacturer"].strip(),
            model_number=data["model_number"].strip(), category=category,
            useful_life_months=data["useful_life_months"],
            replacement_cost=data.get("replacement_cost"),
            warranty_months=data.get("warranty_months"))
    except Duplicate as exc:
        raise _refused_as_invalid(exc) from None
    db.session.commit()
    return model_json(model), 201, {"Location": url_for(".models", name=model.name)}
