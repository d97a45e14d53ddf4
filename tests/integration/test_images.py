"""Both ways an image comes in, PUT /api/v1/blobs and POST /api/v1/decode, pass the one gate:
the same malformed upload is refused the same way by each, within each one's own limits."""
import hashlib
import io

import pytest
from PIL import Image

from app.auth.roles import Role


def saved(fmt="PNG", size=(64, 48), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt)
    return out.getvalue()


def cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


MALFORMED = {
    "empty": b"",
    "text": b"just some text",
    "html": b"<!doctype html><html><script>alert(1)</script></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "pdf": b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF",
    "jpeg magic, html body": b"\xff\xd8\xff<html><script>alert(1)</script></html>",
    "png magic, junk body": b"\x89PNG\r\n\x1a\n" + b"junk" * 20,
    "cut-short jpeg": cut(saved("JPEG", (200, 150))),
    "cut-short png": cut(saved("PNG", (200, 150))),
    "bomb": saved("PNG", (20_000, 20_000), mode="1"),
    "over the pixel limit": saved("PNG", (40, 30)),
    "over the byte limit": saved("PNG", (300, 300)) + b"\0" * 100_000,
}


@pytest.fixture
def both(app, login):
    """send(body) -> (the blob store's answer, the decoder's answer), each as
    (status, code, message), under the same limits."""
    app.config.update(BLOB_MAX_PIXELS=1000, DECODE_MAX_PIXELS=1000,
                      BLOB_MAX_BYTES=100_000, DECODE_MAX_BYTES=100_000)
    tech = login(Role.TECHNICIAN)

    def send(body: bytes):
        stored = tech.put(f"/api/v1/blobs/{hashlib.sha256(body).hexdigest()}", data=body,
                          content_type="application/octet-stream")
        read = tech.post("/api/v1/decode", data={"image": (io.BytesIO(body), "upload")})
        return [(r.status_code, r.json.get("error", {}).get("code"),
                 r.json.get("error", {}).get("message")) for r in (stored, read)]
    return send


@pytest.mark.parametrize("name", MALFORMED)
def test_the_same_malformed_upload_is_refused_alike_by_both(both, name):
    (status, code, message), (status2, code2, message2) = both(MALFORMED[name])
    assert (status, code) == (status2, code2) and status >= 400, (name, message, message2)
    if code == "not_an_image":  # each names the formats it takes
        assert message == "Only JPEG, PNG and WEBP images are accepted."
        assert message2 == "Only JPEG, PNG, WEBP, GIF, BMP and TIFF images are accepted."
    else:
        assert message == message2


def test_the_codes_are_the_ones_the_apis_always_gave(both):
    expected = {"empty": (400, "empty"), "text": (415, "not_an_image"),
                "cut-short jpeg": (422, "corrupt_image"), "bomb": (413, "too_many_pixels"),
                "over the pixel limit": (413, "too_many_pixels"),
                "over the byte limit": (413, "image_too_large")}
    for name, answer in expected.items():
        assert [r[:2] for r in both(MALFORMED[name])] == [answer, answer], name


def test_each_use_keeps_its_own_formats(both):
    gif = saved("GIF", (20, 20), mode="P")
    (stored, code, _), (read, _, _) = both(gif)
    assert (stored, code, read) == (415, "not_an_image", 200)  # the store serves photos back
    for fmt in ("JPEG", "PNG", "WEBP"):
        assert [r[0] for r in both(saved(fmt, (30, 20)))] == [201, 200], fmt


def test_the_decoder_names_the_field_the_refusal_came_in(both, login):
    reply = login(Role.TECHNICIAN).post("/api/v1/decode", data={
        "image": (io.BytesIO(MALFORMED["over the pixel limit"]), "upload")})
    assert reply.json["error"]["details"] == {"image": "too_many_pixels", "pixels": 1200,
                                              "limit": 1000}
