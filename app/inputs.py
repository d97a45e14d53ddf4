"""What every value from outside must be before the app reads it. A NUL character, half of a
UTF-16 surrogate pair, NaN or infinity, or an integer past 64 bits cannot be stored by one
database or the other; nesting deeper than MAX_DEPTH no client needs. Each is refused where
it comes in, with a reason a person can act on, instead of failing later with a 500."""
import math

MAX_DEPTH = 32  # levels of JSON objects and lists in one value
INT_LIMIT = 2**63  # what a BIGINT holds, and so both databases' JSON numbers


def text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "it contains a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "it contains half of a UTF-16 surrogate pair, which is not text"
    return None


def problem(value) -> str | None:
    """Why a parsed JSON value (or a list of strings from a form) cannot be taken, or None.
    Walks without recursion, so a deep value cannot exhaust the stack here either."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            reason = text_problem(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            reason = None if -INT_LIMIT <= item < INT_LIMIT else "a number in it is too large"
        elif isinstance(item, float):
            reason = None if math.isfinite(item) else "a number in it is NaN or infinite"
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return f"it is nested more than {MAX_DEPTH} levels deep"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
            continue
        else:
            reason = None
        if reason:
            return reason
    return None
