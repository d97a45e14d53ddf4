"""Decode barcodes and QR codes from uploaded photos, on the server.

`decode_bytes` is the whole job: `load_image` checks and opens the upload, `decode_image`
finds the codes in it.  Decoding runs zxing-cpp on the photo first (fast, reads most
photos, and the only reader here for Data Matrix).  When that finds nothing, a short
cascade of cleaned-up variants of the photo (upscaled and contrast-equalised) goes to
zxing-cpp and then zbar, stopping at the first step that yields a code.  Each step is there
because it reads photos of sets it was not tuned on (tests/bench/bench_decode_cv.py), so a
typical photo costs a few milliseconds and a hopeless one a few tens.

An upload is checked by the one image gate (app/images.py), which refuses it with an
images.ImageRefused ("empty", "image_too_large", "too_many_pixels", "not_an_image",
"corrupt_image"); decoding it at a bounded size happens inside that gate.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageOps
from pyzbar import pyzbar

from app import images

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 24_000_000  # see DECODE_MAX_PIXELS in app/config.py

# Formats a camera upload can reasonably be in; anything else is refused by its first bytes.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")

# The cascade works on a copy no larger than this (longest side, pixels): enough for a
# small code in a phone photo, small enough that zbar stays fast.
WORK_SIDE = 2000
# Upscaled variants stop at this size: beyond it zbar gets slow and gains nothing.
UPSCALE_SIDE = 1024


@dataclass(frozen=True)
class Code:
    """One decoded code: its text, a BarcodeDetector-style format name, and 4 corners."""

    text: str
    format: str
    box: list[list[int]] = field(default_factory=list)


# ---------------------------------------------------------------- loading

def load_image(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
               max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Check an upload and return it as an upright 8-bit grayscale array, no larger than
    WORK_SIDE on its longest side."""
    return _load(data, max_bytes, max_pixels)[0]


def _load(data: bytes, max_bytes: int, max_pixels: int) -> tuple[np.ndarray, tuple[float, float]]:
    """load_image, and how many upload pixels one returned pixel spans (across, down)."""
    with images.opened(data, formats=FORMATS, max_bytes=max_bytes,
                       max_pixels=max_pixels) as image:
        width, height = image.size
        # A JPEG decodes straight to gray at 1/2, 1/4 or 1/8 scale, never below WORK_SIDE:
        # a 24 MP photo then takes 6 MB instead of 72 MB of RGB. Other formats ignore it.
        image.draft("L", _fitting(image.size, WORK_SIDE))
        image.load()
    image = _reduce(image, WORK_SIDE)  # every copy made below is of the small image
    stored = image.size
    image = ImageOps.exif_transpose(image)  # phones store photos sideways + a rotate tag
    if image.size != stored:
        width, height = height, width
    gray = _gray(image)
    del image
    if max(gray.shape) > WORK_SIDE:
        gray = _scale(gray, WORK_SIDE / max(gray.shape))[0]
    return np.ascontiguousarray(gray), (width / gray.shape[1], height / gray.shape[0])


