"""The one image gate (app/images.py): formats by their first bytes, limits, damage, bombs."""
import io
import zlib

import pytest
from PIL import Image

from app import images
from app.errors import STATUS


def saved(fmt: str, size=(64, 48), mode="RGB", **params) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt, **params)
    return out.getvalue()


def refusal(data: bytes, formats=("JPEG", "PNG"), max_bytes=10**7, max_pixels=10**7) -> str:
    with pytest.raises(images.ImageRefused) as info:
        images.check(data, formats=formats, max_bytes=max_bytes, max_pixels=max_pixels)
    assert info.value.message and info.value.status == STATUS[info.value.code]
    return info.value.code


@pytest.mark.parametrize("name", sorted(images.FORMATS))
def test_each_format_is_told_by_its_first_bytes_and_taken_only_where_listed(name):
    data = saved(name)
    assert images.sniff(data, list(images.FORMATS)) == name
    images.check(data, formats=[name], max_bytes=10**6, max_pixels=10**6)
    others = [n for n in images.FORMATS if n != name]
    assert images.sniff(data, others) is None
    assert refusal(data, formats=others) == "not_an_image"


def test_an_mpo_photo_is_a_jpeg():
    data = saved("MPO")
    assert images.sniff(data, ["JPEG"]) == "JPEG"
    images.check(data, formats=["JPEG"], max_bytes=10**6, max_pixels=10**6)


def test_the_refusal_lists_what_the_use_takes():
    with pytest.raises(images.NotAnImage) as info:
        images.check(saved("GIF"), formats=("JPEG", "PNG", "WEBP"), max_bytes=10**6,
                     max_pixels=10**6)
    assert info.value.message == "Only JPEG, PNG and WEBP images are accepted."
    assert info.value.details == {"formats": ["JPEG", "PNG", "WEBP"]}


def test_only_the_announced_formats_plugin_reads_the_bytes():
    # A GIF behind PNG's first bytes: Pillow would read it as a GIF if asked to guess.
    disguised = b"\x89PNG\r\n\x1a\n" + saved("GIF")
    assert refusal(disguised, formats=("PNG", "GIF")) == "not_an_image"


def test_nothing_and_too_much_are_refused_before_anything_is_read():
    assert refusal(b"") == "empty"
    data = saved("PNG")
    assert refusal(data, max_bytes=len(data) - 1) == "image_too_large"
    with pytest.raises(images.TooLarge) as info:
        images.check_size(2 * 1024 * 1024 + 1, 2 * 1024 * 1024)
    assert "2 MB limit" in info.value.message


def test_pixels_are_counted_from_the_header():
    assert refusal(saved("PNG", (40, 30)), max_pixels=1199) == "too_many_pixels"
    images.check(saved("PNG", (40, 30)), formats=["PNG"], max_bytes=10**6, max_pixels=1200)
    bomb = saved("PNG", (20_000, 20_000), mode="1")  # past Pillow's own guard too
    assert len(bomb) < 200_000 and refusal(bomb, max_pixels=10**9) == "too_many_pixels"


def test_damage_is_refused():
    png = saved("PNG", (200, 150))
    assert refusal(png[: len(png) // 2]) == "corrupt_image"
    jpeg = saved("JPEG", (200, 150))
    assert refusal(jpeg[: len(jpeg) // 2]) == "corrupt_image"
    # A chunk whose CRC no longer matches: verify() finds it, a plain decode would not.
    at = png.index(b"IDAT") + 4
    flipped = png[:at] + bytes([png[at] ^ 0xFF]) + png[at + 1:]
    assert zlib.crc32(flipped[at - 4:at + 10]) != zlib.crc32(png[at - 4:at + 10])
    assert refusal(flipped) == "corrupt_image"


def test_decoding_inside_the_gate_is_guarded_too():
    jpeg = saved("JPEG", (400, 300))
    with images.opened(jpeg, formats=["JPEG"], max_bytes=10**6, max_pixels=10**6) as image:
        assert image.size == (400, 300)
        image.draft("L", (100, 75))
        image.load()
    assert image.size == (100, 75)  # the caller's bounded decode
    with pytest.raises(images.CorruptImage):
        with images.opened(jpeg[:2000], formats=["JPEG"], max_bytes=10**6,
                           max_pixels=10**6) as image:
            image.load()
