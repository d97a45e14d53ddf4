"""Catalog admin pages: models and categories."""
import sqlalchemy as sa

from app.auth.roles import Role
from app.catalog import service as catalog
from app.catalog.models import AssetModel, Category
from app.extensions import db
from tests.factories import make_asset, make_model


def _category(name="Laptops", holds_data=True):
    category = catalog.create_category(name=name, holds_data=holds_data)
    db.session.commit()
    return category


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_models_list_shows_fields_and_asset_count(app, login):
    model = make_model("ThinkPad T14")
    make_asset(model=model.name)
    make_asset(model=model.name)
    reply = login(Role.AUDITOR).get("/admin/catalog/models")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert "ThinkPad T14" in html and "Acme" in html and "Laptops" in html
    assert "48 months" in html
    assert "<td>2</td>" in html


def test_create_model_writes_row_and_redirects(app, login):
    category = _category()
    reply = login(Role.MANAGER).post("/admin/catalog/models/new", data={
        "name": "Dell 5440", "manufacturer": "Dell", "model_number": "5440",
        "category": str(category.id), "useful_life_months": "36"})
    assert reply.status_code == 302
    assert reply.location.endswith("/admin/catalog/models")
    model = db.session.scalar(sa.select(AssetModel).where(AssetModel.name == "Dell 5440"))
    assert (model.manufacturer, model.useful_life_months, model.category_id) == (
        "Dell", 36, category.id)


def test_edit_model_changes_it(app, login):
    model = make_model("Old name")
    other = _category("Phones", holds_data=True)
    reply = login(Role.MANAGER).post(f"/admin/catalog/models/{model.id}/edit", data={
        "name": "New name", "manufacturer": "Acme", "model_number": "X2",
        "category": str(other.id), "useful_life_months": "24"})
    assert reply.status_code == 302
    db.session.expire_all()
    model = db.session.get(AssetModel, model.id)
    assert (model.name, model.model_number, model.category.name, model.useful_life_months) == (
        "New name", "X2", "Phones", 24)


def test_duplicate_model_name_is_refused_on_the_form(app, login):
    existing = make_model("Surface 7")
    reply = login(Role.MANAGER).post("/admin/catalog/models/new", data={
        "name": "Surface 7", "manufacturer": "MS", "model_number": "7",
        "category": str(existing.category_id), "useful_life_months": "48"})
    assert reply.status_code == 422
    assert "A model called &#39;Surface 7&#39; already exists." in reply.get_data(as_text=True)
    assert _count(AssetModel) == 1


def test_renaming_a_model_onto_another_is_refused(app, login):
    make_model("Alpha")
    beta = make_model("Beta")
    reply = login(Role.MANAGER).post(f"/admin/catalog/models/{beta.id}/edit", data={
        "name": "alpha", "manufacturer": "Acme", "model_number": "X1",
        "category": str(beta.category_id), "useful_life_months": "48"})
    assert reply.status_code == 422
    assert b"already exists" in reply.data
    db.session.expire_all()
    assert db.session.get(AssetModel, beta.id).name == "Beta"


def test_model_form_rejects_bad_input(app, login):
    category = _category()
    reply = login(Role.MANAGER).post("/admin/catalog/models/new", data={
        "name": "x" * 201, "manufacturer": "Acme", "model_number": "1",
        "category": str(category.id), "useful_life_months": "0"})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert "Field cannot be longer than 200 characters." in html
    assert "Enter 1 to 600 months." in html
    assert _count(AssetModel) == 0


def test_model_needs_a_category(app, login):
    reply = login(Role.MANAGER).post("/admin/catalog/models/new", data={
        "name": "N", "manufacturer": "Acme", "model_number": "1", "category": "0",
        "useful_life_months": "12"})
    assert reply.status_code == 422
    assert b"Choose a category." in reply.data


def test_create_and_edit_category(app, login):
    client = login(Role.MANAGER)
    reply = client.post("/admin/catalog/categories/new",
                        data={"name": "  Servers ", "holds_data": "y"})
    assert reply.status_code == 302
    category = db.session.scalar(sa.select(Category).where(Category.name == "Servers"))
    assert category.holds_data is True
    reply = client.post(f"/admin/catalog/categories/{category.id}/edit",
                        data={"name": "Rack servers"})
    assert reply.status_code == 302
    db.session.expire_all()
    category = db.session.get(Category, category.id)
    assert (category.name, category.holds_data) == ("Rack servers", False)
    assert b"Rack servers" in client.get("/admin/catalog/categories").data


def test_duplicate_and_too_long_category_names(app, login):
    _category("Monitors")
    client = login(Role.ADMIN)
    reply = client.post("/admin/catalog/categories/new", data={"name": "monitors"})
    assert reply.status_code == 422
    assert b"already exists" in reply.data
    reply = client.post("/admin/catalog/categories/new", data={"name": "m" * 101})
    assert reply.status_code == 422
    assert b"Field cannot be longer than 100 characters." in reply.data
    assert _count(Category) == 1


def test_readers_cannot_edit_the_catalog(app, login):
    model = make_model()
    for role in (Role.AUDITOR, Role.TECHNICIAN):
        client = login(role)
        assert client.get("/admin/catalog/models").status_code == 200
        assert client.get("/admin/catalog/models/new").status_code == 403
        assert client.post(f"/admin/catalog/models/{model.id}/edit",
                           data={"name": "Hijack"}).status_code == 403
        assert client.post("/admin/catalog/categories/new",
                           data={"name": "Sneaky"}).status_code == 403
    assert _count(Category) == 1


def test_catalog_pages_need_sign_in(client):
    reply = client.get("/admin/catalog/categories")
    assert reply.status_code == 302 and "/auth/login" in reply.location


def test_names_are_escaped(app, login):
    make_model("<script>alert(1)</script>")
    html = login().get("/admin/catalog/models").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
