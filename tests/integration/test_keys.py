"""Signing keys: never one from the source code; made per instance when none is given."""
import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from app import create_app
from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_user

# The key every install without SECRET_KEY used to sign its sessions with.
OLD_BUILT_IN_KEY = "dev-only-secret-do-not-use-in-production"


def _without_key(config: dict, folder) -> dict:
    return {k: v for k, v in config.items() if k != "SECRET_KEY"} | {"INSTANCE_PATH": str(folder)}


def test_each_instance_makes_its_own_key_once(config, tmp_path):
    first = create_app(_without_key(config, tmp_path / "a"))
    again = create_app(_without_key(config, tmp_path / "a"))
    other = create_app(_without_key(config, tmp_path / "b"))
    key = first.config["SECRET_KEY"]
    assert key == again.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    assert len(key) >= 32 and key != OLD_BUILT_IN_KEY
    stored = tmp_path / "a" / "secret_key"
    assert stored.read_text().strip() == key
    assert stored.stat().st_mode & 0o777 == 0o600  # its owner alone


def test_a_session_signed_with_the_old_built_in_key_signs_nobody_in(config, tmp_path):
    app = create_app(_without_key(config, tmp_path))
    with app.app_context():
        admin = make_user(Role.ADMIN)
        forger = Flask("forger")
        forger.secret_key = OLD_BUILT_IN_KEY
        forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps(
            {"_user_id": admin.get_id(), "_fresh": True})
        client = app.test_client()
        client.set_cookie("session", forged)
        reply = client.get("/admin/users/")
        assert reply.status_code == 302 and "/auth/login" in reply.headers["Location"]
        db.session.remove()
        db.engine.dispose()  # its own pool: close it before the app goes


def test_production_never_makes_a_key_of_its_own(config, tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_without_key(config, tmp_path) | {"ENV_NAME": "production"})
    assert not (tmp_path / "secret_key").exists()
