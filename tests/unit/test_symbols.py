"""The vector symbols labels and certificates print (app/symbols.py) read back as drawn."""
import re

import numpy as np
import zxingcpp

from app import symbols


def drawn(symbol: symbols.Symbol, *, qr: bool) -> np.ndarray:
    """The symbol's path as pixels, 4 per module, on a white quiet zone."""
    dark = np.zeros((symbol.height, symbol.width), bool)
    runs = r"M(\d+) ([\d.]+)h(\d+)" if qr else r"M(\d+) (0)h(\d+)v1h-\d+z"
    for x, y, n in re.findall(runs, symbol.path):
        dark[int(float(y)), int(x):int(x) + int(n)] = True
    if not qr:
        dark = np.repeat(dark, 30, axis=0)  # bars need some height to be read
    image = np.where(dark, 0, 255).astype(np.uint8).repeat(4, 0).repeat(4, 1)
    return np.pad(image, 40, constant_values=255)


def test_a_qr_code_path_reads_back():
    symbol = symbols.qr("https://assets.example.org/verify/DBC-2026-000001?k=abc")
    assert symbol.width == symbol.height > 20
    [hit] = zxingcpp.read_barcodes(drawn(symbol, qr=True))
    assert hit.text == "https://assets.example.org/verify/DBC-2026-000001?k=abc"


def test_a_code128_path_reads_back():
    symbol = symbols.code128("AST-000042")
    assert symbol.height == 1
    [hit] = zxingcpp.read_barcodes(drawn(symbol, qr=False))
    assert (hit.text, hit.format.name) == ("AST-000042", "Code128")
