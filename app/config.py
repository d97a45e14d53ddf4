"""Configuration: safe development defaults, overridden by the environment, then by tests."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-secret-do-not-use-in-production"


def database_url(url: str) -> str:
    """Accept a plain postgresql:// URL and pick the installed driver (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment() -> dict:
    instance = Path(os.environ.get("TAGTRAIL_INSTANCE_PATH", ROOT / "instance")).resolve()
    env = os.environ.get("TAGTRAIL_ENV", "development")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'tagtrail.db'}"
    return {
        "ENV_NAME": env,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url(url),
        "SESSION_COOKIE_SECURE": env == "production",
        "RELEASE": os.environ.get("TAGTRAIL_RELEASE", ""),
        "PUBLIC_URL": os.environ.get("TAGTRAIL_PUBLIC_URL", ""),
        "REMEMBER_COOKIE_SECURE": env == "production",
    }


class Config:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # queued phone actions may replay hours later
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_EVENT_DATA_BYTES = 1024 * 1024
    MAX_FIELD_LENGTH = 10_000
    LOGIN_MAX_FAILURES = 5  # per account and per address, within LOGIN_WINDOW_SECONDS
    LOGIN_WINDOW_SECONDS = 15 * 60
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
