"""Document numbers come from one helper: PREFIX-YYYY-NNNNNN, counted per prefix and year."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.certificates.models import Certificate, DisposalBatch
from app.extensions import db
from app.lifecycle import audit
from app.numbering import next_number
from tests.factories import make_user


def batch(number: str) -> DisposalBatch:
    row = DisposalBatch(number=number, vendor="V", vendor_certification="R2",
                        method="recycling", created_by_id=make_user().id)
    db.session.add(row)
    db.session.flush()
    return row


def test_numbers_count_up_per_prefix_and_year(app):
    audit.lock_chain()  # as every caller allocates
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000001"
    batch("DB-2026-000001"), batch("DB-2026-000002"), batch("DB-2025-000007")
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000003"
    assert next_number(DisposalBatch.number, "DB", 2025) == "DB-2025-000008"
    assert next_number(DisposalBatch.number, "DB", 2027) == "DB-2027-000001"
    # Another prefix counts on its own, even one that starts the same or sits in the column.
    batch("DBX-2026-000041")
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-000003"
    assert next_number(DisposalBatch.number, "D", 2026) == "D-2026-000001"
    assert next_number(DisposalBatch.number, "DBX", 2026) == "DBX-2026-000042"


def test_certificate_kinds_keep_their_own_sequences(app):
    assert [next_number(Certificate.number, p, 2026) for p in ("DD", "DC", "DBC")] == [
        "DD-2026-000001", "DC-2026-000001", "DBC-2026-000001"]


def test_past_a_million_the_count_grows_a_digit(app):
    batch("DB-2026-999999")
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-1000000"
    batch("DB-2026-1000000")
    assert next_number(DisposalBatch.number, "DB", 2026) == "DB-2026-1000001"


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
