"""Reference lookups remembered for the length of a batch: a sync batch or a reconciliation
names the same few places, people and stock-takes again and again."""
from contextlib import contextmanager
from contextvars import ContextVar

_remembered: ContextVar[dict | None] = ContextVar("remembered_lookups", default=None)


@contextmanager
def lookups_remembered():
    """Within this block, remembered() looks each key up once."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def remember(key: tuple, value) -> None:
    """Seed the memo: what a batch read in one query for many keys."""
    seen = _remembered.get()
    if seen is not None:
        seen[key] = value


def remembered(key: tuple, look_up):
    """look_up(), or what it returned before within lookups_remembered()."""
    seen = _remembered.get()
    if seen is None:
        return look_up()
    if key not in seen:
        seen[key] = look_up()
    return seen[key]
