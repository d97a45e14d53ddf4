"""Sign-in throttling: each attempt is counted in the database before its password is checked."""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import LoginThrottle
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow

PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"
LIMITS = {PAIR: "LOGIN_MAX_FAILURES", ADDRESS: "LOGIN_MAX_FAILURES_PER_ADDRESS",
          ACCOUNT: "LOGIN_MAX_FAILURES_PER_ACCOUNT"}
SWEEP = 100  # stale rows removed per attempt, so rows for made-up e-mails do not pile up

_t = LoginThrottle.__table__

# Three keys count every attempt: the account from this address (a wrong-password spree locks
# only that pair), the address over all accounts (one password sprayed over many accounts),
# and the account over all addresses, at a higher limit (guessing from many machines). The
# attempt that reaches a key's limit locks the key, for twice as long as its last lock-out
# (15 minutes, doubling, up to a day); a key quiet for a day starts again at the shortest. A
# successful sign-in resets its pair and gives its place back to the other two keys, so
# colleagues behind one office address never add up; an admin can unlock an account.
#
# The counts live in the database, not in this process, so that every worker on every
# machine sees them (there is no Redis in this project yet): one upsert adds one to each key
# and returns the new counts, and it is committed before the slow password check. However
# many attempts arrive at once, only the first `limit` of a window get a check.


class Throttled(DomainError):
    code = "too_many_attempts"


@dataclass(frozen=True)
class Counted:
    """One key's count as an attempt left it, to give the place back if it signs in."""

    key: tuple[str, str, str]  # (email, address, scope)
    window_start: datetime
    locked_here: bool


def count_attempt(email: str, address: str, *, at: datetime | None = None) -> list[Counted]:
    """Count one sign-in attempt under its three keys, in a transaction of its own that is
    committed before the password is checked. Raise Throttled, counting nothing, when a key
    is locked."""
    now = at or utcnow()
    with db.engine.begin() as conn:
        rows = conn.execute(_upsert(conn.dialect.name, _keys(email, address[:64]), now)).all()
        refused = [row for row in rows if _locked(row, now)]
        if refused:
            raise _throttled(max(refused, key=lambda row: _until(row)), now)  # rolls back
        counted = []
        for row in sorted(rows, key=_key):
            reaches = row.attempts == _limit(row.scope)
            if reaches:
                conn.execute(sa.update(_t).where(_is(_key(row))).values(
                    locked_until=now + _lockout(row.lockouts), lockouts=_t.c.lockouts + 1))
            counted.append(Counted(_key(row), row.window_start, reaches))
        conn.execute(_sweep(now))
    return counted


def signed_in(counted: list[Counted]) -> None:
    """The attempt signed in: reset its pair, and give its place back to the other keys
    (undoing a lock-out it caused) as long as their window has not started again since."""
    with db.engine.begin() as conn:
        for count in counted:  # in key order, as count_attempt locks them
            if count.key[2] == PAIR:
                conn.execute(sa.delete(_t).where(_is(count.key)))
                continue
            undo = {"attempts": _t.c.attempts - 1}
            if count.locked_here:
                undo |= {"locked_until": None, "lockouts": _t.c.lockouts - 1}
            conn.execute(sa.update(_t).where(_is(count.key), _t.c.attempts > 0,
                                             _t.c.window_start == count.window_start)
                         .values(**undo))


def locked_until(email: str, *, at: datetime | None = None) -> datetime | None:
    """Until when `email` is locked out, from some address or from all; None if it is not."""
    return db.session.scalar(sa.select(sa.func.max(_t.c.locked_until)).where(
        _t.c.email == email, _t.c.scope.in_((PAIR, ACCOUNT)), _t.c.locked_until > (at or utcnow())))


def locked_accounts(*, at: datetime | None = None) -> dict[str, datetime]:
    """{email: locked until} of every account locked out now."""
    return dict(db.session.execute(
        sa.select(_t.c.email, sa.func.max(_t.c.locked_until))
        .where(_t.c.scope.in_((PAIR, ACCOUNT)), _t.c.locked_until > (at or utcnow()))
        .group_by(_t.c.email)).all())


def unlock(email: str) -> bool:
    """Forget the failed sign-ins of `email` from every address, lock-outs and back-off too.
    Whether it was locked."""
    was_locked = locked_until(email) is not None
    db.session.execute(sa.delete(_t).where(_t.c.email == email,
                                           _t.c.scope.in_((PAIR, ACCOUNT))))
    return was_locked


