"""Signing in and staying signed in: throttling (keys, concurrency, back-off), what a wrong
password costs, sessions that end with sign-out and password changes, API tokens that die
with their user."""
import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from app.auth import models, throttle
from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.extensions import db
from app.timeutil import utcnow
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


def _try(app, email: str, password: str = "wrong", address: str = "10.0.0.1"):
    return app.test_client().post("/auth/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def test_concurrent_sign_ins_get_no_more_password_checks_than_the_limit(
        app, password_checks, monkeypatch):
    email = make_user(Role.TECHNICIAN).email
    passwords = ["wrong"] * 15 + [PASSWORD] + ["wrong"] * 15
    start, others_answered = threading.Barrier(len(passwords)), threading.Event()
    statuses = [None] * len(passwords)
    counted = models.check_password_hash

    def held_on_success(stored_hash, password):
        # A success resets the counter: hold it until every other attempt has its answer,
        # so none can slip in after the reset and the count stays deterministic.
        matches = counted(stored_hash, password)
        if matches:
            others_answered.wait(timeout=120)
        return matches
    monkeypatch.setattr(models, "check_password_hash", held_on_success)

    def attempt(i, password):
        client = app.test_client()  # its own client; each request gets its own app context
        start.wait(timeout=60)
        reply = client.post("/auth/login", data={"email": email, "password": password})
        statuses[i] = reply.status_code

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread, password in zip(threads, passwords, strict=True):
        if password != PASSWORD:
            thread.join(timeout=120)
    others_answered.set()
    for thread in threads:
        thread.join(timeout=120)
    answered = [s for s in statuses if s in (302, 401)]
    assert len(password_checks) <= app.config["LOGIN_MAX_FAILURES"]
    assert len(answered) == len(password_checks)  # an answer only where a password was checked
    assert statuses.count(429) == len(passwords) - len(answered)
    # Still locked, unless the right password was among the first five and reset the count.
    again = _try(app, email, PASSWORD, address="127.0.0.1").status_code
    assert again == (302 if 302 in statuses else 429)


def test_a_wrong_password_spree_locks_only_that_account_from_that_address(app):
    user, neighbour = make_user(Role.TECHNICIAN), make_user(Role.TECHNICIAN)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        reply = _try(app, user.email, address="10.0.0.1")
        assert reply.status_code == 401 and b"Wrong e-mail or password" in reply.data
    locked = _try(app, user.email, PASSWORD, address="10.0.0.1")
    assert locked.status_code == 429 and 840 <= int(locked.headers["Retry-After"]) <= 900
    text = locked.get_data(as_text=True)
    assert "Wait 15 minutes" in text and "ask an administrator to unlock" in text
    assert _try(app, user.email, PASSWORD, address="10.0.0.2").status_code == 302
    assert _try(app, neighbour.email, PASSWORD, address="10.0.0.1").status_code == 302


def test_spraying_one_password_over_many_accounts_locks_the_address(app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3  # 20 by default; fewer checks to wait for
    users = [make_user(Role.AUDITOR) for _ in range(5)]
    for user in users[:3]:
        assert _try(app, user.email, address="10.0.0.1").status_code == 401
    refused = _try(app, users[3].email, PASSWORD, address="10.0.0.1")
    assert refused.status_code == 429 and b"from this address" in refused.data
    assert _try(app, users[4].email, PASSWORD, address="10.0.0.2").status_code == 302


def test_guessing_from_many_addresses_locks_the_account(app):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 4  # 20 by default; fewer checks to wait for
    user = make_user(Role.AUDITOR)
    for n in range(4):
        assert _try(app, user.email, address=f"10.0.1.{n}").status_code == 401
    refused = _try(app, user.email, PASSWORD, address="10.0.2.1")
    assert refused.status_code == 429 and b"ask an administrator to unlock" in refused.data


def test_a_sign_in_resets_its_pair_and_does_not_count_against_its_address(app):
    user = make_user(Role.TECHNICIAN)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert _try(app, user.email).status_code == 401
    assert _try(app, user.email, PASSWORD).status_code == 302  # the fifth attempt
    assert _try(app, user.email).status_code == 401  # the count started again
    # Colleagues behind one office address sign in: the address is not locked by them.
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for colleague in [make_user(Role.TECHNICIAN) for _ in range(3)]:
        assert _try(app, colleague.email, PASSWORD, address="10.9.9.9").status_code == 302
    assert _try(app, user.email, PASSWORD, address="10.9.9.9").status_code == 302


def test_each_lock_out_lasts_twice_as_long_up_to_a_day_and_a_quiet_day_forgives(app):
    at, waits = utcnow(), []
    for _ in range(9):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):  # the last of these locks the pair
            throttle.count_attempt("pat@example.org", "10.0.0.1", at=at)
        with pytest.raises(throttle.Throttled) as refused:
            throttle.count_attempt("pat@example.org", "10.0.0.1", at=at)
        until = throttle.locked_until("pat@example.org", at=at)
        waits.append((until - at) / timedelta(minutes=1))
        assert f"Wait {_spoken(waits[-1])}" in refused.value.message
        at = until  # the lock-out is over
    assert waits == [15, 30, 60, 120, 240, 480, 960, 1440, 1440]
    at += timedelta(days=1)  # quiet for a day
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        throttle.count_attempt("pat@example.org", "10.0.0.1", at=at)
    assert throttle.locked_until("pat@example.org", at=at) - at == timedelta(minutes=15)


def test_rows_quiet_for_a_day_are_swept_away_but_lock_outs_stay(app):
    at = utcnow()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        throttle.count_attempt("locked@example.org", "10.0.0.1", at=at)
    throttle.count_attempt("made-up@example.org", "10.0.0.2", at=at)
    later = at + timedelta(days=1, minutes=1)
    rows = models.LoginThrottle
    db.session.execute(sa.update(rows).where(rows.scope == "pair", rows.address == "10.0.0.1")
                       .values(locked_until=later + timedelta(hours=1)))  # a long lock-out
    db.session.commit()
    throttle.count_attempt("someone@example.org", "10.0.0.3", at=later)
    left = db.session.execute(sa.select(rows.email, rows.address)).all()
    assert sorted(left) == [("", "10.0.0.3"), ("locked@example.org", "10.0.0.1"),
                            ("someone@example.org", ""), ("someone@example.org", "10.0.0.3")]


def _spoken(minutes: float) -> str:
    return f"{minutes:.0f} minutes" if minutes < 120 else f"{minutes / 60:.0f} hours"


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
