"""The one place that knows about time zones: naive UTC in the database, ISO 8601 at the edges."""
from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_datetime(text: str) -> datetime:
    """Read an ISO 8601 timestamp (offset or Z; naive means UTC) as naive UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def isoformat(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond).isoformat(timespec="seconds") + "Z"
    return value.isoformat()
