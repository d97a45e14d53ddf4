"""GET/POST /api/v1/categories and /api/v1/models: the contract's shapes, paging and the name
filter, refusals with a message and nothing written, and who may do what."""
import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.catalog.models import AssetModel, Category
from app.extensions import db
from tests.factories import make_model

MODEL = {"name": "ThinkPad T14", "category": "Laptops", "manufacturer": "Lenovo",
         "model_number": "20W0", "replacement_cost": "1250.00", "useful_life_months": 48,
         "warranty_months": 36}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_category_answers_201_with_the_row(login):
    reply = login(Role.MANAGER).post("/api/v1/categories",
                                     json={"name": "Phones", "holds_data": True})
    assert reply.status_code == 201
    assert reply.json == {"id": reply.json["id"], "name": "Phones", "holds_data": True}
    assert db.session.get(Category, reply.json["id"]).holds_data is True


def test_create_model_answers_201_with_the_row(login):
    make_model("Other", category="Laptops")
    reply = login(Role.MANAGER).post("/api/v1/models", json=MODEL)
    assert reply.status_code == 201
    assert reply.json == MODEL | {"id": reply.json["id"]}
    stored = db.session.get(AssetModel, reply.json["id"])
    assert (stored.category.name, str(stored.replacement_cost)) == ("Laptops", "1250.00")


def test_model_number_and_warranty_may_be_left_out(login):
    make_model("Other", category="Laptops")
    body = {k: v for k, v in MODEL.items() if k not in ("model_number", "warranty_months")}
    reply = login(Role.MANAGER).post("/api/v1/models", json=body)
    assert reply.status_code == 201
    assert (reply.json["model_number"], reply.json["warranty_months"]) == ("", None)


def test_lists_are_paged_and_filtered_by_name(login):
    for name in ("Dell 5440", "Dell 7440", "HP 840"):
        make_model(name, category="Laptops")
    make_model("iPhone 15", category="Phones")
    client = login(Role.AUDITOR)
    page = client.get("/api/v1/models?per_page=2").json
    assert ([m["name"] for m in page["items"]], page["total"], page["more"]) == (
        ["Dell 5440", "Dell 7440"], 4, True)
    assert [m["name"] for m in client.get("/api/v1/models?name=dell").json["items"]] == [
        "Dell 5440", "Dell 7440"]
    assert [m["name"] for m in client.get("/api/v1/models?category=phones").json["items"]] == [
        "iPhone 15"]
    assert client.get("/api/v1/models?name=%25").json["total"] == 0  # no LIKE wildcard
    categories = client.get("/api/v1/categories?name=PHO").json
    assert [c["name"] for c in categories["items"]] == ["Phones"]
    assert client.get("/api/v1/categories").json["total"] == 2


@pytest.mark.parametrize(("change", "words"), [
    ({"name": "Existing"}, "already exists"),
    ({"name": "existing"}, "already exists"),
    ({"category": "Boats"}, "no category"),
    ({"replacement_cost": "-1.00"}, "replacement_cost"),
    ({"useful_life_months": 0}, "useful_life_months"),
    ({"name": ""}, "name"),
    ({"colour": "red"}, "colour"),
])
def test_bad_models_are_refused_with_a_message_and_nothing_written(login, change, words):
    make_model("Existing", category="Laptops")
    before = _count(AssetModel)
    reply = login(Role.MANAGER).post("/api/v1/models", json=MODEL | change)
    assert reply.status_code == 422, reply.json
    assert words in reply.json["error"]["message"]
    assert _count(AssetModel) == before


def test_a_category_name_taken_in_any_case_is_refused(login):
    make_model("Existing", category="Laptops")
    reply = login(Role.MANAGER).post("/api/v1/categories", json={"name": "LAPTOPS"})
    assert reply.status_code == 422 and "already exists" in reply.json["error"]["message"]
    assert _count(Category) == 1


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.AUDITOR, Role.FINANCE])
def test_only_managers_create_but_everyone_reads(login, role):
    make_model("Existing", category="Laptops")
    client = login(role)
    assert client.post("/api/v1/categories", json={"name": "New"}).status_code == 403
    assert client.post("/api/v1/models", json=MODEL).status_code == 403
    assert client.get("/api/v1/models").status_code == 200
    assert client.get("/api/v1/categories").status_code == 200
    assert _count(Category) == 1
