"""The one gate an image from outside passes before Pillow decodes it: the photos the store
keeps (app/files/store.py) and the photos read for codes (app/scanning/decode.py). Each use
says which formats it takes and how many bytes and pixels; the checks, their codes and their
messages are the same for both.

In order: something was sent, within the byte limit; its first bytes are those of a format the
use takes, and only that format's Pillow plugin reads it (so SVG, HTML, PDF and the many
formats Pillow knows but nobody here needs are never parsed); the header's size is within the
pixel limit, before a pixel is decompressed; the structure verifies (PNG chunk CRCs). Then the
caller decodes inside the gate (`opened`), where a file cut short, or one past Pillow's own
decompression-bomb guard, is a refusal too."""
import io
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from app.errors import DomainError


@dataclass(frozen=True)
class Format:
    mime: str
    magic: re.Pattern  # how its first bytes start


# Keyed by the name people know and Pillow's plugin calls it: a use lists the ones it takes.
FORMATS = {
    "JPEG": Format("image/jpeg", re.compile(rb"\xff\xd8\xff")),  # and MPO, which it reads
    "PNG": Format("image/png", re.compile(rb"\x89PNG\r\n\x1a\n")),
    "WEBP": Format("image/webp", re.compile(rb"RIFF.{4}WEBP", re.DOTALL)),
    "GIF": Format("image/gif", re.compile(rb"GIF8[79]a")),
    "BMP": Format("image/bmp", re.compile(rb"BM")),
    "TIFF": Format("image/tiff", re.compile(rb"II\*\x00|MM\x00\*")),
}
HEAD = 16  # bytes enough to tell every format above


class ImageRefused(DomainError):
    """An image the gate does not let through; the message says why, for a person."""

    code = "bad_image"


class Empty(ImageRefused):
    code = "empty"


class TooLarge(ImageRefused):
    code = "image_too_large"


class TooManyPixels(ImageRefused):
    code = "too_many_pixels"


class NotAnImage(ImageRefused):
    code = "not_an_image"


class CorruptImage(ImageRefused):
    code = "corrupt_image"


def check_size(size: int, max_bytes: int) -> None:
    """The byte limit alone: for a request's Content-Length, before a byte of it is read."""
    if size > max_bytes:
        raise TooLarge(f"The image is larger than the {_amount(max_bytes)} limit; send it at a "
                       "smaller size.", {"size": size, "limit": max_bytes})


def check_bytes(data: bytes, max_bytes: int) -> None:
    """What can be told without looking inside: something was sent, and not too much."""
    if not data:
        raise Empty("The upload is empty.")
    check_size(len(data), max_bytes)


def sniff(data: bytes, formats: Sequence[str]) -> str | None:
    """The one of `formats` that the first bytes announce, if any."""
    return next((name for name in formats if FORMATS[name].magic.match(data[:HEAD])), None)


def format_of(data: bytes, formats: Sequence[str]) -> str:
    """The one of `formats` that the first bytes announce; NotAnImage when none."""
    name = sniff(data, formats)
    if name is None:
        raise _not_taken(formats)
    return name


@contextmanager
def opened(data: bytes, *, formats: Sequence[str], max_bytes: int,
           max_pixels: int) -> Iterator[Image.Image]:
    """The upload as an image that has passed every check, its header read and no pixel
    decoded yet: decode it inside the block (Image.draft, load), where damage is refused
    as everything else here is. Do nothing else there: any OSError or ValueError inside is
    taken for a damaged image."""
    check_bytes(data, max_bytes)
    name = format_of(data, formats)
    with warnings.catch_warnings():
        # Pillow warns (or raises) on huge pixel counts; both are a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[name])  # reads the header only
            width, height = image.size
            if width * height > max_pixels:
                raise TooManyPixels(f"The image has too many pixels ({width}x{height}); "
                                    "resize it before sending.",
                                    {"pixels": width * height, "limit": max_pixels})
            image.verify()  # structure; decoding (the caller's) then finds truncation
            yield Image.open(io.BytesIO(data), formats=[name])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooManyPixels("The image has too many pixels; resize it before sending.") \
                from exc
        except UnidentifiedImageError as exc:  # the first bytes promised more than the rest
            raise _not_taken(formats) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise CorruptImage("The image is damaged or incomplete; take or send it again.") \
                from exc


def check(data: bytes, *, formats: Sequence[str], max_bytes: int, max_pixels: int) -> None:
    """The whole gate for an image kept as it came: every check, and a decode of all of it."""
    with opened(data, formats=formats, max_bytes=max_bytes, max_pixels=max_pixels) as image:
        # JPEG: decoding at 1/8 scale still reads every byte, so it finds the same truncation
        # with 1/64 of the memory. Other formats decode whole.
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _not_taken(formats: Sequence[str]) -> NotAnImage:
    return NotAnImage(f"Only {_listed(formats)} images are accepted.", {"formats": list(formats)})


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _amount(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n:,} bytes"
