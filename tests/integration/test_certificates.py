"""Data-destruction and disposal certificates: issued by the pipeline, read back, verified."""
import hashlib
import io
import uuid

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from app.auth.roles import Role
from app.certificates.models import Certificate
from app.extensions import db
from app.files import store
from app.timeutil import utcnow
from tests.factories import make_asset, make_model, make_person, make_token, make_user

PUBLIC = "https://assets.example.org"


@pytest.fixture
def config(config):
    return config | {"PUBLIC_URL": PUBLIC}


def blob(color="red") -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, "PNG")
    data = out.getvalue()
    return store.put(data, hashlib.sha256(data).hexdigest()).sha256


@pytest.fixture
def phone(app):
    """phone(type, tag, data, base_version=None) -> the sync result for that one event."""
    token = make_token(make_user(Role.TECHNICIAN))

    def send(type_, tag, data, base_version=None, device="phone-1"):
        event = {"id": str(uuid.uuid4()), "type": type_, "asset": tag, "data": data,
                 "occurred_at": utcnow().isoformat() + "Z", "base_version": base_version}
        reply = app.test_client().post("/api/v1/sync", json={
            "device_id": device, "events": [event]},
            headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.data
        return reply.json["results"][0]
    return send


def laptop(tag="AST-000100"):
    return make_asset(tag=tag, name="ThinkPad", serial="SN-LAPTOP-77",
                      model=make_model("ThinkPad T14").name)


def wipe_data(**changes):
    return {"method": "purge", "technique": "cryptographic_erase", "tool": "Blancco 7",
            "verified": True, "operator": "P-OPS", "witness": "Wanda Witness",
            "media_serials": ["NVME-123", "NVME-456"]} | changes


def certificates():
    query = db.select(Certificate).order_by(Certificate.id)
    return db.session.scalars(query).all()


def test_verified_wipe_through_sync_issues_a_readable_certificate(app, phone, login):
    make_person("P-OPS", "Otto Operator")
    asset = laptop()
    photo, sig_op, sig_wit = blob("red"), blob("blue"), blob("green")
    assert phone("retire", asset.tag, {"reason": "old"})["status"] == "applied"
    result = phone("wipe", asset.tag, wipe_data(
        photos=[photo], signatures={"operator": sig_op, "witness": sig_wit}))
    assert result["status"] == "applied", result
    [cert] = certificates()
    assert cert.number == f"DD-{utcnow().year}-000001" and cert.kind == "data_destruction"
    pdf = store.read(cert.sha256)
    assert hashlib.sha256(pdf).hexdigest() == cert.sha256
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for expected in [cert.number, app.config["ORGANISATION"], asset.tag, "ThinkPad",
                     "ThinkPad T14", "SN-LAPTOP-77", "Laptops", "NVME-123, NVME-456",
                     "Purge (NIST SP 800-88)", "Cryptographic erase", "Blancco 7",
                     "Verified: passed", "Otto Operator (P-OPS)", "Wanda Witness"]:
        assert expected in text, expected
    page = pypdfium2.PdfDocument(pdf)[0]
    images = len([o for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])
    assert images == 3  # two signatures and one photo
    codes = [c.data.decode() for c in decode(page.render(scale=200 / 72).to_pil())]
    assert codes == [f"{PUBLIC}/verify/{cert.number}?k={cert.verify_key}"]

    page = login(Role.AUDITOR).get(f"/verify/{cert.number}")  # signed in: everything
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert cert.sha256 in body and "valid" in body and "TAMPERED" not in body
    assert "NVME-123" in body and asset.tag in body
    holder = app.test_client().get(codes[0].removeprefix(PUBLIC))  # the printed link
    assert holder.status_code == 200 and "NVME-123" in holder.get_data(as_text=True)


def test_changed_file_on_disk_is_reported_tampered(app, phone):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    [cert] = certificates()
    path = store.path_for(cert.sha256)
    path.write_bytes(path.read_bytes() + b"%% edited\n")
    body = app.test_client().get(f"/verify/{cert.number}?k={cert.verify_key}").get_data(
        as_text=True)
    assert "TAMPERED" in body and hashlib.sha256(path.read_bytes()).hexdigest() in body
    assert app.test_client().get("/verify/DD-1999-000001").status_code == 404


@pytest.mark.parametrize(("type_", "data", "reason"), [
    ("dispose", {"method": "recycling"}, "wipe it first"),
    ("wipe", wipe_data(witness=""), "witness"),
    ("wipe", wipe_data(photos=["0" * 64]), "No uploaded file"),
    ("wipe", wipe_data(method="burn"), "method"),
    ("dispose", {"method": "recycling", "vendor_certification": "ISO"}, "vendor_certification"),
])
def test_refusals_issue_nothing(app, phone, type_, data, reason):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    result = phone(type_, asset.tag, data)
    assert result["status"] == "rejected" and reason in result["reason"]
    assert certificates() == []


def test_unverified_wipe_issues_nothing_and_leaves_the_asset_retired(app, phone, login):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    assert phone("wipe", asset.tag, wipe_data(verified=False))["status"] == "applied"
    assert certificates() == [] and db.session.get(type(asset), asset.id).status == "retired"
    assert phone("dispose", asset.tag, {"method": "recycling"})["status"] == "rejected"
    reply = login(Role.MANAGER).post("/api/v1/certificates", json={"asset": asset.tag})
    assert reply.status_code == 422 and "no completed" in reply.json["error"]["message"]
    assert certificates() == []


def test_dispose_after_wipe_and_of_an_asset_without_data(app, phone, login):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    assert phone("dispose", asset.tag, {
        "method": "recycling", "vendor": "GreenCycle", "vendor_certification": "R2",
        "weight_kg": 2.5, "residual_value": "0.00"})["status"] == "applied"
    chair = make_asset(tag="CHAIR-1", name="Chair", model=make_model("Chair", "Furniture").name)
    from app.catalog.models import Category
    db.session.scalar(db.select(Category).where(Category.name == "Furniture")).holds_data = False
    db.session.commit()
    phone("retire", chair.tag, {"reason": "broken"})
    assert phone("dispose", chair.tag, {
        "method": "resale", "vendor": "Reuse Co", "vendor_certification": "e-Stewards",
        "residual_value": "12.50", "weight_kg": 7})["status"] == "applied"
    numbers = [c.number for c in certificates()]
    year = utcnow().year
    assert numbers == [f"DD-{year}-000001", f"DC-{year}-000001", f"DC-{year}-000002"]
    text = PdfReader(io.BytesIO(store.read(certificates()[2].sha256))).pages[0].extract_text()
    for expected in ["Certificate of disposal", "resale", "Reuse Co", "e-Stewards", "7.0 kg",
                     "12.50", "CHAIR-1"]:
        assert expected in text, expected
    laptop_text = PdfReader(io.BytesIO(store.read(certificates()[1].sha256))).pages[0] \
        .extract_text()
    assert f"DD-{year}-000001" in laptop_text and "R2" in laptop_text

    listing = login(Role.AUDITOR).get(f"/api/v1/certificates?asset={asset.tag}")
    assert listing.status_code == 200
    assert [sorted(item) for item in listing.json] == [
        ["kind", "number", "pdf_url", "sha256", "verify_url"]] * 2
    first = listing.json[0]
    key = certificates()[0].verify_key
    assert first["verify_url"] == f"{PUBLIC}/verify/DD-{year}-000001?k={key}"
    token = make_token(make_user(Role.AUDITOR))
    pdf = app.test_client().get(first["pdf_url"], headers={"Authorization": f"Bearer {token}"})
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == first["sha256"]
    assert login(Role.AUDITOR).get(f"/certificates/DD-{year}-000001.pdf").data == pdf.data
    assert app.test_client().get(first["pdf_url"]).status_code == 401

    report = login(Role.AUDITOR).get("/admin/certificates/report").get_data(as_text=True)
    assert "12.50" in report and "9.5 kg" in report and "GreenCycle" in report


def test_disposed_asset_cannot_move_any_more(app, phone, login):
    asset = laptop()
    make_person("P-ANN", "Ann")
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    seen = db.session.get(type(asset), asset.id).version
    phone("dispose", asset.tag, {"method": "recycling"})
    current = seen + 1
    for type_, data in [("check_out", {"assignee": "P-ANN"}), ("transfer", {"to_location": "X"}),
                        ("repair", {"symptom": "dead"})]:
        assert phone(type_, asset.tag, data, base_version=current)["status"] == "rejected"
    stale = phone("check_out", asset.tag, {"assignee": "P-ANN"}, base_version=seen - 2,
                  device="phone-2")  # made offline before the wipe and the disposal
    assert stale["status"] == "conflict"
    client = login(Role.MANAGER)
    client.post(f"/admin/assets/{asset.tag}/events", data={
        "type": "repair", "symptom": "dead", "base_version": str(current)})
    assert db.session.get(type(asset), asset.id).status == "disposed"


def test_correction_supersedes_and_both_verify(app, phone, login):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    [old] = certificates()
    assert login(Role.AUDITOR).post(f"/admin/certificates/{old.number}/correct", data={
        "tool": "Blancco 8", "reason": "typo"}).status_code == 403
    reply = login(Role.MANAGER).post(f"/admin/certificates/{old.number}/correct", data={
        "tool": "Blancco 8", "reason": "typo in the tool"})
    assert reply.status_code == 302
    old, new = certificates()
    assert new.supersedes_id == old.id and new.event_id == old.event_id
    assert "Blancco 8" in PdfReader(io.BytesIO(store.read(new.sha256))).pages[0].extract_text()
    old_page = app.test_client().get(f"/verify/{old.number}").get_data(as_text=True)
    new_page = app.test_client().get(f"/verify/{new.number}?k={new.verify_key}").get_data(
        as_text=True)
    assert "superseded" in old_page and new.number in old_page and "TAMPERED" not in old_page
    assert "valid" in new_page and old.number in new_page and "Blancco 8" in new_page
    again = login(Role.MANAGER).post(f"/admin/certificates/{old.number}/correct", data={
        "tool": "X", "reason": "again"})
    assert again.status_code == 302 and len(certificates()) == 2


@pytest.mark.parametrize("weight", ["inf", "Infinity", "NaN", "-1", "1e999", "100001"])
def test_a_correction_takes_only_finite_numbers_in_range(app, phone, login, weight):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    phone("dispose", asset.tag, {"method": "recycling"})
    disposal = next(c for c in certificates() if c.kind == "disposal")
    manager = login(Role.MANAGER)
    reply = manager.post(f"/admin/certificates/{disposal.number}/correct",
                         data={"weight_kg": weight, "reason": "scale"})
    assert reply.status_code == 302
    page = manager.get(reply.headers["Location"]).get_data(as_text=True)
    assert "weight_kg must be a number from 0 to 100,000" in page
    assert len(certificates()) == 2  # the wipe's and the disposal's: nothing issued


def test_a_host_header_never_reaches_a_certificate(app, phone):
    app.config["PUBLIC_URL"] = ""  # neither it nor TRUSTED_HOSTS: development's placeholder
    asset = laptop()
    token = make_token(make_user(Role.TECHNICIAN))
    client = app.test_client()
    for type_, data in (("retire", {"reason": "old"}), ("wipe", wipe_data())):
        reply = client.post("/api/v1/sync", headers={"Authorization": f"Bearer {token}",
                                                     "Host": "evil.example"}, json={
            "device_id": "p", "events": [{"id": str(uuid.uuid4()), "type": type_,
                                          "asset": asset.tag, "data": data}]})
        assert reply.json["results"][0]["status"] == "applied"
    [cert] = certificates()
    assert cert.facts["verify_url"].startswith("http://localhost/verify/")
    pdf = store.read(cert.sha256)
    assert "evil" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    page = pypdfium2.PdfDocument(pdf)[0]
    assert all("evil" not in c.data.decode() for c in decode(page.render(scale=200 / 72).to_pil()))


def test_a_trusted_host_may_be_printed_and_others_are_refused(app, phone):
    app.config.update(PUBLIC_URL="", TRUSTED_HOSTS=["assets.example.org"])
    token = make_token(make_user(Role.TECHNICIAN))
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    refused = client.get("/api/v1/session", headers=headers | {"Host": "evil.example"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "untrusted_host"
    for page in ("/healthz", "/admin/", "/verify/DD-1"):
        assert client.get(page, headers={"Host": "evil.example"}).status_code == 400
    asset = laptop()
    for type_, data in (("retire", {"reason": "old"}), ("wipe", wipe_data())):
        client.post("/api/v1/sync", headers=headers | {"Host": "assets.example.org"}, json={
            "device_id": "p", "events": [{"id": str(uuid.uuid4()), "type": type_,
                                          "asset": asset.tag, "data": data}]})
    [cert] = certificates()
    assert cert.facts["verify_url"].startswith("http://assets.example.org/verify/")


def test_production_issues_no_certificate_without_a_configured_address(app, phone):
    app.config.update(PUBLIC_URL="", ENV_NAME="production")
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    result = phone("wipe", asset.tag, wipe_data())
    assert result["status"] == "rejected" and "TAGTRAIL_PUBLIC_URL" in result["reason"]
    assert certificates() == []


def test_the_bare_number_says_only_whether_the_certificate_exists_and_holds(app, phone):
    make_person("P-OPS", "Otto Operator")
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    [cert] = certificates()
    for url in (f"/verify/{cert.number}", f"/verify/{cert.number}?k=wrong",
                f"/verify/{cert.number}?k="):
        body = app.test_client().get(url).get_data(as_text=True)
        assert "valid" in body
        for secret in (asset.tag, "SN-LAPTOP-77", "Otto Operator", "Wanda Witness", "NVME-123",
                       "Blancco", cert.sha256):
            assert secret not in body, (url, secret)
    path = store.path_for(cert.sha256)
    path.write_bytes(path.read_bytes() + b"%% edited\n")
    assert "TAMPERED" in app.test_client().get(f"/verify/{cert.number}").get_data(as_text=True)


def test_a_certificates_page_offers_only_the_corrections_its_kind_has(app, phone, login):
    asset = laptop()
    phone("retire", asset.tag, {"reason": "old"})
    phone("wipe", asset.tag, wipe_data())
    [cert] = certificates()
    page = login(Role.MANAGER).get(f"/admin/certificates/{cert.number}").get_data(as_text=True)
    assert f"<h1>Data destruction certificate {cert.number}</h1>" in page
    assert 'name="technique"' in page and 'name="vendor"' not in page
    assert 'name="residual_value"' not in page
    ignored = login(Role.MANAGER).post(f"/admin/certificates/{cert.number}/correct",
                                       data={"vendor": "Not on a wipe", "reason": "test"})
    assert ignored.status_code == 302 and len(certificates()) == 1  # nothing to correct
