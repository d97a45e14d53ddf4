"""User administration: accounts, roles and API tokens."""
import re

import sqlalchemy as sa

from app.auth.models import ApiToken, User, hash_token
from app.auth.roles import Role
from app.extensions import db
from tests.factories import PASSWORD, make_token, make_user


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_users_list_shows_roles_and_token_counts(app, login):
    tech = make_user(Role.TECHNICIAN, email="tech@example.org", name="Tess")
    make_token(tech)
    make_token(tech)
    html = login(Role.ADMIN).get("/admin/users/").get_data(as_text=True)
    assert "tech@example.org" in html and "Tess" in html and "technician" in html
    assert "2 active" in html


def test_create_user_writes_a_hashed_password(app, login):
    reply = login(Role.ADMIN).post("/admin/users/new", data={
        "email": "New@Example.org", "name": "Nia", "role": "manager",
        "password": "long enough", "active": "y"})
    assert reply.status_code == 302 and reply.location.endswith("/admin/users/")
    user = _user("new@example.org")
    assert (user.name, user.role, user.active) == ("Nia", Role.MANAGER, True)
    assert user.password_hash != "long enough" and user.check_password("long enough")


def test_create_user_refuses_short_passwords_duplicates_and_long_fields(app, login):
    make_user(email="taken@example.org")
    client = login(Role.ADMIN)
    before = _count(User)
    reply = client.post("/admin/users/new", data={
        "email": "short@example.org", "role": "auditor", "password": "short"})
    assert reply.status_code == 422
    assert b"A password needs 8 to 200 characters." in reply.data
    reply = client.post("/admin/users/new", data={
        "email": "taken@example.org", "role": "auditor", "password": "long enough"})
    assert reply.status_code == 422
    assert b"There is already a user taken@example.org." in reply.data
    reply = client.post("/admin/users/new", data={
        "email": "a@example.org", "name": "n" * 201, "role": "auditor",
        "password": "long enough"})
    assert reply.status_code == 422
    assert b"Field cannot be longer than 200 characters." in reply.data
    reply = client.post("/admin/users/new", data={
        "email": "b@example.org", "role": "overlord", "password": "long enough"})
    assert reply.status_code == 422
    assert _count(User) == before


def test_edit_user_changes_role_active_and_password(app, login):
    user = make_user(Role.TECHNICIAN, email="t@example.org")
    reply = login(Role.ADMIN).post(f"/admin/users/{user.id}/edit", data={
        "name": "Terry", "role": "auditor", "password": "a new password"})
    assert reply.status_code == 302
    user = _user("t@example.org")
    assert (user.name, user.role, user.active) == ("Terry", Role.AUDITOR, False)
    assert user.check_password("a new password")


def test_edit_without_password_keeps_it(app, login):
    user = make_user(Role.TECHNICIAN, email="t@example.org")
    old_hash = user.password_hash
    reply = login(Role.ADMIN).post(f"/admin/users/{user.id}/edit", data={
        "name": "T", "role": "technician", "active": "y", "password": ""})
    assert reply.status_code == 302
    assert _user("t@example.org").password_hash == old_hash


def test_admin_cannot_demote_or_deactivate_themselves(app, login):
    client = login(Role.ADMIN, email="me@example.org")
    me = _user("me@example.org")
    reply = client.post(f"/admin/users/{me.id}/edit",
                        data={"name": "Me", "role": "manager", "active": "y"})
    assert reply.status_code == 422
    assert b"You cannot take away your own admin role" in reply.data
    reply = client.post(f"/admin/users/{me.id}/edit", data={"name": "Me", "role": "admin"})
    assert reply.status_code == 422
    assert b"You cannot deactivate your own account" in reply.data
    me = _user("me@example.org")
    assert (me.role, me.active, me.name) == (Role.ADMIN, True, "")
    reply = client.post(f"/admin/users/{me.id}/edit",
                        data={"name": "Me", "role": "admin", "active": "y"})
    assert reply.status_code == 302 and _user("me@example.org").name == "Me"


def test_only_admins_reach_user_pages(app, login):
    user = make_user(Role.TECHNICIAN)
    for role in (Role.MANAGER, Role.TECHNICIAN, Role.AUDITOR):
        client = login(role)
        assert client.get("/admin/users/").status_code == 403
        assert client.post("/admin/users/new", data={
            "email": "x@example.org", "role": "admin", "password": "long enough"}
        ).status_code == 403
        assert client.post(f"/admin/users/{user.id}/edit",
                           data={"role": "admin", "active": "y"}).status_code == 403
        assert client.post(f"/admin/users/{user.id}/tokens",
                           data={"name": "x"}).status_code == 403
    assert _user("x@example.org") is None and _count(ApiToken) == 0


