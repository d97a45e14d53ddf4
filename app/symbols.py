"""Vector symbols for labels and certificates: QR codes (qrcode) and Code 128 (zxing-cpp) as
SVG path data, so they stay sharp on thermal printers instead of blurring like scaled bitmaps.

A QR code is drawn as one stroked path, a horizontal line per run of dark modules: far fewer
path commands than a rectangle per run, which is what WeasyPrint spends its time on."""
from dataclasses import dataclass

import numpy as np
import qrcode
import zxingcpp


@dataclass(frozen=True)
class Symbol:
    path: str  # in module units; draw with stroke-width 1 (qr) or fill (bars)
    width: int  # modules across
    height: int  # modules down (1 for a linear barcode)


def _runs(row) -> list[tuple[int, int]]:
    """(start, length) of each dark run in a row of booleans."""
    runs, start = [], None
    for x, dark in enumerate(list(row) + [False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            runs.append((start, x - start))
            start = None
    return runs


def qr(text: str) -> Symbol:
    # A fixed mask skips qrcode's search over all eight (the slow part, in pure Python);
    # any mask gives a valid, readable symbol.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0,
                         mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    parts = []
    for y, row in enumerate(matrix):
        parts.extend(f"M{x} {y + 0.5}h{n}" for x, n in _runs(row))
    return Symbol("".join(parts), len(matrix), len(matrix))


def code128(text: str) -> Symbol:
    image = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
                       .to_image(scale=1, add_quiet_zones=False))
    bars = image[0] < 128
    path = "".join(f"M{x} 0h{n}v1h-{n}z" for x, n in _runs(bars))
    return Symbol(path, len(bars), 1)
