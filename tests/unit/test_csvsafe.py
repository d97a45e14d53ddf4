"""CSV cells that a spreadsheet would run as a formula are kept as text."""
import pytest

from app.csvsafe import cell


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("Laptop", "Laptop"), (None, ""), (3, "3"),
    ("a=b", "a=b")])
def test_cells(value, written):
    assert cell(value) == written
