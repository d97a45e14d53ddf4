"""CSV cells a spreadsheet opens as text: one that starts with a formula character (or a tab or
carriage return, which some spreadsheets skip before looking) gets a leading apostrophe."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
