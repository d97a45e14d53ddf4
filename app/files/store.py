"""Content-addressed files under <instance>/blobs/ab/cd/<sha256>: no table, the hash is the name."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from PIL import Image, UnidentifiedImageError

from app.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
_NAME = re.compile(r"[0-9a-f]{64}")

# What a phone photo may be, by its first bytes; the rest (SVG, HTML, PDF, ...) is refused
# up front, so nothing served back from here can run script in a browser.
_MAGIC = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]
_PIL_FORMATS = {"image/jpeg": {"JPEG", "MPO"}, "image/png": {"PNG"}, "image/webp": {"WEBP"}}


class BlobRefused(DomainError):
    """An upload the store will not keep; the message says why, for a person."""

    code = "invalid_blob"


class BadName(BlobRefused):
    code = "invalid_sha256"


class EmptyBlob(BlobRefused):
    code = "empty"


class HashMismatch(BlobRefused):
    code = "hash_mismatch"


class TooLarge(BlobRefused):
    code = "image_too_large"


class TooManyPixels(BlobRefused):
    code = "too_many_pixels"


class NotAnImage(BlobRefused):
    code = "not_an_image"


class CorruptImage(BlobRefused):
    code = "corrupt_image"


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
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


def mime_type(sha256: str) -> str:
    """The stored file's type, from its first bytes (it was checked when stored)."""
    with path_for(sha256).open("rb") as f:
        return type_of(f.read(16)) or "application/octet-stream"


def check_size(size: int) -> None:
    limit = current_app.config.get("BLOB_MAX_BYTES", DEFAULT_MAX_BYTES)
    if size > limit:
        raise TooLarge(f"The photo is larger than the {_megabytes(limit)} limit; "
                       "send it at a smaller size.", {"size": size, "limit": limit})


def put(data: bytes, sha256: str) -> Blob:
    """Store `data` under its SHA-256, which must be `sha256`; a second put is a no-op."""
    check_name(sha256)
    if not data:
        raise EmptyBlob("The upload is empty.")
    check_size(len(data))
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise HashMismatch("The upload's SHA-256 does not match its name; it was changed or "
                           "cut short on the way. Send it again.",
                           {"expected": sha256, "actual": actual})
    mime = type_of(data)
    if mime is None:
        raise NotAnImage("Only JPEG, PNG and WEBP photos can be stored.")
    path = path_for(sha256)
    if path.is_file():
        # Same name, so the same bytes, checked when they were first stored.
        return Blob(sha256, len(data), mime, created=False)
    check_image(data, mime, current_app.config.get("BLOB_MAX_PIXELS", DEFAULT_MAX_PIXELS))
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


def check_image(data: bytes, mime: str, max_pixels: int) -> None:
    """Refuse anything Pillow cannot fully decode as the format its magic bytes claim."""
    with warnings.catch_warnings():
        # Pillow warns (or raises) on huge pixel counts; both are a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in _PIL_FORMATS[mime]:
                raise NotAnImage("The photo's contents do not match its type.")
            width, height = image.size
            if width * height > max_pixels:
                raise TooManyPixels(f"The photo has too many pixels ({width}x{height}); "
                                    "resize it before sending.",
                                    {"pixels": width * height, "limit": max_pixels})
            image.verify()  # structure (PNG chunk CRCs); then decode, which finds truncation
            image = Image.open(io.BytesIO(data))
            # JPEG: decoding at 1/8 scale still reads every byte, so it finds the same
            # truncation with 1/64 of the memory.
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooManyPixels("The photo has too many pixels; resize it first.") from exc
        except UnidentifiedImageError as exc:
            raise NotAnImage("Only JPEG, PNG and WEBP photos can be stored.") from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise CorruptImage("The photo is damaged or incomplete; take or send it again.") \
                from exc


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


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"