def _fitting(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size that `size` shrinks to with `side` pixels on its longest side, if it is larger."""
    factor = min(1.0, side / max(size))
    return max(1, math.ceil(size[0] * factor)), max(1, math.ceil(size[1] * factor))


def _reduce(image: Image.Image, side: int) -> Image.Image:
    """Average blocks of pixels so the longest side is still at least `side`; the full-size
    image is let go as soon as its reduced copy exists."""
    factor = max(image.size) // side
    if factor < 2:
        return image
    if image.mode in ("1", "P", "PA"):
        # reduce() averages levels, not palette indices; gray (+ alpha) stays small.
        transparent = image.mode == "PA" or "transparency" in image.info
        image = image.convert("LA" if transparent else "L")
    elif image.mode.startswith("I;16"):
        wide = np.asarray(image)  # reduce() does not take 16-bit modes; OpenCV does
        return Image.fromarray(_scale(wide, 1 / factor)[0])
    return image.reduce(factor)


def _gray(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        # Transparent pixels are often black underneath: put them on white paper.
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    elif image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Wide grayscale: stretch to 8 bits rather than clipping.
        wide = np.asarray(image)
        return cv2.normalize(wide, None, 0, 255, cv2.NORM_MINMAX, dtype=cv2.CV_8U)
    return np.asarray(image.convert("L"))


# ---------------------------------------------------------------- readers

_ZX_FORMATS = {
    "QRCode": "qr_code", "QRCodeModel1": "qr_code", "QRCodeModel2": "qr_code",
    "MicroQRCode": "qr_code", "RMQRCode": "qr_code",
    "Code128": "code_128", "Code39": "code_39", "Code39Std": "code_39", "Code39Ext": "code_39",
    "Code93": "code_93", "EAN13": "ean_13", "EAN8": "ean_8", "UPCA": "upc_a", "UPCE": "upc_e",
    "DataMatrix": "data_matrix", "ITF": "itf", "ITF14": "itf", "Codabar": "codabar",
    "PDF417": "pdf417", "CompactPDF417": "pdf417", "MicroPDF417": "pdf417",
    "Aztec": "aztec", "AztecCode": "aztec", "AztecRune": "aztec",
}
_ZBAR_FORMATS = {
    "QRCODE": "qr_code", "CODE128": "code_128", "CODE39": "code_39", "CODE93": "code_93",
    "EAN13": "ean_13", "EAN8": "ean_8", "UPCA": "upc_a", "UPCE": "upc_e", "I25": "itf",
    "CODABAR": "codabar", "PDF417": "pdf417",
}
# zbar's DataBar decoder misfires on photos (and prints assertion noise): leave it out.
_ZBAR_SYMBOLS = [getattr(pyzbar.ZBarSymbol, name) for name in _ZBAR_FORMATS]


def _normalise(text: str, fmt: str) -> tuple[str, str]:
    # A UPC-A is an EAN-13 starting with 0; report it the same way whichever reader saw it.
    if fmt == "ean_13" and len(text) == 13 and text.startswith("0") and text.isdigit():
        return text[1:], "upc_a"
    return text, fmt


def _zxing(gray: np.ndarray, binarizer=zxingcpp.Binarizer.LocalAverage, formats=None):
    found = []
    options = {"formats": formats} if formats is not None else {}
    for hit in zxingcpp.read_barcodes(gray, binarizer=binarizer, **options):
        if not hit.valid or not hit.text:
            continue
        p = hit.position
        corners = [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        fmt = _ZX_FORMATS.get(hit.format.name, hit.format.name.lower())
        found.append((hit.text, fmt, corners))
    return found


def _zxing_global(gray: np.ndarray):
    # One threshold for the whole image: steadier than the local one on soft, blurry edges.
    return _zxing(gray, zxingcpp.Binarizer.GlobalHistogram)


def _zbar_text(raw: bytes) -> str:
    # zbar's own charset guessing garbles some QR text; decode the bytes ourselves.
    for encoding in ("utf-8", "shift_jis"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")


def _zbar(gray: np.ndarray):
    found = []
    for hit in pyzbar.decode(gray, symbols=_ZBAR_SYMBOLS):
        corners = [(pt.x, pt.y) for pt in hit.polygon] or [
            (hit.rect.left, hit.rect.top), (hit.rect.left + hit.rect.width, hit.rect.top),
            (hit.rect.left + hit.rect.width, hit.rect.top + hit.rect.height),
            (hit.rect.left, hit.rect.top + hit.rect.height)]
        fmt = _ZBAR_FORMATS.get(hit.type, hit.type.lower())
        found.append((_zbar_text(hit.data), fmt, corners))
    return found


# ---------------------------------------------------------------- image variants
# Each variant returns (image, M): M is the 2x3 affine map from input to variant
# coordinates, used to put the corners found back onto the original photo.

IDENTITY = np.float64([[1, 0, 0], [0, 1, 0]])
_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def _scale(gray, factor):
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    out = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)
    return out, np.float64([[factor, 0, 0], [0, factor, 0]])


def _upscaled_clahe(factor):
    """More pixels per module for small or soft codes, then local contrast equalisation for
    glare, shadows and faded print. A photo larger than UPSCALE_SIDE is scaled down to it
    instead, which is what zbar needs for it."""
    def variant(gray):
        image, m = _scale(gray, min(factor, UPSCALE_SIDE / max(gray.shape)))
        return _CLAHE.apply(image), m
    return variant


VARIANTS = {"up1.5_clahe": _upscaled_clahe(1.5), "up2_clahe": _upscaled_clahe(2.0)}

# (variant, reader) in the order they are tried after plain zxing-cpp finds nothing, chosen by
# cross-validation over the photo sets (tests/bench/bench_decode_cv.py): of 160 candidate steps
# these two read photos in sets they were not tuned on. Every step dropped from the earlier
# cascade (thresholds, inverting, turning, deconvolution) reads at most one photo of the 323
# that these miss: a single file is not a class. zbar goes last: it misreads twice as often.
CASCADE = [
    ("up1.5_clahe", _zxing_global),
    ("up2_clahe", _zbar),
]


def _to_codes(found, m) -> list[Code]:
    back = cv2.invertAffineTransform(m)
    codes, seen = [], set()
    for text, fmt, corners in found:
        text, fmt = _normalise(text, fmt)
        if (text, fmt) in seen:
            continue
        seen.add((text, fmt))
        pts = np.float64(corners).reshape(-1, 2)
        pts = pts @ back[:, :2].T + back[:, 2]
        codes.append(Code(text, fmt, [[int(round(x)), int(round(y))] for x, y in pts]))
    return codes


LINEAR = {"code_128", "code_39", "code_93", "ean_13", "ean_8", "upc_a", "upc_e", "itf",
          "codabar"}
# zxing-cpp accepts a 1D code that two neighbouring scan lines agree on; a crisp barcode read
# on so few lines can be a misread with a valid check digit, so look further before trusting it.
THIN_ROWS = 3


def _thin(found) -> bool:
    """Whether every code found is 1D and was read on fewer than THIN_ROWS rows of pixels."""
    def rows(corners):  # top-left to bottom-left: along the bars, whichever way they run
        (x0, y0), (x1, y1) = corners[0], corners[3]
        return max(abs(x1 - x0), abs(y1 - y0)) + 1
    return all(fmt in LINEAR and rows(corners) < THIN_ROWS for _, fmt, corners in found)


def decode_image(gray: np.ndarray) -> list[Code]:
    """Find and decode the codes in a grayscale image; [] when there are none."""
    gray = np.ascontiguousarray(gray, dtype=np.uint8)
    found = _zxing(gray)
    if found and not _thin(found):
        return _to_codes(found, IDENTITY)
    thin = found  # the cascade may find a better-supported read; if not, this one stands
    work, m_work = gray, IDENTITY
    if max(gray.shape) > WORK_SIDE:
        work, m_work = _scale(gray, WORK_SIDE / max(gray.shape))
    for name, reader in CASCADE:
        image, m = VARIANTS[name](work)
        found = reader(image)
        if found:
            # Chain: original -> working copy -> variant.
            m_total = m[:, :2] @ m_work
            m_total[:, 2] += m[:, 2]
            return _to_codes(found, m_total)
    return _to_codes(thin, IDENTITY)


def decode_bytes(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> list[Code]:
    """Check, open and decode an uploaded image; boxes are in the upload's own pixels."""
    gray, (across, down) = _load(data, max_bytes, max_pixels)
    return [replace(code, box=[[round(x * across), round(y * down)] for x, y in code.box])
            for code in decode_image(gray)]
