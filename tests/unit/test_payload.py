"""What scanned text could name, before the database is asked."""
import pytest

from app.scanning.payload import parse


@pytest.mark.parametrize(("raw", "text", "code", "is_url"), [
    ("AST-000123", "AST-000123", "AST-000123", False),
    ("  ast-000123 \r\n", "ast-000123", "ast-000123", False),
    ("\x02AST-000123\x03", "AST-000123", "AST-000123", False),
    ("]C0AST-000123\t", "AST-000123", "AST-000123", False),
    ("]Q1https://assets.example.org/t/AST-000123", "https://assets.example.org/t/AST-000123",
     "AST-000123", True),
    ("https://10.0.0.5:5000/t/AST-000123/", "https://10.0.0.5:5000/t/AST-000123/",
     "AST-000123", True),
    ("HTTP://OTHER.HOST/t/AST%2D9", "HTTP://OTHER.HOST/t/AST%2D9", "AST-9", True),
    ("https://shop.example.com/product/123", "https://shop.example.com/product/123", None, True),
    ("https://example.com/t/", "https://example.com/t/", None, True),
    ("ftp://example.com/t/AST-1", "ftp://example.com/t/AST-1", "ftp://example.com/t/AST-1",
     False),
    ("", "", None, False),
    ("\r\n", "", None, False),
    ("4006381333931", "4006381333931", "4006381333931", False),
])
def test_payloads_are_cleaned_and_split(raw, text, code, is_url):
    payload = parse(raw)
    assert (payload.text, payload.code, payload.is_url) == (text, code, is_url)


def test_overlong_payloads_are_cut():
    assert len(parse("A" * 100_000).text) == 2048
