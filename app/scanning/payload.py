"""What a scanned payload could name: read the text a camera or a handheld scanner produced and
list the codes it may stand for. Deciding which asset it is happens in scanning.service."""
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

MAX_PAYLOAD = 2048
# Handheld scanners may prepend an AIM symbology identifier ("]C0", "]Q1", "]E0" ...).
AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
# /t/<code> on any host: the same label works whichever address the server is reached by.
TAG_URL_PATH = re.compile(r"^/t/([^/?#]+)/?$")


@dataclass(frozen=True)
class Payload:
    raw: str
    text: str  # cleaned: no control characters, prefixes or surrounding space
    code: str | None  # the code part of a Tagtrail URL, or the text itself if not a URL
    is_url: bool


def clean(raw: str) -> str:
    """Drop control characters (CR, LF, tab, STX/ETX, GS ...), AIM prefixes and outer space."""
    text = "".join(ch for ch in raw if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = AIM_PREFIX.sub("", text.strip()).strip()
    return text


def parse(raw: str) -> Payload:
    text = clean(raw[:MAX_PAYLOAD])
    parts = urlsplit(text) if "://" in text else None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return Payload(raw, text, text or None, False)
    match = TAG_URL_PATH.match(parts.path)
    return Payload(raw, text, unquote(match.group(1)).strip() if match else None, True)
