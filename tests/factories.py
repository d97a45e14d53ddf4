"""Plain functions that make test data through the same services the app uses."""
import itertools

from werkzeug.security import generate_password_hash

from app.assets import service as assets
from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.catalog import service as catalog
from app.extensions import db
from app.org import service as org
from app.org.models import LocationKind

PASSWORD = "correct horse battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD)  # scrypt once, not per test user
_n = itertools.count(1)


def make_user(role: Role = Role.ADMIN, email: str | None = None, **fields) -> User:
    user = User(email=email or f"user{next(_n)}@example.org", role=role,
                password_hash=_PASSWORD_HASH, **fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_token(user: User) -> str:
    _, plain = ApiToken.issue(user, "test")
    db.session.commit()
    return plain


def make_location(code: str | None = None, name: str | None = None, parent=None,
                  kind=LocationKind.ROOM):
    code = code or f"LOC-{next(_n)}"
    location = org.create_location(code=code, name=name or code, kind=kind, parent=parent)
    db.session.commit()
    return location


def make_person(code: str | None = None, name: str = "Pat Doe", **fields):
    person = org.create_person(code=code or f"P{next(_n)}", name=name, **fields)
    db.session.commit()
    return person


def make_model(name: str | None = None, category: str = "Laptops"):
    from app.catalog.models import Category
    found = db.session.query(Category).filter_by(name=category).one_or_none()
    cat = found or catalog.create_category(name=category, holds_data=True)
    model = catalog.create_model(name=name or f"Model {next(_n)}", manufacturer="Acme",
                                 model_number="X1", category=cat)
    db.session.commit()
    return model


def make_asset(actor: User | None = None, **fields):
    """A new asset, registered through the pipeline (so it has its `create` event)."""
    actor = actor or make_user(Role.ADMIN)
    fields.setdefault("tag", f"T{next(_n):05d}")
    fields.setdefault("name", "Laptop")
    if "location" not in fields:
        fields["location"] = make_location().code
    asset = assets.create_asset(fields, actor=actor)
    db.session.commit()
    return asset
