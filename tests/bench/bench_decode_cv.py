"""Choose the decode cascade by cross-validation: python -m tests.bench.bench_decode_cv [DIR].

The server reads a photo with plain zxing-cpp and, when that finds nothing (or only a thin 1D
read), tries the steps of decode.CASCADE in turn: a variant of the photo and a reader. Which
steps, in which order, is tuned here on half of the photo sets and measured on the other half,
both ways, so each photo is counted once, by a cascade tuned without its set. Tuning is greedy:
the next step is the one that reads the most training photos still unread, as long as it reads
at least MIN_GAIN of them (one photo is not a class), and a step that later ones make redundant
is dropped again. zxing-cpp steps go before zbar steps, as the project chose (zbar is the
backup; on the photos that reach the cascade its reads are wrong about twice as often, and the
cascade stops at the first step that finds anything). The server's cascade keeps the steps that
read photos in the half they were not tuned on, in the order that tuning on every photo gives.

DIR holds <set>/<name>.png with the expected text in <set>/<name>.txt (../shared/decode-dev by
default). Each step is timed once per photo, on one core: the times break ties and estimate a
cascade's time per photo; bench_decode times the server's cascade itself.
"""
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import zxingcpp  # noqa: E402

from app.scanning import decode  # noqa: E402
from tests.bench.bench_decode import DEFAULT_DIR, matches, p95  # noqa: E402

MIN_GAIN = 2
BLURRY = {"ean13-5", "upca-6"}  # ZXing's own tests expect no reads there; they stay in the count


def zxing_linear(gray):
    return decode._zxing(gray, formats=zxingcpp.BarcodeFormat.LinearCodes)


READERS = {"zxing": decode._zxing, "zxing_global": decode._zxing_global,
           "zxing_linear": zxing_linear, "zbar": decode._zbar}
SAME = decode.IDENTITY


def scaled(factor, then=None):
    """Scaled as the server's variants are (up to UPSCALE_SIDE), then `then` applied."""
    def variant(gray):
        image, m = decode._scale(gray, min(factor, decode.UPSCALE_SIDE / max(gray.shape)))
        return (then(image) if then else image), m
    return variant


def rotated(degrees):
    def variant(gray):
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
        return cv2.warpAffine(gray, m, (w, h), borderMode=cv2.BORDER_REPLICATE), m
    return variant


def deconvolved(gray, sigma=2.0):
    """Wiener deconvolution of a Gaussian defocus of `sigma` pixels (a step of the cascade
    until the cross-validation dropped it)."""
    h, w = gray.shape
    rows, cols = cv2.getOptimalDFTSize(h), cv2.getOptimalDFTSize(w)
    fy, fx = (np.float32(np.exp(-2 * np.pi ** 2 * sigma ** 2 * np.fft.fftfreq(n) ** 2))
              for n in (rows, cols))
    gain = np.outer(fy, fx)
    gain /= np.square(gain) + np.float32(0.03)
    padded = cv2.copyMakeBorder(gray, 0, rows - h, 0, cols - w, cv2.BORDER_REPLICATE)
    spectrum = cv2.dft(np.float32(padded), flags=cv2.DFT_COMPLEX_OUTPUT) * gain[..., None]
    sharp = cv2.idft(spectrum, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)[:h, :w]
    return np.uint8(np.clip(sharp, 0, 255))


def deblurred(sigma):
    # Deconvolved, then more pixels per module (up to 2x, to 1280 px).
    return lambda g: decode._scale(deconvolved(g, sigma), max(1.0, min(2.0, 1280 / max(g.shape))))


def same(transform):
    return lambda gray: (transform(gray), SAME)


def clahe(image, limit=2.0):
    return cv2.createCLAHE(clipLimit=limit, tileGridSize=(8, 8)).apply(image)


def otsu(image):
    return cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def adaptive(image):
    return cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                 cv2.THRESH_BINARY, 31, 5)


def flat(image):
    # Divided by its own blurred self: glare and shadows flattened out.
    background = cv2.GaussianBlur(image, (0, 0), max(image.shape) / 30) + 1.0
    return cv2.normalize(image / background, None, 0, 255, cv2.NORM_MINMAX, dtype=cv2.CV_8U)


def sharpen(image):
    return cv2.addWeighted(image, 2.0, cv2.GaussianBlur(image, (0, 0), 2), -1.0, 0)


