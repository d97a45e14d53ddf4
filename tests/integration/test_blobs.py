"""Photo storage: content-addressed PUT/GET /api/v1/blobs/<sha256>, idempotent and checked."""
import hashlib
import io
import re
import threading
from pathlib import Path

import pytest
from PIL import Image

from app import create_app, images
from app.auth.roles import Role
from app.extensions import db
from app.files import store
from tests.factories import PASSWORD, make_token, make_user


@pytest.fixture
def tech(login):
    return login(Role.TECHNICIAN)


def picture(fmt="JPEG", size=(64, 48)) -> bytes:
    image = Image.new("RGB", size)
    image.putdata([(x * 4 % 256, y * 5 % 256, (x * y) % 256)
                   for y in range(size[1]) for x in range(size[0])])
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(client, data: bytes, name: str | None = None, **kwargs):
    return client.put(f"/api/v1/blobs/{name or sha(data)}", data=data,
                      content_type="image/jpeg", **kwargs)


def get(client, name: str, method="GET", **kwargs):
    # buffered: the test client then closes the streamed file, as a real server does.
    return client.open(f"/api/v1/blobs/{name}", method=method, buffered=True, **kwargs)


def stored_files() -> list:
    """Every file under the blob folder, temporary ones included."""
    return [p for p in store.root().rglob("*") if p.is_file()]


