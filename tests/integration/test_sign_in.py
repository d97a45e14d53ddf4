"""Signing in and staying signed in: API tokens that die with their user."""
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import ApiToken, User
from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_token, make_user


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
