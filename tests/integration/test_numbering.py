"""Document numbers come from one helper: PREFIX-YYYY-NNNNNN, counted per prefix and year in
a counter row seeded from the numbers already stored."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import numbering
from app.auth.models import User
from app.certificates.models import Certificate, DisposalBatch
from app.extensions import db
from app.lifecycle import audit
from app.numbering import NumberCounter, next_number
from tests.factories import make_user


def batch(number: str, by: User | None = None) -> DisposalBatch:
    row = DisposalBatch(number=number, vendor="V", vendor_certification="R2",
                        method="recycling", created_by_id=(by or make_user()).id)
    db.session.add(row)
    db.session.flush()
    return row


def counter(prefix: str, year: int) -> int | None:
    row = db.session.get(NumberCounter, (prefix, year))
    return row.last if row else None


def test_numbers_count_up_per_prefix_and_year(app):
    audit.lock_chain()  # as every caller allocates
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000001"
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000002"
    assert next_number(DisposalBatch.number, "DB", 2025) == "DB-2025-000001"
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000003"
    assert next_number(DisposalBatch.number, "DB", 2027) == "DB-2027-000001"
    # Another prefix counts on its own, even one that starts the same.
    assert next_number(DisposalBatch.number, "DBX", 2026) == "DBX-2026-000001"
    assert next_number(DisposalBatch.number, "D", 2026) == "D-2026-000001"
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000004"
    assert (counter("DB", 2026), counter("DB", 2025), counter("DBX", 2026)) == (4, 1, 1)


def test_a_database_numbered_before_the_counters_continues_its_sequence(app):
    batch("DB-2026-000001"), batch("DB-2026-000002"), batch("DB-2025-000007")
    batch("DBX-2026-000041")  # starts the same, sits in the column: not DB's
    assert counter("DB", 2026) is None
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000003"
    assert next_number(DisposalBatch.number, "DB", 2025) == "DB-2025-000008"
    assert next_number(DisposalBatch.number, "DBX", 2026) == "DBX-2026-000042"
    assert next_number(DisposalBatch.number, "D", 2026) == "D-2026-000001"
    # From then on the counter alone says: the column is read once per prefix and year.
    assert counter("DB", 2026) == 3
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000004"


def test_a_rollback_gives_the_number_back(app):
    user = make_user()  # commits: made before the number is taken
    audit.lock_chain()
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000001"
    db.session.commit()
    taken = next_number(DisposalBatch.number, "DB", 2026)
    batch(taken, by=user)
    db.session.rollback()  # the counter moved in the same transaction as the document
    assert next_number(DisposalBatch.number, "DB", 2026) == taken == "DB-2026-000002"


def test_a_rollback_of_the_first_number_forgets_the_counter_too(app):
    batch("DB-2026-000005")
    db.session.commit()
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000006"
    db.session.rollback()
    assert counter("DB", 2026) is None
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000006"


def test_a_counter_another_writer_added_meanwhile_is_counted_on_from(app):
    # Two first numbers at once both find no counter row; the second's insert meets the
    # first's row and adds one to it instead of failing or restarting.
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000001"
    assert db.session.scalar(numbering._first_count("DB", 2026, 1)) == 2
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000003"


def test_certificate_kinds_keep_their_own_sequences(app):
    assert [next_number(Certificate.number, p, 2026) for p in ("DD", "DC", "DBC")] == [
        "DD-2026-000001", "DC-2026-000001", "DBC-2026-000001"]


def test_past_a_million_the_count_grows_a_digit(app):
    batch("DB-2026-999998"), batch("DB-2026-1000000"), batch("DB-2026-999999")
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-1000001"
    batch("DB-2025-999999")
    assert next_number(DisposalBatch.number, "DB", 2025) == "DB-2025-1000000"
    assert next_number(DisposalBatch.number, "DB", 2025) == "DB-2025-1000001"


@pytest.mark.parametrize("prefix", ["", "db", "D%", "D_", "W-O", "TOOLONGPREFIX"])
def test_a_prefix_is_capital_letters(app, prefix):
    with pytest.raises(ValueError, match="prefix"):
        next_number(DisposalBatch.number, prefix, 2026)


def test_the_unique_constraint_is_the_backstop(app):
    batch("DB-2026-000001")
    db.session.commit()
    with pytest.raises(IntegrityError):
        batch("DB-2026-000001")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisposalBatch)) == 1
