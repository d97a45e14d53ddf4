"""Scanning: payloads to assets, photos to codes, and labels bound on first scan."""
import io
import threading

import pytest
import qrcode
from PIL import Image

from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.scanning.api import DECODING
from tests.factories import make_asset, make_token, make_user


@pytest.fixture
def api(app):
    token = make_token(make_user(Role.TECHNICIAN))
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def scan(api, payload):
    client, headers = api
    return client.get("/api/v1/scan", query_string={"payload": payload}, headers=headers)


@pytest.mark.parametrize("payload", [
    "AST-000123", "ast-000123", " AST-000123\r\n", "]C0AST-000123",
    "https://tagtrail.example.org/t/AST-000123", "http://192.168.1.20:5000/t/ast-000123"])
def test_scan_finds_the_asset_by_tag_in_any_form(api, payload):
    make_asset(tag="AST-000123", name="Projector")
    reply = scan(api, payload)
    assert reply.status_code == 200
    assert (reply.json["tag"], reply.json["matched_by"]) == ("AST-000123", "tag")


def test_scan_finds_serials_and_extra_codes(api):
    asset = make_asset(tag="AST-000200", serial="5CG1234XYZ")
    apply_event(EventIn("attach_code", asset.tag, {"code": "OLD-77", "kind": "label"}),
                actor=make_user(Role.TECHNICIAN))
    apply_event(EventIn("attach_code", asset.tag, {"code": "012345678905", "kind": "barcode"}),
                actor=make_user(Role.TECHNICIAN))
    db.session.commit()
    assert scan(api, "5cg1234xyz").json["matched_by"] == "serial"
    assert scan(api, "old-77").json["matched_by"] == "code"
    # A UPC-A read back as its 13-digit EAN form still matches.
    assert scan(api, "0012345678905").json["tag"] == "AST-000200"


def test_unknown_payload_is_404_with_candidates_and_binding(api):
    make_asset(tag="AST-000300")
    reply = scan(api, "AST-0003")
    assert reply.status_code == 404
    error = reply.json["error"]
    assert error["code"] == "unknown_payload" and error["details"]["can_bind"] is True
    assert [c["tag"] for c in error["details"]["candidates"]] == ["AST-000300"]
    other = scan(api, "https://shop.example.com/product/9")
    assert other.status_code == 404 and other.json["error"]["details"]["can_bind"] is False
    assert scan(api, "   ").status_code == 422


def test_serial_shared_by_two_assets_is_not_guessed(api):
    make_asset(tag="A1", serial="SAME"), make_asset(tag="A2", serial="SAME")
    reply = scan(api, "SAME")
    assert reply.status_code == 404
    assert {c["tag"] for c in reply.json["error"]["details"]["candidates"]} == {"A1", "A2"}


def photo(text: str, fmt="PNG") -> bytes:
    buf = io.BytesIO()
    qrcode.make(text).get_image().convert("RGB").save(buf, fmt)
    return buf.getvalue()


def test_decode_reads_a_photo(api):
    client, headers = api
    reply = client.post("/api/v1/decode", headers=headers,
                        data={"image": (io.BytesIO(photo("AST-000123", "JPEG")), "p.jpg")})
    assert reply.status_code == 200
    [code] = reply.json["codes"]
    assert (code["text"], code["format"], len(code["box"])) == ("AST-000123", "qr_code", 4)


def test_decode_of_a_blank_photo_finds_nothing(api):
    client, headers = api
    buf = io.BytesIO()
    Image.new("L", (300, 200), 255).save(buf, "PNG")
    reply = client.post("/api/v1/decode", headers=headers,
                        data={"image": (io.BytesIO(buf.getvalue()), "blank.png")})
    assert reply.json == {"codes": []}


def bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(("body", "status", "code"), [
    (b"", 400, "empty"),
    (b"%PDF-1.7 not a photo", 415, "not_an_image"),
    (photo("x")[:200], 422, "corrupt_image"),
    (bomb(), 413, "too_many_pixels"),
])
def test_decode_refuses_bad_uploads_clearly(api, body, status, code):
    client, headers = api
    reply = client.post("/api/v1/decode", headers=headers,
                        data={"image": (io.BytesIO(body), "upload.bin")})
    assert (reply.status_code, reply.json["error"]["code"]) == (status, code)
    assert reply.json["error"]["message"]


def test_decode_refuses_uploads_over_the_byte_limit(app, api):
    client, headers = api
    app.config["DECODE_MAX_BYTES"] = 1000
    reply = client.post("/api/v1/decode", headers=headers,
                        data={"image": (io.BytesIO(photo("AST-1")), "big.png")})
    assert (reply.status_code, reply.json["error"]["code"]) == (413, "image_too_large")


def test_decode_without_the_field_is_a_400(api):
    client, headers = api
    reply = client.post("/api/v1/decode", headers=headers, data={"photo": "x"})
    assert reply.status_code == 400 and "'image'" in reply.json["error"]["message"]


