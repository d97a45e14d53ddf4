"""The phone's scanner in a real Chromium: fake camera in, asset card out."""
import pytest
from PIL import Image
from playwright.sync_api import expect

from app.assets import service
from app.auth.roles import Role
from app.extensions import db
from tests.browser import fakecam
from tests.factories import make_asset, make_location, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def tech(app):
    return make_user(Role.TECHNICIAN)


def test_qr_tag_opens_the_asset_card(app, page, camera, sign_in, tech, live_server):
    room = make_location("HQ-1", "Room 1")
    make_asset(tag="AST-000123", name="Label printer", location=room.code)
    camera(fakecam.qr_frame(f"{live_server.url}/t/AST-000123"))
    sign_in(tech)
    page.click("#start")
    card = page.locator(".asset-card")
    expect(card.locator('[data-f="tag"]')).to_have_text("AST-000123", timeout=10_000)
    expect(card.locator('[data-f="name"]')).to_have_text("Label printer")
    expect(card.locator('[data-f="location_name"]')).to_have_text("Room 1")
    expect(card.locator(".next-actions button")).to_contain_text(["Check out"])
    # No CDN: the decoder's WebAssembly came from this server.
    assert "/static/vendor/zxing-wasm/zxing_reader.wasm" in live_server.hits
    print("decode to card, ms:", page.evaluate("tagtrail.timings"))


def test_code128_tag_opens_the_asset_card(app, page, camera, sign_in, tech):
    make_asset(tag="TAG-98765", name="Pallet jack")
    camera(fakecam.code128_frame("TAG-98765"))
    sign_in(tech)
    page.click("#start")
    expect(page.locator('.asset-card [data-f="name"]')).to_have_text("Pallet jack",
                                                                     timeout=10_000)


def test_unknown_tag_offers_binding_and_binds(app, page, camera, sign_in, tech):
    make_asset(tag="AST-000777", name="Drill")
    camera(fakecam.qr_frame("PRE-0042"))
    sign_in(tech)
    page.click("#start")
    unknown = page.locator(".asset-card.unknown")
    expect(unknown).to_contain_text("No asset carries PRE-0042", timeout=10_000)
    page.click("#stop")
    unknown.locator('input[name="asset"]').fill("AST-000777")
    unknown.locator("button").click()
    expect(page.locator('.asset-card [data-f="name"]')).to_have_text("Drill")
    expect(page.locator("#message")).to_have_text("Label PRE-0042 attached to AST-000777.")


def test_manual_entry_and_keyboard_wedge(app, page, sign_in, tech):
    make_asset(tag="AST-000555", name="Ladder", serial="LD-9")
    sign_in(tech)
    page.fill("#code", "ast-000555")
    page.keyboard.press("Enter")  # what a handheld scanner sends after the code
    expect(page.locator('.asset-card [data-f="name"]')).to_have_text("Ladder")
    page.fill("#code", "ld-9")
    page.click("#manual button")
    expect(page.locator('.asset-card [data-f="serial"]')).to_have_text("LD-9")


def test_photo_fallback_is_decoded_by_the_server(app, page, sign_in, tech, tmp_path):
    make_asset(tag="AST-000888", name="Scanner")
    photo = tmp_path / "photo.jpg"
    fakecam.qr_frame("AST-000888").save(photo, "JPEG")
    sign_in(tech)
    page.set_input_files("#photo", str(photo))
    expect(page.locator('.asset-card [data-f="name"]')).to_have_text("Scanner")


def test_signed_out_phone_is_sent_to_sign_in(app, page):
    page.goto("/scan")
    page.wait_for_url("**/auth/login?next=%2Fscan")


def test_asset_page_sends_wipes_to_the_phone_app_with_the_card_open(app, page, sign_in, tech):
    asset = make_asset(tag="AST-000321", name="Old laptop")
    service.record(asset.tag, "retire", {"reason": "end of life"}, actor=tech)
    db.session.commit()
    sign_in(tech, then=f"/admin/assets/{asset.tag}")
    page.click("text=on the phone app")
    page.wait_for_url("**/scan?tag=AST-000321")
    card = page.locator(".asset-card")
    expect(card.locator('[data-f="name"]')).to_have_text("Old laptop", timeout=10_000)
    expect(card.locator(".next-actions button")).to_contain_text(["Record wipe", "Dispose"])


def test_a_large_photo_is_shrunk_on_the_phone_before_decoding(app, page, sign_in, tech,
                                                               tmp_path):
    make_asset(tag="AST-000889", name="Plotter")
    photo = tmp_path / "big.jpg"
    big = Image.new("RGB", (4000, 3000), "white")
    big.paste(fakecam.qr_frame("AST-000889"), (3000, 2000))  # a label in a corner
    big.save(photo, "JPEG", quality=95)
    sign_in(tech)
    with page.expect_response("**/api/v1/decode") as decoded:
        page.set_input_files("#photo", str(photo))
    [code] = decoded.value.json()["codes"]
    # The label sits at x 3,000–3,640 in the photo: at half size in the 2,000 px copy sent.
    assert 1400 < min(x for x, _ in code["box"]) and max(x for x, _ in code["box"]) < 1900
    expect(page.locator('.asset-card [data-f="name"]')).to_have_text("Plotter")
