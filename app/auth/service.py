"""Signing in (with throttling), and creating users and tokens."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import NOBODY_PASSWORD_HASH, ApiToken, LoginFailure, User, password_matches
from app.auth.roles import Role
from app.errors import DomainError, Duplicate, ValidationFailed
from app.extensions import db
from app.timeutil import utcnow


class Throttled(DomainError):
    status_code = 429
    code = "too_many_attempts"


def authenticate(email: str, password: str, *, address: str) -> User:
    """The active user with these credentials. Raise Throttled after too many recent failures
    for this account or from this address, ValidationFailed on a wrong password."""
    email = email.strip().lower()
    window = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    recent = db.session.scalar(sa.select(sa.func.count(LoginFailure.id)).where(
        LoginFailure.at > window,
        sa.or_(LoginFailure.email == email, LoginFailure.address == address)))
    if recent >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = current_app.config["LOGIN_WINDOW_SECONDS"] // 60
        raise Throttled(f"Too many failed sign-ins. Wait {minutes} minutes and try again.")
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    # One password check whoever asks, so the time taken does not tell who has an account.
    matches = password_matches(user.password_hash if user else NOBODY_PASSWORD_HASH, password)
    if user is None or not user.active or not matches:
        db.session.add(LoginFailure(email=email, address=address))
        db.session.commit()  # the failure must count even though the request fails
        raise ValidationFailed("Wrong e-mail or password.")
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
    return user


def create_user(email: str, *, role: Role, password: str, name: str = "") -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(f"{email!r} is not an e-mail address.", {"email": "invalid"})
    if len(password) < 8:
        raise ValidationFailed("A password needs at least 8 characters.", {"password": "short"})
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Duplicate(f"There is already a user {email}.", {"email": "taken"})
    user = User(email=email, role=role, name=name or email.split("@")[0])
    user.set_password(password)
    db.session.add(user)
    return user


def issue_token(email: str, name: str = "") -> str:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise ValidationFailed(f"There is no user {email}.", {"email": "unknown"})
    _, plain = ApiToken.issue(user, name)
    return plain