def test_decode_is_for_field_roles(app):
    # Reading photos costs the server memory and a core; auditors only read the register.
    for role, status in [(Role.AUDITOR, 403), (Role.MANAGER, 200), (Role.TECHNICIAN, 200)]:
        headers = {"Authorization": f"Bearer {make_token(make_user(role))}"}
        reply = app.test_client().post("/api/v1/decode", headers=headers,
                                       data={"image": (io.BytesIO(photo("AST-1")), "p.png")})
        assert reply.status_code == status, role


def test_decode_answers_busy_while_another_photo_is_read(app, api):
    client, headers = api
    app.config["DECODE_WAIT_SECONDS"] = 0.2
    assert DECODING.acquire(timeout=1)  # as a decode in another thread would
    try:
        reply = client.post("/api/v1/decode", headers=headers,
                            data={"image": (io.BytesIO(photo("AST-1")), "p.png")})
    finally:
        DECODING.release()
    assert reply.status_code == 503 and reply.headers["Retry-After"].isdigit()
    assert reply.json["error"]["code"] == "busy" and reply.json["error"]["message"]
    again = client.post("/api/v1/decode", headers=headers,
                        data={"image": (io.BytesIO(photo("AST-1")), "p.png")})
    assert [c["text"] for c in again.json["codes"]] == ["AST-1"]


def test_decode_waits_briefly_for_another_photo(app, api):
    client, headers = api
    app.config["DECODE_WAIT_SECONDS"] = 5
    assert DECODING.acquire(timeout=1)
    threading.Timer(0.3, DECODING.release).start()  # the other decode ends in a moment
    reply = client.post("/api/v1/decode", headers=headers,
                        data={"image": (io.BytesIO(photo("AST-2")), "p.png")})
    assert reply.status_code == 200 and [c["text"] for c in reply.json["codes"]] == ["AST-2"]


def test_tag_url_redirects_to_the_asset_after_sign_in(app, login):
    make_asset(tag="AST-000123")
    anonymous = app.test_client().get("/t/ast-000123")
    assert anonymous.status_code == 302 and "/auth/login?next=/t/ast-000123" in \
        anonymous.headers["Location"]
    reply = login(Role.AUDITOR).get("/t/ast-000123")
    assert reply.status_code == 302 and reply.headers["Location"] == "/admin/assets/AST-000123"


def test_unknown_label_is_bound_on_first_scan(app, login):
    make_asset(tag="AST-000500")
    tech = login(Role.TECHNICIAN)
    page = tech.get("/t/PRE-0001")
    assert page.status_code == 404 and b"Attach this label" in page.data
    bound = tech.post("/t/PRE-0001/attach", data={"asset": "AST-000500"})
    assert bound.headers["Location"] == "/admin/assets/AST-000500"
    assert tech.get("/t/pre-0001").headers["Location"] == "/admin/assets/AST-000500"
    again = tech.post("/t/PRE-0001/attach", data={"asset": "AST-000500"}, follow_redirects=True)
    assert b"already belongs to AST-000500" in again.data


def test_auditor_cannot_bind_labels(app, login):
    make_asset(tag="AST-000600")
    auditor = login(Role.AUDITOR)
    assert b"Attach this label" not in auditor.get("/t/PRE-9").data
    assert auditor.post("/t/PRE-9/attach", data={"asset": "AST-000600"}).status_code == 403


@pytest.mark.parametrize("code", ["5CG1234XYZ", "5cg1234xyz"])
def test_a_code_that_is_another_assets_serial_is_refused(api, code):
    make_asset(tag="AST-000700", serial="5CG1234XYZ")
    other = make_asset(tag="AST-000701")
    outcome = apply_event(EventIn("attach_code", other.tag, {"code": code}),
                          actor=make_user(Role.TECHNICIAN))
    assert outcome.status == "rejected" and outcome.code == "duplicate"
    assert "the serial number of AST-000700" in outcome.reason
    db.session.commit()
    assert scan(api, code).json["tag"] == "AST-000700"  # the scan still opens the right one


def test_an_asset_may_carry_its_own_serial_as_a_code(api):
    asset = make_asset(tag="AST-000702", serial="SN-702")
    outcome = apply_event(EventIn("attach_code", asset.tag, {"code": "sn-702"}),
                          actor=make_user(Role.TECHNICIAN))
    assert outcome.status == "applied"


@pytest.mark.parametrize(("event_type", "tag", "data"), [
    ("create", "", {"tag": "NEW-1", "name": "x", "serial": "OLD-77"}),  # another's code
    ("create", "", {"tag": "NEW-1", "name": "x", "serial": "ast-000800"}),  # another's tag
    ("create", "", {"tag": "5CG0000800", "name": "x"}),  # a tag that is another's serial
    ("update", "AST-000801", {"serial": "OLD-77"})])
def test_a_tag_or_serial_that_already_names_another_asset_is_refused(api, event_type, tag,
                                                                        data):
    first = make_asset(tag="AST-000800", serial="5CG0000800")
    apply_event(EventIn("attach_code", first.tag, {"code": "OLD-77"}), actor=make_user())
    make_asset(tag="AST-000801")
    outcome = apply_event(EventIn(event_type, tag, data), actor=make_user(Role.ADMIN))
    assert outcome.status == "rejected" and "AST-000800" in outcome.reason, outcome.reason