@pytest.mark.parametrize(("fmt", "mime"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_a_photo_is_stored_and_served_back(tech, fmt, mime):
    data = picture(fmt)
    reply = put(tech, data)
    assert reply.status_code == 201
    assert reply.json == {"sha256": sha(data), "size": len(data), "type": mime}
    assert reply.headers["Location"] == f"/api/v1/blobs/{sha(data)}"
    assert store.path_for(sha(data)).read_bytes() == data

    got = get(tech, sha(data))
    assert (got.status_code, got.data, got.mimetype) == (200, data, mime)
    assert got.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    head = get(tech, sha(data), "HEAD")
    assert (head.status_code, head.data) == (200, b"")
    assert head.headers["Content-Length"] == str(len(data))
    again = get(tech, sha(data), headers={"If-None-Match": f'"{sha(data)}"'})
    assert again.status_code == 304


def test_the_store_lays_files_out_by_hash(app):
    data = picture()
    name = sha(data)
    blob = store.put(data, name)
    assert blob.created and store.exists(name)
    assert store.path_for(name) == store.root() / name[:2] / name[2:4] / name
    assert store.root() == Path(app.instance_path, "blobs")
    assert store.read(name) == data
    with store.open(name) as f:
        assert f.read() == data


def test_blob_dir_overrides_the_folder(app, tmp_path):
    app.config["BLOB_DIR"] = str(tmp_path / "elsewhere")
    data = picture()
    store.put(data, sha(data))
    assert (tmp_path / "elsewhere" / sha(data)[:2] / sha(data)[2:4] / sha(data)).is_file()


def test_a_retried_upload_is_a_no_op(tech):
    data = picture()
    first = put(tech, data)
    before = store.path_for(sha(data)).stat()
    retry = put(tech, data)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json == first.json
    after = store.path_for(sha(data)).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_wrong_hash_is_refused_and_nothing_is_stored(app, tech):
    data, other = picture(), picture("PNG")
    reply = put(tech, data, name=sha(other))
    assert reply.status_code == 422
    error = reply.json["error"]
    assert error["code"] == "hash_mismatch" and "does not match" in error["message"]
    assert error["details"] == {"expected": sha(other), "actual": sha(data)}
    assert stored_files() == []
    # A damaged retry of a stored photo is refused too, and the stored copy stays as it was.
    put(tech, other)
    assert put(tech, other[:-1], name=sha(other)).status_code == 422
    assert store.read(sha(other)) == other


def gif() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (8, 8)).save(buf, "GIF")
    return buf.getvalue()


@pytest.mark.parametrize("body", [
    b"just some text",
    b"<!doctype html><html><script>alert(1)</script></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF",
    gif(),
], ids=["text", "html", "svg", "pdf", "gif"])
def test_anything_but_a_photo_is_refused_as_415(app, tech, body):
    reply = put(tech, body)
    assert reply.status_code == 415
    assert reply.json["error"]["code"] == "not_an_image"
    assert "JPEG, PNG and WEBP" in reply.json["error"]["message"]
    assert stored_files() == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_photo_is_refused_as_422(app, tech, fmt):
    data = picture(fmt, size=(200, 150))
    cut = data[:len(data) // 2]
    reply = put(tech, cut)
    assert (reply.status_code, reply.json["error"]["code"]) == (422, "corrupt_image")
    assert "damaged or incomplete" in reply.json["error"]["message"]
    assert stored_files() == []


def test_a_photo_whose_body_is_not_what_its_magic_says_is_refused(tech):
    reply = put(tech, b"\xff\xd8\xff<html><script>alert(1)</script></html>")
    assert (reply.status_code, reply.json["error"]["code"]) == (415, "not_an_image")


def test_an_empty_upload_is_a_400(tech):
    reply = put(tech, b"")
    assert (reply.status_code, reply.json["error"]["code"]) == (400, "empty")


def test_a_photo_over_the_byte_limit_is_a_413(app, tech):
    app.config["BLOB_MAX_BYTES"] = 1000
    data = picture()
    assert len(data) > 1000
    reply = put(tech, data)
    assert (reply.status_code, reply.json["error"]["code"]) == (413, "image_too_large")
    assert "1,000 bytes limit" in reply.json["error"]["message"]
    with pytest.raises(images.TooLarge):  # the store checks too, for bodies of unknown length
        store.put(data, sha(data))
    assert stored_files() == []


def test_a_photo_over_the_pixel_limit_is_a_413(app, tech):
    app.config["BLOB_MAX_PIXELS"] = 1000
    reply = put(tech, picture(size=(40, 30)))  # 1,200 pixels
    assert (reply.status_code, reply.json["error"]["code"]) == (413, "too_many_pixels")
    assert "40x30" in reply.json["error"]["message"]
    assert stored_files() == []


@pytest.mark.parametrize("name", [
    "A" * 64, "a" * 63, "a" * 65, "g" * 64, "photo.jpg", "%2e%2e"])
def test_a_malformed_name_is_a_400(tech, name):
    for reply in (put(tech, picture(), name=name), get(tech, name)):
        assert reply.status_code == 400
        assert reply.json["error"]["code"] == "invalid_sha256"
        assert "64 lowercase hexadecimal" in reply.json["error"]["message"]


def test_an_unknown_blob_is_a_404(tech):
    reply = get(tech, "0" * 64)
    assert (reply.status_code, reply.json["error"]["code"]) == (404, "not_found")


def test_an_auditor_may_look_but_not_upload(login, tech):
    data = picture()
    put(tech, data)
    auditor = login(Role.AUDITOR)
    refused = put(auditor, picture("PNG"))
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")
    assert get(auditor, sha(data)).data == data


def test_without_signing_in_it_is_a_401(client, tech):
    data = picture()
    put(tech, data)
    for reply in (put(client, picture("PNG")), get(client, sha(data))):
        assert reply.status_code == 401 and reply.json["error"]["code"] == "unauthorized"


def test_a_bearer_token_works_too(app):
    token = make_token(make_user(Role.TECHNICIAN))
    data = picture()
    reply = put(app.test_client(), data, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 201


def test_a_session_upload_needs_the_csrf_header(config):
    app = create_app(config | {"WTF_CSRF_ENABLED": True})
    with app.app_context():
        user = make_user(Role.TECHNICIAN)
        phone = app.test_client()
        page = phone.get("/auth/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)[1]
        phone.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                        "csrf_token": token.decode()})
        data = picture()
        refused = put(phone, data)
        assert (refused.status_code, refused.json["error"]["code"]) == (400, "csrf_failed")
        assert put(phone, data, headers={"X-CSRFToken": token.decode()}).status_code == 201
        db.session.remove()
        db.engine.dispose()


def test_a_crash_mid_write_leaves_no_file_behind(app, monkeypatch):
    def crash(*_args):
        raise OSError("disk pulled")

    monkeypatch.setattr("app.files.store.os.replace", crash)
    data = picture()
    with pytest.raises(OSError):
        store.put(data, sha(data))
    assert stored_files() == []  # neither the final name nor the temp file


def test_two_phones_uploading_the_same_photo_at_once_both_succeed(app):
    data = picture(size=(400, 300))
    clients = [app.test_client(user=make_user(Role.TECHNICIAN)) for _ in range(2)]
    start, statuses = threading.Barrier(2), []

    def upload(client):
        with app.app_context():  # each thread has its own context and session
            start.wait()
            statuses.append(put(client, data).status_code)

    threads = [threading.Thread(target=upload, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) in ([200, 201], [201, 201])
    assert store.read(sha(data)) == data
    assert stored_files() == [store.path_for(sha(data))]


def test_cut_short_photos_are_refused_even_after_a_pdf_was_made(app, tech):
    from app.pdf import html_to_pdf
    html_to_pdf("<p>WeasyPrint, once imported, tells Pillow to accept truncated images.</p>")
    cut = picture("JPEG", size=(200, 150))
    reply = put(tech, cut[:len(cut) // 2])
    assert (reply.status_code, reply.json["error"]["code"]) == (422, "corrupt_image")
