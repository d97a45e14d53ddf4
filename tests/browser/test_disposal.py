"""The end of an asset's life, recorded on a phone with no signal: a witnessed wipe with a
photo and drawn signatures, then the disposal; certificates come out of the sync."""
import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from tests.browser import fakecam
from tests.browser.conftest import record, wait_for
from tests.factories import (
    make_asset,
    make_location,
    make_model,
    make_person,
    make_token,
    make_user,
)

pytestmark = pytest.mark.browser
SIGNERS = ("operator", "witness")






def test_wipe_and_disposal_offline_issue_certificates(app, page, context, sign_in, live_server,
                                                      tmp_path):
    make_person("P1", name="Olga Novak"), make_person("P2", name="Sam Reyes")
    laptop = make_asset(tag="AST-000777", name="Finance laptop", serial="5CG77",
                        model=make_model("EliteBook 840").name, location=make_location().code)
    manager = make_user(Role.MANAGER)
    assets.record(laptop.tag, "retire", {"reason": "end of life"}, actor=manager)
    db.session.commit()
    sign_in(make_user(Role.TECHNICIAN))
    wait_for(page, "globalThis.tagtrail && navigator.serviceWorker.controller")
    page.evaluate("tagtrail.ready")

    context.set_offline(True)
    page.fill("#code", laptop.tag)
    page.keyboard.press("Enter")
    photo = tmp_path / "drive.jpg"
    fakecam.qr_frame("drive S1 before shredding").save(photo, "JPEG")
    record(page, "wipe", {"method": "purge", "technique": "cryptographic_erase",
                        "tool": "Blancco 7.2", "media_serials": "S1, S2", "operator": "P1",
                        "witness": "P2", "verified": True}, photo, SIGNERS)
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("wiped")
    record(page, "dispose", {"method": "recycling", "vendor": "GreenCycle Ltd",
                             "vendor_certification": "R2", "weight_kg": "2.4"}, sign=SIGNERS)
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("disposed")
    expect(page.locator("#waiting")).to_have_text("2 waiting")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)

    headers = {"Authorization": f"Bearer {make_token(manager)}"}
    listed = page.request.get(f"{live_server.url}/api/v1/certificates?asset={laptop.tag}",
                              headers=headers).json()
    assert sorted(c["kind"] for c in listed) == ["data_destruction", "disposal"]
    wipe_cert = next(c for c in listed if c["kind"] == "data_destruction")
    pdf = page.request.get(wipe_cert["pdf_url"], headers=headers)
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.body()))
    text = " ".join(p.extract_text() for p in reader.pages)
    for expected in (wipe_cert["number"], laptop.tag, "5CG77", "Blancco 7.2", "S1", "S2",
                     "Olga Novak", "Sam Reyes"):
        assert expected in text
    images = sum(len(p.images) for p in reader.pages)
    assert images == 3  # the evidence photo and both signatures
    verify = page.request.get(wipe_cert["verify_url"])
    assert verify.ok and wipe_cert["sha256"] in verify.text()
