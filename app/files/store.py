"""Content-addressed files under <instance>/blobs/ab/cd/<sha256>: no table, the hash is the name."""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from PIL import Image

from app import images
from app.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
_NAME = re.compile(r"[0-9a-f]{64}")

# What a phone photo may be; everything else (SVG, HTML, PDF, GIF ...) is refused by its first
# bytes (app/images.py), so nothing served back from here can run script in a browser.
PHOTOS = ("JPEG", "PNG", "WEBP")


class BlobRefused(DomainError):
    """An upload whose name is wrong, or does not match it; what is wrong with the image
    itself app.images refuses."""

    code = "invalid_blob"


class BadName(BlobRefused):
    code = "invalid_sha256"


class HashMismatch(BlobRefused):
    code = "hash_mismatch"


@dataclass(frozen=True)
class Blob:
    """What put() stored (or found already stored)."""

    sha256: str
    size: int
    type: str
    created: bool  # False when the same bytes were already stored (a retried upload)

    def as_json(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "type": self.type}


def check_name(sha256: str) -> str:
    """The name itself, or BadName; also keeps '../' and friends out of paths."""
    if not isinstance(sha256, str) or not _NAME.fullmatch(sha256):
        raise BadName("A blob is named by its SHA-256: 64 lowercase hexadecimal digits.",
                      {"sha256": str(sha256)[:100]})
    return sha256


def root() -> Path:
    return Path(current_app.config.get("BLOB_DIR") or Path(current_app.instance_path, "blobs"))


def path_for(sha256: str) -> Path:
    check_name(sha256)
    # Two levels of fan-out keep any one directory small (65,536 leaves).
    return root() / sha256[:2] / sha256[2:4] / sha256


def exists(sha256: str) -> bool:
    return path_for(sha256).is_file()


def open(sha256: str) -> BinaryIO:  # shadows the builtin on purpose: callers say store.open
    """The stored file for reading; FileNotFoundError when there is none."""
    return path_for(sha256).open("rb")


def read(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()


def type_of(data: bytes) -> str | None:
    """The MIME type the first bytes announce, when it is one we keep."""
    name = images.sniff(data, PHOTOS)
    return images.FORMATS[name].mime if name else None


def mime_type(sha256: str) -> str:
    """The stored file's type, from its first bytes (it was checked when stored)."""
    with path_for(sha256).open("rb") as f:
        return type_of(f.read(images.HEAD)) or "application/octet-stream"


def check_size(size: int) -> None:
    images.check_size(size, current_app.config.get("BLOB_MAX_BYTES", DEFAULT_MAX_BYTES))


def put(data: bytes, sha256: str) -> Blob:
    """Store `data` under its SHA-256, which must be `sha256`; a second put is a no-op."""
    check_name(sha256)
    max_bytes = current_app.config.get("BLOB_MAX_BYTES", DEFAULT_MAX_BYTES)
    images.check_bytes(data, max_bytes)
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise HashMismatch("The upload's SHA-256 does not match its name; it was changed or "
                           "cut short on the way. Send it again.",
                           {"expected": sha256, "actual": actual})
    mime = images.FORMATS[images.format_of(data, PHOTOS)].mime
    path = path_for(sha256)
    if path.is_file():
        # Same name, so the same bytes, checked when they were first stored.
        return Blob(sha256, len(data), mime, created=False)
    images.check(data, formats=PHOTOS, max_bytes=max_bytes,
                 max_pixels=current_app.config.get("BLOB_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    _write_atomically(path, data)
    return Blob(sha256, len(data), mime, created=True)


def put_document(data: bytes) -> str:
    """Keep a file the app made itself (an issued PDF) under its SHA-256; returns the hash.
    No image checks: it did not come from outside."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = path_for(sha256)
    if not path.is_file():
        _write_atomically(path, data)
    return sha256


def _write_atomically(path: Path, data: bytes) -> None:
    # Write a temp file beside the target, then rename it into place: a reader (or a crash)
    # never sees a partial file under the final name, and two racing writers of the same
    # bytes both succeed, leaving one identical file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.chmod(temp, 0o644)  # mkstemp makes it owner-only; backups and proxies read it too
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


THUMBNAIL_PX = 320


def thumbnail(sha256: str, px: int = THUMBNAIL_PX) -> Path:
    """A small copy of a stored photo or signature for pages, made once and kept beside the
    blobs (a signature keeps its transparency, so PNG; a photo becomes JPEG)."""
    path = root() / "thumbs" / f"{check_name(sha256)}-{px}"
    if not path.is_file():
        with open(sha256) as f:  # this module's open: FileNotFoundError when not stored
            image = Image.open(f)
            image.draft("RGB", (px, px))
            image.thumbnail((px, px))
            clear = image.mode in ("RGBA", "LA", "P") or "transparency" in image.info
            out = io.BytesIO()
            if clear:
                image.convert("RGBA").save(out, "PNG")
            else:
                image.convert("RGB").save(out, "JPEG", quality=82)
        _write_atomically(path, out.getvalue())
    return path



def inline_png(sha256: str, px: int) -> str:
    """A stored image shrunk to `px` as a data: URI, for a PDF that must stand alone."""
    with open(sha256) as f:
        image = Image.open(f)
        image.thumbnail((px, px))
        out = io.BytesIO()
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
