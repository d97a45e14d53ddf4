"""Users (people who sign in), their API tokens, and sign-in throttling counts."""
import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.roles import Permission, Role, allows
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import utcnow

# Checked when the e-mail has no account, so that every wrong sign-in costs one scrypt check
# and the time taken does not tell which e-mails have accounts. Nobody knows its password.
NOBODY_PASSWORD_HASH = generate_password_hash(secrets.token_urlsafe(32))


def password_matches(stored_hash: str, password: str) -> bool:
    return check_password_hash(stored_hash, password)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    # SQLite's AUTOINCREMENT never hands a deleted user's id to a new one, so nothing kept
    # under that id passes to a stranger (PostgreSQL's sequences never reuse ids anyway).
    __table_args__ = {"sqlite_autoincrement": True}

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    role: so.Mapped[Role] = so.mapped_column(str_enum(Role), default=Role.TECHNICIAN)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # In every session and remember-me cookie (get_id); a new one ends them all. Random, not a
    # counter: a later user who got this id could not match it.
    session_token: so.Mapped[str] = so.mapped_column(sa.String(64), default=new_session_token)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def holds_session(self, token: str) -> bool:
        return hmac.compare_digest(self.session_token.encode(), token.encode())

    def end_sessions(self) -> None:
        """Sign this user out everywhere: every session and remember-me cookie."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt: slow on purpose
        self.end_sessions()  # whoever knew the old password is signed out with it

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    def can(self, permission: Permission) -> bool:
        return self.active and allows(self.role, permission)

    @property
    def is_active(self) -> bool:
        return self.active

    def __str__(self) -> str:
        return self.name or self.email


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                               index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_used_at: so.Mapped[datetime | None]
    revoked: so.Mapped[bool] = so.mapped_column(default=False)

    user: so.Mapped[User] = so.relationship()

    @staticmethod
    def issue(user: User, name: str = "") -> tuple["ApiToken", str]:
        """Make a token for `user`; the plain text is returned once and never stored."""
        plain = "tt_" + secrets.token_urlsafe(32)
        token = ApiToken(user=user, token_hash=hash_token(plain), name=name)
        db.session.add(token)
        return token, plain


class LoginThrottle(db.Model):
    """The sign-in attempts and lock-outs of one key: an account from one address ("pair"),
    an address over all accounts ("address"), or an account over all addresses ("account").
    In the database, so that every worker on every machine counts in the same place (there
    is no Redis in this project yet). See app/auth/throttle.py."""

    email: so.Mapped[str] = so.mapped_column(sa.String(254), primary_key=True)  # "" by address
    address: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)  # "" by account
    scope: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    attempts: so.Mapped[int]  # counted since window_start, before their passwords were checked
    window_start: so.Mapped[datetime]
    last_at: so.Mapped[datetime] = so.mapped_column(index=True)  # the last attempt counted
    locked_until: so.Mapped[datetime | None]
    lockouts: so.Mapped[int]  # lock-outs in a row, for the back-off
