"""Signing in and staying signed in: what a wrong password costs, sessions that end with
sign-out and password changes, API tokens that die with their user."""
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from app.auth import models
from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.extensions import db
from tests.factories import PASSWORD, make_token, make_user


@pytest.fixture
def password_checks(monkeypatch):
    """The passwords the app checked, counted through a thin wrapper round the real check."""
    checked, real = [], models.check_password_hash

    def counted(stored_hash, password):
        checked.append(password)
        return real(stored_hash, password)
    monkeypatch.setattr(models, "check_password_hash", counted)
    return checked


def test_known_unknown_and_inactive_e_mails_each_cost_one_password_check(app, password_checks):
    # Counted, not timed: each answer costs one scrypt check, so timing tells nothing.
    known, inactive = make_user(Role.TECHNICIAN), make_user(Role.TECHNICIAN, active=False)
    for email, password in [(known.email, "wrong"), ("nobody@example.org", PASSWORD),
                            (inactive.email, PASSWORD), (inactive.email, "wrong")]:
        password_checks.clear()
        reply = app.test_client().post("/auth/login",
                                       data={"email": email, "password": password})
        assert reply.status_code == 401 and b"Wrong e-mail or password" in reply.data
        assert password_checks == [password], email


def _sign_in(app, user: User, *, password: str = PASSWORD, remember: bool = False):
    client = app.test_client()
    data = {"email": user.email, "password": password} | ({"remember": "y"} if remember else {})
    reply = client.post("/auth/login", data=data)
    assert reply.status_code == 302, reply.status_code
    return client


def _browser(app, **cookies):
    """A fresh browser holding only these (copied) cookies."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def _signed_in(client) -> bool:
    reply = client.get("/admin/assets/")
    assert reply.status_code in (200, 302)
    return reply.status_code == 200


def _cookies(client) -> tuple[dict, dict]:
    """({"session": ...}, {"remember_token": ...}) copied from a browser."""
    return ({"session": client.get_cookie("session").value},
            {"remember_token": client.get_cookie("remember_token").value})


def test_signing_out_ends_every_session_and_remember_me_cookie_of_the_user(app):
    user = make_user(Role.MANAGER)
    phone = _sign_in(app, user, remember=True)
    session, remember = _cookies(phone)
    assert _signed_in(_browser(app, **session)) and _signed_in(_browser(app, **remember))
    laptop = _sign_in(app, user)
    laptop.post("/auth/logout")
    assert not _signed_in(laptop)
    assert not _signed_in(phone)
    assert not _signed_in(_browser(app, **session))
    assert not _signed_in(_browser(app, **remember))
    assert _signed_in(_sign_in(app, user))  # signing in again works


def test_a_password_change_ends_every_session_and_remember_me_cookie(app, login):
    user = make_user(Role.TECHNICIAN)
    phone = _sign_in(app, user, remember=True)
    session, remember = _cookies(phone)
    reply = login(Role.ADMIN).post(f"/admin/users/{user.id}/edit", data={
        "name": "T", "role": "technician", "active": "y", "password": "a new password"})
    assert reply.status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(_browser(app, **session))
    assert not _signed_in(_browser(app, **remember))
    assert _signed_in(_sign_in(app, user, password="a new password"))


def test_changing_ones_own_password_keeps_only_the_session_that_changed_it(app):
    me = make_user(Role.ADMIN)
    here = _sign_in(app, me)
    elsewhere = _sign_in(app, me, remember=True)
    session, remember = _cookies(elsewhere)
    reply = here.post(f"/admin/users/{me.id}/edit", data={
        "name": "Me", "role": "admin", "active": "y", "password": "a new password"})
    assert reply.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert not _signed_in(_browser(app, **session))
    assert not _signed_in(_browser(app, **remember))


def test_deactivating_a_user_ends_their_sessions_for_good(app, login):
    user = make_user(Role.TECHNICIAN)
    phone = _sign_in(app, user, remember=True)
    session, remember = _cookies(phone)
    admin = login(Role.ADMIN)
    fields = {"name": "T", "role": "technician", "password": ""}
    assert admin.post(f"/admin/users/{user.id}/edit", data=fields).status_code == 302
    assert admin.post(f"/admin/users/{user.id}/edit",
                      data=fields | {"active": "y"}).status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(_browser(app, **session))
    assert not _signed_in(_browser(app, **remember))


def test_a_session_holding_only_a_user_id_does_not_sign_in(app):
    user = make_user(Role.ADMIN)
    client = app.test_client()
    with client.session_transaction() as s:  # the shape sessions had before the tokens
        s["_user_id"] = str(user.id)
        s["_fresh"] = True
    assert not _signed_in(client)


def test_remember_me_lasts_30_days_at_most(app):
    user = make_user(Role.MANAGER)
    reply = app.test_client().post("/auth/login", data={
        "email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = next(c for c in reply.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires <= datetime.now(UTC) + timedelta(days=30, minutes=1)
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_dies_with_its_user_and_never_signs_in_a_later_one(app):
    gone = make_user(Role.ADMIN)
    token = make_token(gone)
    gone_id = gone.id
    # Straight in the database, as a script or a database console would.
    db.session.execute(sa.text('DELETE FROM "user" WHERE id = :id'), {"id": gone_id})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    newcomer = make_user(Role.ADMIN)
    assert newcomer.id != gone_id  # SQLite too: AUTOINCREMENT never hands an id out twice
    reply = app.test_client().get("/api/v1/assets", headers=_bearer(token))
    assert reply.status_code == 401


def test_a_token_older_than_its_user_is_refused(app):
    user = make_user(Role.AUDITOR)
    token = make_token(user)
    assert app.test_client().get("/api/v1/assets", headers=_bearer(token)).status_code == 200
    # As if the token had outlived an earlier user with the same id.
    db.session.execute(sa.update(ApiToken).values(
        created_at=db.session.get(User, user.id).created_at - timedelta(seconds=1)))
    db.session.commit()
    reply = app.test_client().get("/api/v1/assets", headers=_bearer(token))
    assert reply.status_code == 401
