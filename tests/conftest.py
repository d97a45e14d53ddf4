"""Fixtures: one migrated database per run, a fresh app and empty tables per test."""
from contextlib import contextmanager

import pytest
from flask import g
from flask_login import FlaskLoginClient
from flask_migrate import upgrade

from app import create_app
from app.auth.roles import Role
from app.extensions import db
from tests.database import empty_tables, test_database
from tests.factories import make_user


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with test_database(tmp_path_factory.mktemp("db")) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade()  # the schema the tests use is the one the migrations make
            db.engine.dispose()
        yield url


@pytest.fixture
def config(database_url, tmp_path):
    return {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path)}


@contextmanager
def running(app):
    """An app as a test uses it: in its own context, on empty tables."""
    app.test_client_class = FlaskLoginClient

    @app.teardown_request
    def _forget_user(_exc):
        # Requests reuse the fixture's app context, and with it `g`; in production each
        # request has its own, so Flask-Login's cached user must not leak between them.
        g.pop("_login_user", None)

    with app.app_context():
        empty_tables(db)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(config):
    with running(create_app(config)) as app:
        yield app


@pytest.fixture
def csrf_app(config):
    """The app with CSRF checked, as in production."""
    with running(create_app(config | {"WTF_CSRF_ENABLED": True})) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login(role) -> a test client signed in as a new user with that role."""
    def make(role: Role = Role.ADMIN, **fields):
        return app.test_client(user=make_user(role=role, **fields))
    return make


@pytest.fixture
def api(login):
    """api(role) -> call(method, url, **kw): requests as a new user with that role."""
    def client_for(role: Role = Role.TECHNICIAN):
        client = login(role)
        return lambda method, url, **kw: client.open(url, method=method, **kw)
    return client_for
