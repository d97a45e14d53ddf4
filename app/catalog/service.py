"""Find and create categories and models."""
import sqlalchemy as sa

from app.catalog.models import AssetModel, Category
from app.errors import Duplicate, ValidationFailed
from app.extensions import db


def find_category(name: str) -> Category:
    category = db.session.scalar(
        sa.select(Category).where(sa.func.lower(Category.name) == name.strip().lower()))
    if category is None:
        raise ValidationFailed(f"There is no category called {name!r}.",
                               {"category": "unknown category"})
    return category


def find_model(name: str) -> AssetModel:
    model = db.session.scalar(
        sa.select(AssetModel).where(sa.func.lower(AssetModel.name) == name.strip().lower()))
    if model is None:
        raise ValidationFailed(f"There is no model called {name!r}.", {"model": "unknown model"})
    return model


def create_category(*, name: str, holds_data: bool = False) -> Category:
    if db.session.scalar(sa.select(Category.id).where(Category.name == name)):
        raise Duplicate(f"A category called {name!r} already exists.", {"name": "taken"})
    category = Category(name=name, holds_data=holds_data)
    db.session.add(category)
    return category


def create_model(*, name: str, manufacturer: str, model_number: str, category: Category,
                 useful_life_months: int = 48) -> AssetModel:
    if db.session.scalar(sa.select(AssetModel.id).where(AssetModel.name == name)):
        raise Duplicate(f"A model called {name!r} already exists.", {"name": "taken"})
    model = AssetModel(name=name, manufacturer=manufacturer, model_number=model_number,
                       category=category, useful_life_months=useful_life_months)
    db.session.add(model)
    return model
