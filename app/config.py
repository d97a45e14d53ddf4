"""Configuration: safe development defaults, overridden by the environment, then by tests."""
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url(url: str) -> str:
    """Accept a plain postgresql:// URL and pick the installed driver (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _read(path: str | None) -> str:
    return Path(path).read_text().strip() if path else ""


def from_environment() -> dict:
    instance = Path(os.environ.get("TAGTRAIL_INSTANCE_PATH", ROOT / "instance")).resolve()
    env = os.environ.get("TAGTRAIL_ENV", "development")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'tagtrail.db'}"
    return {
        "ENV_NAME": env,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,  # None: made per instance
        # Keys the audit chain (HMAC); kept outside the database, never in it.
        "AUDIT_KEY": os.environ.get("TAGTRAIL_AUDIT_KEY") or _read(
            os.environ.get("TAGTRAIL_AUDIT_KEY_FILE")) or None,
        "SQLALCHEMY_DATABASE_URI": database_url(url),
        "SESSION_COOKIE_SECURE": env == "production",
        "RELEASE": os.environ.get("TAGTRAIL_RELEASE", ""),
        "PUBLIC_URL": os.environ.get("TAGTRAIL_PUBLIC_URL", ""),
        # The hosts this server answers to (Flask refuses others); permanent links may use them.
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")
                          if h.strip()] or None,
        "REMEMBER_COOKIE_SECURE": env == "production",
        **({"APPROVAL_FINANCE_ABOVE": Decimal(os.environ["APPROVAL_FINANCE_ABOVE"])}
           if os.environ.get("APPROVAL_FINANCE_ABOVE") else {}),
    }


class Config:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # Flask-Login's default is a year
    WTF_CSRF_TIME_LIMIT = None  # queued phone actions may replay hours later
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Brotli where the browser takes it, else gzip; files already compressed (photos, PDFs)
    # and the service worker's own files are left as they are.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["application/json", "text/html", "text/css", "text/javascript",
                          "application/javascript", "text/csv", "application/manifest+json"]
    COMPRESS_MIN_SIZE = 1024
    MAX_EVENT_DATA_BYTES = 1024 * 1024
    MAX_FIELD_LENGTH = 10_000
    # Sign-in throttling (app/auth/throttle.py): password checks allowed per window for an
    # account from one address, for an address over all accounts, for an account over all
    # addresses; then a lock-out, doubling each time up to the maximum, forgiven after a
    # quiet LOGIN_FORGIVE_SECONDS.
    LOGIN_MAX_FAILURES = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 20
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_LOCKOUT_SECONDS = 15 * 60
    LOGIN_LOCKOUT_MAX_SECONDS = 24 * 3600
    LOGIN_FORGIVE_SECONDS = 24 * 3600
    DECODE_MAX_BYTES = 10 * 1024 * 1024
    # Formats other than JPEG are decoded whole before they are shrunk (3-4 bytes a pixel);
    # 24 MP keeps every camera photo (12 MP phones, 24 MP cameras) and halves the worst case.
    DECODE_MAX_PIXELS = 24_000_000
    DECODE_WAIT_SECONDS = 5  # for the photo being read to finish, before answering 503 busy
    TAG_PREFIX = "AST-"
    TAG_WIDTH = 6
    ORGANISATION = "Tagtrail demo organisation"
    PER_PAGE = 50
    NOT_SEEN_DAYS = 180  # an asset no one has seen for this long is listed as not seen
    COUNT_LIMIT = 1_000  # list pages count matches up to this, then say "1,000+"
    WITNESS_REQUIRED = True  # a wipe without a witness is refused
    FISCAL_YEAR_START = 1  # the month the organisation's fiscal year starts in (1: January)
    APPROVAL_FINANCE_ABOVE = 5_000  # a request costing more in all needs finance's approval
    LABOUR_HOURLY_RATE = 50  # what an hour of a work order's labour costs, for TCO
