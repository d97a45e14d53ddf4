"""How an API call signs in: a valid bearer token alone, or the session with its CSRF token;
never a session that a bearer header of any value waves past the CSRF check."""
import sqlalchemy as sa

from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.models import Event
from tests.factories import make_token, make_user


def signed_in(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def test_a_bearer_header_of_any_value_does_not_wave_a_session_past_csrf(csrf_app):
    client = signed_in(csrf_app, make_user(Role.ADMIN))
    for header in ("Bearer nonsense", "bearer ", "BEARER x"):
        reply = client.post("/api/v1/assets", json={"tag": "C1", "name": "Chair"},
                            headers={"Authorization": header})
        assert reply.status_code == 401, (header, reply.status_code)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_a_valid_token_signs_in_its_own_user_and_the_session_is_not_used(csrf_app):
    session_user, token_user = make_user(Role.ADMIN), make_user(Role.MANAGER)
    client = signed_in(csrf_app, session_user)
    reply = client.post("/api/v1/assets", json={"tag": "C1", "name": "Chair"},
                        headers={"Authorization": f"Bearer {make_token(token_user)}"})
    assert reply.status_code == 201
    assert db.session.scalar(sa.select(Event.actor_id)) == token_user.id
    auditor_token = make_token(make_user(Role.AUDITOR))
    refused = client.post("/api/v1/assets", json={"tag": "C2", "name": "Desk"},
                          headers={"Authorization": f"Bearer {auditor_token}"})
    assert refused.status_code == 403  # the token's role, not the admin session's


def test_an_unauthenticated_api_write_is_a_401_not_a_csrf_failure(csrf_app):
    reply = csrf_app.test_client().post("/api/v1/assets", json={"tag": "C1", "name": "Chair"})
    assert reply.status_code == 401 and reply.json["error"]["code"] == "unauthorized"


def test_a_session_write_still_needs_the_csrf_header(csrf_app):
    client = signed_in(csrf_app, make_user(Role.ADMIN))
    refused = client.post("/api/v1/assets", json={"tag": "C1", "name": "Chair"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    token = client.get("/api/v1/session").json["csrf_token"]
    ok = client.post("/api/v1/assets", json={"tag": "C1", "name": "Chair"},
                     headers={"X-CSRFToken": token})
    assert ok.status_code == 201
