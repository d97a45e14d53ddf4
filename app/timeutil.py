"""The one place that knows about time zones: naive UTC in the database, ISO 8601 at the edges."""
from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# What a time the server takes may be: wide enough for any asset's history, and far enough
# inside the calendar that converting an offset or stepping back a few minutes never overflows.
EARLIEST, LATEST = datetime(1900, 1, 1), datetime(9000, 1, 1)


def parse_datetime(text: str) -> datetime:
    """Read an ISO 8601 timestamp (offset or Z; naive means UTC) as naive UTC; ValueError for
    anything else, or a time outside EARLIEST..LATEST."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # an offset that takes it past year 1 or 9999
        raise ValueError(f"{text!r} is outside the calendar") from None
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"{text!r} is not between {EARLIEST.year} and {LATEST.year}")
    return value


def isoformat(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond).isoformat(timespec="seconds") + "Z"
    return value.isoformat()
