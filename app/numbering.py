"""Document numbers: PREFIX-YYYY-NNNNNN (DD-2026-000042, WO-2026-000042), counted per prefix
and year in a counter row. Every numbered document (certificates, disposal batches, work
orders, purchase orders, claims) takes its next number here."""
import re

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db

PREFIX = re.compile(r"[A-Z]{1,8}")  # letters only: no LIKE wildcard, no '-' to confuse a parse


class NumberCounter(db.Model):
    """The last number taken per prefix and year: the next one costs one row, not a scan of
    every document of that year. A prefix belongs to one number column."""

    __tablename__ = "number_counter"

    prefix: so.Mapped[str] = so.mapped_column(sa.String(8), primary_key=True)
    year: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    last: so.Mapped[int]


_t = NumberCounter.__table__


def next_number(column: so.InstrumentedAttribute, prefix: str, year: int) -> str:
    """The next number for `prefix` in `year` of `column`, a model's number column:
    PREFIX-YYYY-000001 first, then one more than the last taken.

    The counter moves in the caller's transaction, so a rollback gives the number back. Its
    row stays locked until the caller commits (callers also hold the audit chain's lock,
    audit.lock_chain()), so two writers never take the same number; the column's unique
    constraint is the backstop should one ever not. The number is the caller's to store."""
    if not PREFIX.fullmatch(prefix):
        raise ValueError(f"A number prefix is one to eight capital letters, not {prefix!r}.")
    start = f"{prefix}-{year:04d}-"
    taken = db.session.scalar(
        sa.update(_t).where(_t.c.prefix == prefix, _t.c.year == year)
        .values(last=_t.c.last + 1).returning(_t.c.last))
    if taken is None:
        taken = db.session.scalar(_first_count(prefix, year, _highest(column, start) + 1))
    return f"{start}{taken:06d}"


def _highest(column: so.InstrumentedAttribute, start: str) -> int:
    """The highest number stored under `start`, 0 if none: a scan, once per prefix and year,
    so that a database numbered before the counters continues its sequence."""
    # Longest first: past 999999 the count grows a digit, and text order alone would put
    # ...-1000000 before ...-999999.
    last = db.session.scalar(sa.select(column).where(column.startswith(start, autoescape=True))
                             .order_by(sa.func.length(column).desc(), column.desc()).limit(1))
    return int(last.removeprefix(start)) if last else 0


def _first_count(prefix: str, year: int, number: int):
    # Should another writer add the row meanwhile, it waits for that one and counts on from it.
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(_t)
    return (insert.values(prefix=prefix, year=year, last=number)
            .on_conflict_do_update(index_elements=[_t.c.prefix, _t.c.year],
                                   set_={"last": _t.c.last + 1})
            .returning(_t.c.last))
