"""Signing in (with throttling) and unlocking, and creating users and tokens."""
import sqlalchemy as sa

from app.auth import throttle
from app.auth.models import NOBODY_PASSWORD_HASH, ApiToken, User, password_matches
from app.auth.roles import Role
from app.errors import Duplicate, ValidationFailed
from app.extensions import db


def authenticate(email: str, password: str, *, address: str) -> User:
    """The active user with these credentials. Raise Throttled when the account or address
    has had too many attempts (counted before the password is checked, in a transaction of
    its own), ValidationFailed when the credentials are wrong."""
    email = email.strip().lower()
    counted = throttle.count_attempt(email, address)
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    # One password check whoever asks, so the time taken does not tell who has an account.
    matches = password_matches(user.password_hash if user else NOBODY_PASSWORD_HASH, password)
    if user is None or not user.active or not matches:
        raise ValidationFailed("Wrong e-mail or password.")
    throttle.signed_in(counted)
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


def unlock(email: str) -> bool:
    """Let `email` sign in again from anywhere, forgetting its failed sign-ins and back-off.
    Whether it was locked out."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise ValidationFailed(f"There is no user {email}.", {"email": "unknown"})
    return throttle.unlock(user.email)


def issue_token(email: str, name: str = "") -> str:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise ValidationFailed(f"There is no user {email}.", {"email": "unknown"})
    _, plain = ApiToken.issue(user, name)
    return plain
