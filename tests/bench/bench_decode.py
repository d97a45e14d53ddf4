"""Benchmark photo decoding on a labelled folder: python tests/bench/bench_decode.py [DIR].

DIR holds <set>/<name>.png (or .jpg) with the expected text in <set>/<name>.txt, compared
exactly, except that a 12-digit UPC-A equals the same number read as a 13-digit EAN-13
with a leading 0.  Runs on one core and prints read rate and time per set.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from app.images import ImageRefused  # noqa: E402
from app.scanning.decode import DEFAULT_MAX_PIXELS, decode_bytes  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "decode-dev"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


def matches(expected: str, got: str) -> bool:
    if got == expected:
        return True
    for short, long in ((expected, got), (got, expected)):
        if len(short) == 12 and short.isdigit() and long == "0" + short:
            return True
    return False


def p95(values):
    return float(np.percentile(values, 95))


def main(folder: Path) -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    results = {}  # set -> list of (ok, ms)
    for image in sorted(p for p in folder.glob("*/*") if p.suffix.lower() in IMAGE_SUFFIXES):
        label = image.with_suffix(".txt")
        if not label.exists():
            continue
        expected = label.read_bytes().decode("utf-8")
        data = image.read_bytes()
        start = time.perf_counter()
        try:
            codes = decode_bytes(data)
        except ImageRefused:
            codes = []
        ms = (time.perf_counter() - start) * 1000
        ok = any(matches(expected, code.text) for code in codes)
        results.setdefault(image.parent.name, []).append((ok, ms))
    if not results:
        print(f"no labelled images under {folder}")
        return 1

    print(f"{'set':<16}{'images':>7}{'read':>6}{'rate %':>8}{'median ms':>11}{'p95 ms':>8}")
    everything = []
    for name in sorted(results):
        rows = results[name]
        everything += rows
        times = [ms for _, ms in rows]
        read = sum(ok for ok, _ in rows)
        print(f"{name:<16}{len(rows):>7}{read:>6}{100 * read / len(rows):>8.1f}"
              f"{statistics.median(times):>11.1f}{p95(times):>8.1f}")
    times = [ms for _, ms in everything]
    read = sum(ok for ok, _ in everything)
    print(f"{'overall':<16}{len(everything):>7}{read:>6}{100 * read / len(everything):>8.1f}"
          f"{statistics.median(times):>11.1f}{p95(times):>8.1f}")
    print(f"overall: {read}/{len(everything)} read ({100 * read / len(everything):.1f} %), "
          f"median {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
          f"mean {statistics.fmean(times):.1f} ms")
    codeless_photos()
    return 0


# One decode in a fresh process: its time, and how far it lifts resident memory (Linux: the
# peak, VmHWM, is reset through clear_refs just before).
ONE_DECODE = """
import sys, time
from pathlib import Path
import cv2
from app.scanning.decode import decode_bytes

def status(key):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(key))
    return int(line.split()[1]) / 1024

cv2.setNumThreads(1)
data = Path(sys.argv[1]).read_bytes()
Path("/proc/self/clear_refs").write_text("5")
before = status("VmRSS:")
start = time.perf_counter()
codes = decode_bytes(data, max_bytes=int(sys.argv[2]))
print(len(codes), (time.perf_counter() - start) * 1000, status("VmHWM:") - before)
"""


def codeless_photos(runs: int = 3) -> None:
    """The worst case for one upload: a photo with no code runs the whole cascade. Soft random
    texture, made here, at the pixel limit, at a camera's 12 MP and at the 2 MP the phone
    sends; each decode in a fresh process. The byte limit is lifted for the PNG: this texture
    makes 25 MB of it, but flat colours fit in 10 MB and cost a decode the same memory."""
    rng = np.random.default_rng(7)
    width = 6000
    sizes = [(width, DEFAULT_MAX_PIXELS // width, ".jpg", "the pixel limit"),
             (width, DEFAULT_MAX_PIXELS // width, ".png", "the pixel limit, decoded whole"),
             (4032, 3024, ".jpg", "12 MP"), (2000, 1500, ".jpg", "what the phone sends")]
    with tempfile.TemporaryDirectory() as folder:
        for width, height, suffix, what in sizes:
            texture = cv2.GaussianBlur(
                rng.integers(0, 256, (height // 8, width // 8, 3), np.uint8), (5, 5), 0)
            upload = Path(folder) / f"photo{suffix}"
            upload.write_bytes(cv2.imencode(suffix, cv2.resize(texture, (width, height)))[1])
            times, peaks = [], []
            for _ in range(runs):
                out = subprocess.run(
                    [sys.executable, "-c", ONE_DECODE, str(upload), str(10 ** 9)], cwd=ROOT,
                    check=True, capture_output=True, text=True).stdout.split()
                assert out[0] == "0"
                times.append(float(out[1]))
                peaks.append(float(out[2]))
            kind = "JPEG" if suffix == ".jpg" else "PNG"
            print(f"photo with no code, {width}x{height} {kind} ({what}, "
                  f"{upload.stat().st_size / 1e6:.1f} MB): {statistics.median(times):.0f} ms "
                  f"median, {min(times):.0f} min; memory +{max(peaks):.0f} MB at most "
                  f"({runs} runs, each in a fresh process)")


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