def test_issued_token_is_shown_once_and_stored_hashed(app, login):
    user = make_user(Role.TECHNICIAN)
    client = login(Role.ADMIN)
    reply = client.post(f"/admin/users/{user.id}/tokens", data={"name": "CMDB sync"})
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    html = reply.get_data(as_text=True)
    plain = re.search(r'<code class="token">([^<]+)</code>', html).group(1)
    assert "shown only this once" in html
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.name == "CMDB sync" and stored.token_hash == hash_token(plain)
    dump = "\n".join(str(row) for row in db.session.execute(sa.text("SELECT * FROM api_token")))
    assert plain not in dump
    again = client.get(f"/admin/users/{user.id}/tokens").get_data(as_text=True)
    assert plain not in again and "CMDB sync" in again and "never" in again
    reply = client.get("/api/v1/assets", headers={"Authorization": f"Bearer {plain}"})
    assert reply.status_code == 200


def test_token_name_is_required_and_bounded(app, login):
    user = make_user()
    client = login(Role.ADMIN)
    assert client.post(f"/admin/users/{user.id}/tokens", data={"name": ""}).status_code == 422
    reply = client.post(f"/admin/users/{user.id}/tokens", data={"name": "n" * 101})
    assert reply.status_code == 422 and b'class="token"' not in reply.data
    assert _count(ApiToken) == 0


def test_revoked_token_gets_401(app, login):
    user = make_user(Role.TECHNICIAN)
    plain = make_token(user)
    headers = {"Authorization": f"Bearer {plain}"}
    assert app.test_client().get("/api/v1/assets", headers=headers).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    reply = login(Role.ADMIN).post(f"/admin/users/{user.id}/tokens/{token.id}/revoke")
    assert reply.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked is True
    reply = app.test_client().get("/api/v1/assets", headers=headers)
    assert reply.status_code == 401 and reply.json["error"]["message"]


def test_revoke_checks_the_token_belongs_to_the_user(app, login):
    owner, other = make_user(), make_user()
    make_token(owner)
    token = db.session.scalar(sa.select(ApiToken))
    reply = login(Role.ADMIN).post(f"/admin/users/{other.id}/tokens/{token.id}/revoke")
    assert reply.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked is False


def _sign_in_status(app, user: User) -> int:
    return app.test_client().post("/auth/login", data={
        "email": user.email, "password": PASSWORD}).status_code


def _lock_out(app, user: User) -> None:
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        app.test_client().post("/auth/login", data={"email": user.email, "password": "wrong"})
    assert _sign_in_status(app, user) == 429


def test_an_admin_sees_a_lock_out_and_unlocks_it(app, login):
    user = make_user(Role.TECHNICIAN, email="t@example.org")
    make_user(Role.TECHNICIAN, email="free@example.org")
    _lock_out(app, user)
    admin = login(Role.ADMIN)
    listing = admin.get("/admin/users/").get_data(as_text=True)
    assert listing.count("locked until") == 1
    page = admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "Sign-in locked until" in page and f'action="/admin/users/{user.id}/unlock"' in page
    reply = admin.post(f"/admin/users/{user.id}/unlock")
    assert reply.status_code == 302
    assert "Sign-in unlocked for t@example.org" in admin.get(reply.location).get_data(as_text=True)
    assert "locked until" not in admin.get("/admin/users/").get_data(as_text=True)
    assert _sign_in_status(app, user) == 302


def test_unlock_from_the_command_line(app):
    user = make_user(Role.TECHNICIAN, email="t@example.org")
    _lock_out(app, user)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "unlock", "T@example.org"])
    assert result.exit_code == 0 and "Sign-in unlocked for t@example.org" in result.output
    assert _sign_in_status(app, user) == 302
    result = runner.invoke(args=["users", "unlock", "t@example.org"])
    assert result.exit_code == 0 and "t@example.org was not locked out" in result.output
    result = runner.invoke(args=["users", "unlock", "nobody@example.org"])
    assert result.exit_code == 1 and "There is no user nobody@example.org" in result.output
