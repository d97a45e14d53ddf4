"""Find, create and edit categories and models."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.catalog.models import AssetModel, Category
from app.errors import Duplicate, ValidationFailed
from app.extensions import db
from app.memo import remembered


def find_category(name: str) -> Category:
    category = db.session.scalar(
        sa.select(Category).where(sa.func.lower(Category.name) == name.strip().lower()))
    if category is None:
        raise ValidationFailed(f"There is no category called {name!r}.",
                               {"category": "unknown category"})
    return category


def find_model(name: str) -> AssetModel:
    key = name.strip().lower()
    model = remembered(("model", key), lambda: db.session.scalar(
        sa.select(AssetModel).where(sa.func.lower(AssetModel.name) == key)))
    if model is None:
        raise ValidationFailed(f"There is no model called {name!r}.", {"model": "unknown model"})
    return model


def create_category(*, name: str, holds_data: bool = False) -> Category:
    if _name_taken(Category, name, None):  # find_category matches any case
        raise Duplicate(f"A category called {name!r} already exists.", {"name": "taken"})
    category = Category(name=name, holds_data=holds_data)
    db.session.add(category)
    return category


# A model's optional details (see AssetModel): what replacing one costs, and the warranty an
# asset of it has when nothing else is recorded.
DETAILS = ("replacement_cost", "warranty_months", "warranty_provider", "warranty_usage_limit",
           "warranty_usage_meter")


def create_model(*, name: str, manufacturer: str, model_number: str, category: Category,
                 useful_life_months: int = 48, **details) -> AssetModel:
    if _name_taken(AssetModel, name, None):
        raise Duplicate(f"A model called {name!r} already exists.", {"name": "taken"})
    model = AssetModel(name=name, manufacturer=manufacturer, model_number=model_number,
                       category=category, useful_life_months=useful_life_months)
    _set_details(model, details)
    db.session.add(model)
    return model


def _set_details(model: AssetModel, details: dict) -> None:
    unknown = set(details) - set(DETAILS)
    if unknown:
        raise TypeError(f"not a model's detail: {sorted(unknown)}")
    if details.get("warranty_usage_limit") is not None and not details.get(
            "warranty_usage_meter"):
        raise ValidationFailed("A usage limit needs the meter that counts it (such as "
                               "odometer or hours).", {"warranty_usage_meter": "required"})
    for name in DETAILS:
        setattr(model, name, details.get(name))


def _name_taken(model, name: str, exclude_id: int | None) -> bool:
    query = sa.select(model.id).where(sa.func.lower(model.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def update_category(category: Category, *, name: str, holds_data: bool) -> Category:
    if _name_taken(Category, name, category.id):
        raise Duplicate(f"A category called {name!r} already exists.", {"name": "taken"})
    category.name, category.holds_data = name, holds_data
    return category


def update_model(model: AssetModel, *, name: str, manufacturer: str, model_number: str,
                 category: Category, useful_life_months: int, **details) -> AssetModel:
    if _name_taken(AssetModel, name, model.id):
        raise Duplicate(f"A model called {name!r} already exists.", {"name": "taken"})
    model.name, model.manufacturer, model.model_number = name, manufacturer, model_number
    model.category, model.useful_life_months = category, useful_life_months
    _set_details(model, details)
    return model


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise ValidationFailed("Choose one of the categories.", {"category": "unknown category"})
    return category


def category_query(name: str = "") -> sa.Select:
    """Categories by name, those whose name contains `name` (any case) when given."""
    query = sa.select(Category).order_by(Category.name)
    if name.strip():
        query = query.where(Category.name.icontains(name.strip(), autoescape=True))
    return query


def model_query(name: str = "", category: str = "") -> sa.Select:
    """Models by name, with their category; those whose name contains `name` (any case), and
    of the category called `category`, when given."""
    query = (sa.select(AssetModel).options(so.joinedload(AssetModel.category))
             .order_by(AssetModel.name))
    if name.strip():
        query = query.where(AssetModel.name.icontains(name.strip(), autoescape=True))
    if category.strip():
        query = query.join(AssetModel.category).where(
            sa.func.lower(Category.name) == category.strip().lower())
    return query


def models_with_counts() -> list[tuple[AssetModel, int]]:
    """Every model with how many assets use it (one grouped query)."""
    counts = (sa.select(Asset.model_id, sa.func.count(Asset.id).label("n"))
              .group_by(Asset.model_id).subquery())
    return db.session.execute(
        sa.select(AssetModel, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.model_id == AssetModel.id)
        .options(so.joinedload(AssetModel.category)).order_by(AssetModel.name)).all()


def categories_with_counts() -> list[tuple[Category, int]]:
    """Every category with how many models it has."""
    counts = (sa.select(AssetModel.category_id, sa.func.count(AssetModel.id).label("n"))
              .group_by(AssetModel.category_id).subquery())
    return db.session.execute(
        sa.select(Category, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id).order_by(Category.name)).all()