def _keys(email: str, address: str) -> list[tuple[str, str, str]]:
    # Sorted, so that concurrent attempts lock their rows in one order and never deadlock.
    return sorted([(email, address, PAIR), ("", address, ADDRESS), (email, "", ACCOUNT)])


def _upsert(dialect: str, keys, now: datetime):
    """Add one to each key's count in one statement, and return the counts; a locked key is
    left as it is. A window that is over, or a lock-out that ended, starts a new count."""
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    forgive = timedelta(seconds=current_app.config["LOGIN_FORGIVE_SECONDS"])
    moment = sa.literal(now, sa.DateTime())
    locked = sa.and_(_t.c.locked_until.is_not(None), _t.c.locked_until > moment)
    # Not locked, so a lock-out still on the row is one that has ended.
    fresh = sa.or_(_t.c.window_start <= now - window, _t.c.locked_until.is_not(None))
    quiet = sa.func.coalesce(_t.c.locked_until, _t.c.last_at) <= now - forgive
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(_t)
    return (insert.values([
        {"email": email, "address": address, "scope": scope, "attempts": 1,
         "window_start": now, "last_at": now, "lockouts": 0}
        for email, address, scope in keys])
        .on_conflict_do_update(index_elements=[_t.c.email, _t.c.address, _t.c.scope], set_={
            "attempts": sa.case((locked, _t.c.attempts), (fresh, 1), else_=_t.c.attempts + 1),
            "window_start": sa.case((locked, _t.c.window_start), (fresh, moment),
                                    else_=_t.c.window_start),
            "lockouts": sa.case((sa.and_(~locked, fresh, quiet), 0), else_=_t.c.lockouts),
            "locked_until": sa.case((locked, _t.c.locked_until), else_=None),
            "last_at": sa.case((locked, _t.c.last_at), else_=moment)})
        .returning(_t.c.email, _t.c.address, _t.c.scope, _t.c.attempts, _t.c.window_start,
                   _t.c.locked_until, _t.c.lockouts))


def _sweep(now: datetime):
    # Rows quiet for a day and not locked say nothing a missing row would not. SKIP LOCKED
    # (PostgreSQL) never waits on a row another attempt holds.
    forgive = timedelta(seconds=current_app.config["LOGIN_FORGIVE_SECONDS"])
    stale = (sa.select(_t.c.email, _t.c.address, _t.c.scope)
             .where(_t.c.last_at < now - forgive,
                    sa.or_(_t.c.locked_until.is_(None), _t.c.locked_until <= now))
             .limit(SWEEP).with_for_update(skip_locked=True))
    return sa.delete(_t).where(sa.tuple_(_t.c.email, _t.c.address, _t.c.scope).in_(stale))


def _key(row) -> tuple[str, str, str]:
    return row.email, row.address, row.scope


def _is(key):
    return sa.and_(_t.c.email == key[0], _t.c.address == key[1], _t.c.scope == key[2])


def _limit(scope: str) -> int:
    return current_app.config[LIMITS[scope]]


def _locked(row, now: datetime) -> bool:
    # Over the limit without a lock only if the limits were lowered meanwhile.
    return (row.locked_until is not None and row.locked_until > now) \
        or row.attempts > _limit(row.scope)


def _until(row) -> datetime:
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return row.locked_until or row.window_start + window


def _lockout(earlier: int) -> timedelta:
    seconds = current_app.config["LOGIN_LOCKOUT_SECONDS"] * 2 ** min(earlier, 32)
    return timedelta(seconds=min(seconds, current_app.config["LOGIN_LOCKOUT_MAX_SECONDS"]))


def _throttled(row, now: datetime) -> Throttled:
    seconds = max(1, math.ceil((_until(row) - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    wait = f"{minutes} minute{'s' if minutes > 1 else ''}" if minutes < 120 \
        else f"{math.ceil(minutes / 60)} hours"
    if row.scope == ADDRESS:
        message = f"Too many failed sign-ins from this address. Wait {wait} and try again."
    else:
        message = (f"Too many failed sign-ins for this account. Wait {wait} and try again, "
                   "or ask an administrator to unlock your account.")
    return Throttled(message, {"retry_after": seconds})
