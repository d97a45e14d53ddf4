"""Admin pages for categories and models."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.auth.access import requires
from app.auth.roles import Permission
from app.catalog import service
from app.catalog.forms import CategoryForm, ModelForm
from app.catalog.models import AssetModel, Category
from app.errors import DomainError
from app.extensions import db
from app.forms import form_status, show_error

bp = Blueprint("catalog", __name__, url_prefix="/admin/catalog")


@bp.get("/models")
@requires(Permission.VIEW)
def models():
    return render_template("catalog/models.html", rows=service.models_with_counts())


@bp.route("/models/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def create_model():
    return _model_form(None)


@bp.route("/models/<int:model_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_model(model_id):
    return _model_form(db.get_or_404(AssetModel, model_id))


def _model_form(model: AssetModel | None):
    form = ModelForm(obj=model)
    form.category.choices = [(0, "Choose a category")] + [
        (c.id, c.name) for c in db.session.scalars(sa.select(Category).order_by(Category.name))]
    if model is not None and request.method == "GET":
        form.category.data = model.category_id
    if form.validate_on_submit():
        fields = {name: form[name].data or None if name in service.DETAILS else form[name].data
                  for name in ("name", "manufacturer", "model_number", "useful_life_months",
                               *service.DETAILS)}
        try:
            category = service.get_category(form.category.data)
            if model is None:
                model = service.create_model(category=category, **fields)
            else:
                service.update_model(model, category=category, **fields)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Model {model.name} saved.")
            return redirect(url_for(".models"))
    title = f"Edit {model.name}" if model else "New model"
    return render_template("admin/form.html", form=form, title=title,
                           cancel=url_for(".models")), form_status(form)


@bp.get("/categories")
@requires(Permission.VIEW)
def categories():
    return render_template("catalog/categories.html", rows=service.categories_with_counts())


@bp.route("/categories/new", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def create_category():
    return _category_form(None)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE)
def edit_category(category_id):
    return _category_form(db.get_or_404(Category, category_id))


def _category_form(category: Category | None):
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            if category is None:
                category = service.create_category(name=form.name.data,
                                                   holds_data=form.holds_data.data)
            else:
                service.update_category(category, name=form.name.data,
                                        holds_data=form.holds_data.data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Category {category.name} saved.")
            return redirect(url_for(".categories"))
    title = f"Edit {category.name}" if category else "New category"
    return render_template("admin/form.html", form=form, title=title,
                           cancel=url_for(".categories")), form_status(form)