# Every variant tuning may choose from: the server's own (decode.VARIANTS) and the others,
# including those the server's cascade used before the cross-validation.
VARIANTS = {
    "gray": same(lambda g: g), "up1.5": scaled(1.5), "up2": scaled(2.0), "up3": scaled(3.0),
    "half": lambda g: decode._scale(g, 0.5), "up3_clahe": scaled(3.0, clahe),
    "clahe": same(clahe), "clahe4": same(lambda g: clahe(g, 4.0)), "flat": same(flat),
    "dark": same(lambda g: np.uint8(255 * (g / 255.0) ** 2)),
    "bright": same(lambda g: np.uint8(255 * np.sqrt(g / 255.0))),
    "otsu": same(otsu), "adaptive": same(adaptive), "invert": same(lambda g: 255 - g),
    "up2_otsu": scaled(2.0, otsu), "up2_adaptive": scaled(2.0, adaptive),
    "up2_invert": scaled(2.0, lambda g: 255 - g), "median": same(lambda g: cv2.medianBlur(g, 3)),
    "smooth_up2": scaled(2.0, lambda g: cv2.GaussianBlur(g, (0, 0), 1)),
    "sharpen": same(sharpen), "sharpen_up2": scaled(2.0, sharpen),
    "erode_up2": scaled(2.0, lambda g: cv2.erode(g, np.ones((2, 2), np.uint8))),
    "dilate_up2": scaled(2.0, lambda g: cv2.dilate(g, np.ones((2, 2), np.uint8))),
    "deblur": same(deconvolved),
    "deblur_up2": deblurred(2.0), "deblur1.5_up2": deblurred(1.5), "deblur3_up2": deblurred(3.0),
    **{f"rot{d}": rotated(d) for d in (5, -5, 10, -10, 15, -15, 20, -20, 30, -30, 45)},
    **decode.VARIANTS,
}
POOL = [(variant, reader) for variant in VARIANTS for reader in READERS]


@dataclass
class Photo:
    """One labelled photo and what each step made of it."""

    set: str
    name: str
    ms: float  # loading, and the plain zxing-cpp read
    plain: bool | None  # whether a plain read that stands alone is right; None: the cascade runs
    thin: bool = False  # when the cascade finds nothing: whether the thin read it had is right
    steps: dict = field(default_factory=dict)  # step -> (found anything, found it, ms)
    build_ms: dict = field(default_factory=dict)  # variant -> ms to make it


def measure(folder: Path) -> list[Photo]:
    photos = []
    for image in sorted(p for p in folder.glob("*/*.png") if p.with_suffix(".txt").exists()):
        expected = image.with_suffix(".txt").read_bytes().decode("utf-8")

        def right(found, expected=expected):
            return any(matches(expected, decode._normalise(text, fmt)[0])
                       for text, fmt, _ in found)

        start = time.perf_counter()
        gray = decode.load_image(image.read_bytes())
        found = decode._zxing(gray)
        photo = Photo(image.parent.name, image.name, (time.perf_counter() - start) * 1000, None)
        photos.append(photo)
        if found and not decode._thin(found):
            photo.plain = right(found)
            continue
        photo.thin = right(found)
        for variant, make in VARIANTS.items():
            start = time.perf_counter()
            img = make(gray)[0]
            photo.build_ms[variant] = (time.perf_counter() - start) * 1000
            for reader, read in READERS.items():
                start = time.perf_counter()
                found = read(img)
                photo.steps[variant, reader] = (bool(found), right(found),
                                                (time.perf_counter() - start) * 1000)
    return photos


def run(cascade, photo: Photo) -> tuple[bool, float]:
    """Whether `cascade` reads the photo, and in how many ms, as decode_image would."""
    if photo.plain is not None:
        return photo.plain, photo.ms
    ms, built = photo.ms, set()
    for step in cascade:
        if step[0] not in built:
            built.add(step[0])
            ms += photo.build_ms[step[0]]
        found, right, step_ms = photo.steps[step]
        ms += step_ms
        if found:
            return right, ms
    return photo.thin, ms


def score(cascade, photos) -> tuple[int, float]:
    results = [run(cascade, p) for p in photos]
    return sum(ok for ok, _ in results), sum(ms for _, ms in results)


def ordered(steps) -> list:
    return [s for s in steps if s[1] != "zbar"] + [s for s in steps if s[1] == "zbar"]


def tune(photos, pool=POOL) -> list:
    """Greedy forward selection of steps on `photos`, then drop what became redundant."""
    hard = [p for p in photos if p.plain is None]  # the others never reach the cascade
    cascade = []
    while True:
        reads, ms = score(cascade, hard)
        best = None
        for step in pool:
            if step in cascade:
                continue
            more, more_ms = score(ordered(cascade + [step]), hard)
            key = (more - reads, ms - more_ms)  # most reads, then least time
            if best is None or key > best[0]:
                best = key, step
        if best is None or best[0][0] < MIN_GAIN:
            break
        cascade = ordered(cascade + [best[1]])
    while cascade:
        reads, ms = score(cascade, hard)
        losses = []
        for step in cascade:
            fewer = [s for s in cascade if s != step]
            less, less_ms = score(fewer, hard)
            losses.append((reads - less, less_ms - ms, step))
        loss, _, step = min(losses, key=lambda x: (x[0], x[1]))
        if loss >= MIN_GAIN:
            break
        cascade.remove(step)
    return cascade


