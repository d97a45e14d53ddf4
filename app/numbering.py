"""Document numbers: PREFIX-YYYY-NNNNNN (DD-2026-000042, WO-2026-000042), counted per prefix
and year. Every numbered document (certificates, disposal batches, work orders, purchase
orders, claims) takes its next number here."""
import re

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db

PREFIX = re.compile(r"[A-Z]{1,8}")  # letters only: no LIKE wildcard, no '-' to confuse a parse


def next_number(column: so.InstrumentedAttribute, prefix: str, year: int) -> str:
    """The next number for `prefix` in `year` of `column`, a model's number column:
    PREFIX-YYYY-000001 first, then one more than the highest so far.

    Callers allocate under the audit chain's lock (audit.lock_chain()), which serialises every
    writer, so no two of them read the same highest number; the column's unique constraint is
    the backstop should one ever not. The number is the caller's to store in that column."""
    if not PREFIX.fullmatch(prefix):
        raise ValueError(f"A number prefix is one to eight capital letters, not {prefix!r}.")
    start = f"{prefix}-{year:04d}-"
    # Longest first: past 999999 the count grows a digit, and text order alone would put
    # ...-1000000 before ...-999999.
    last = db.session.scalar(sa.select(column).where(column.startswith(start, autoescape=True))
                             .order_by(sa.func.length(column).desc(), column.desc()).limit(1))
    return f"{start}{int(last.removeprefix(start)) + 1 if last else 1:06d}"