def split(photos) -> tuple[set, set]:
    """Two halves of the sets, each with about half of every symbology's photos: each
    symbology's sets, largest first, go to the half with fewer of its photos so far."""
    sizes = {}
    for p in photos:
        sizes[p.set] = sizes.get(p.set, 0) + 1
    halves, per_half = (set(), set()), [{}, {}]
    for name in sorted(sizes, key=lambda s: (-sizes[s], s)):
        kind = name.split("-")[0]
        counts = [per_half[i].get(kind, 0) for i in (0, 1)]
        totals = [sum(sizes[s] for s in half) for half in halves]
        i = min((0, 1), key=lambda i: (counts[i], totals[i], i))
        halves[i].add(name)
        per_half[i][kind] = counts[i] + sizes[name]
    return halves


def name(step) -> str:
    return f"{step[0]}/{step[1]}"


def main(folder: Path) -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    photos = measure(folder)
    if not photos:
        print(f"no labelled images under {folder}")
        return 1
    hard = sum(p.plain is None for p in photos)
    print(f"{len(photos)} photos, {hard} reach the cascade; {len(POOL)} candidate steps "
          f"({len(VARIANTS)} variants x {len(READERS)} readers); MIN_GAIN {MIN_GAIN}")
    for reader in READERS:
        found = [right for p in photos for (_, r), (any_, right, _) in p.steps.items()
                 if r == reader and any_]
        print(f"  {reader}: {100 * found.count(False) / len(found):.0f} % of its reads wrong, "
              f"over every variant of those {hard} photos")

    held_out, confirmed = {}, set()
    for fold, (train_sets, test_sets) in enumerate([split(photos), split(photos)[::-1]], 1):
        train = [p for p in photos if p.set in train_sets]
        test = [p for p in photos if p.set in test_sets]
        cascade = tune(train)
        reads = score(cascade, test)[0]
        blurry = sum(p.set in BLURRY for p in test)
        print(f"\nfold {fold}: tuned on {len(train)} photos: {', '.join(sorted(train_sets))}")
        print(f"  measured on {len(test)} photos: {', '.join(sorted(test_sets))}")
        print(f"  read {score(cascade, train)[0]}/{len(train)} in sample, {reads}/{len(test)} "
              f"held out ({100 * reads / len(test):.1f} %; {blurry} held-out photos blurry)")
        print(f"  {'step, in order':<28}{'held-out photos it reads':>26}")
        for step in cascade:
            helps = reads - score([s for s in cascade if s != step], test)[0]
            if helps > 0:
                confirmed.add(step)
            print(f"  {name(step):<28}{helps:>26}")
        held_out.update({id(p): run(cascade, p) for p in test})

    results = list(held_out.values())
    read = sum(ok for ok, _ in results)
    times = [ms for _, ms in results]
    print(f"\ncross-validated: {read}/{len(photos)} read ({100 * read / len(photos):.1f} %), each "
          f"photo by the fold that held it out; estimated median {statistics.median(times):.1f} "
          f"ms, p95 {p95(times):.1f} ms")
    sets = sorted({p.set for p in photos})
    loso = sum(score(tune([p for p in photos if p.set != s]), [p for p in photos if p.set == s])[0]
               for s in sets)
    print(f"leave one set out ({len(sets)} folds): {loso}/{len(photos)} read "
          f"({100 * loso / len(photos):.1f} %)")

    final = tune(photos, [s for s in POOL if s in confirmed])
    reads = score(final, photos)[0]
    times = [run(final, p)[1] for p in photos]
    print(f"\nthe server's cascade, the steps that read held-out photos ordered on all "
          f"{len(photos)}: {' -> '.join(map(name, final))}")
    print(f"  {reads}/{len(photos)} read in sample ({100 * reads / len(photos):.1f} %), "
          f"estimated median {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms")
    shipped = [(variant, reader.__name__.lstrip("_")) for variant, reader in decode.CASCADE]
    print("  decode.CASCADE is this cascade" if shipped == final else
          f"  decode.CASCADE differs: {' -> '.join(map(name, shipped))}, "
          f"{score(shipped, photos)[0]}/{len(photos)} in sample")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
