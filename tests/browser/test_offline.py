"""A day in a basement: the phone app opens, scans and records work with no network, keeps it
through a closed tab, and syncs exactly that when the signal comes back."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.files import store
from app.lifecycle.models import Event
from app.procurement.models import PurchaseRequest
from tests.browser import fakecam
from tests.browser.conftest import ready, record
from tests.factories import make_asset, make_location, make_person, make_user

pytestmark = pytest.mark.browser




def app_hits(server, since: int) -> list[str]:
    """What the page asked the server for since `since`. The browser itself checks /sw.js for
    a new version after a navigation, when it likes, and Playwright's offline switch does not
    hold that check back; it is not the page going to the network."""
    return [path for path in server.hits[since:] if path != "/sw.js"]


def test_offline_work_survives_and_syncs_exactly_once(app, page, context, camera, sign_in,
                                                       live_server, tmp_path):
    make_location("STORE", "Store room"), make_location("LAB", "Lab 2"), make_person("P1")
    asset = make_asset(tag="AST-000123", name="Oscilloscope", status="deployed", assignee="P1")
    camera(fakecam.qr_frame(f"{live_server.url}/t/AST-000123"))
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)

    context.set_offline(True)
    before = len(live_server.hits)
    page.reload()
    ready(page)
    assert app_hits(live_server, before) == []  # the shell came from the service worker
    page.click("#start")
    card = page.locator(".asset-card")
    expect(card.locator('[data-f="tag"]')).to_have_text("AST-000123", timeout=10_000)
    page.click("#stop")
    record(page, "check_in", {"location": "STORE"})
    expect(card.locator('[data-f="location_name"]')).to_have_text("Store room")
    record(page, "transfer", {"to_location": "LAB"})
    expect(card.locator('[data-f="location_name"]')).to_have_text("Lab 2")
    photo = tmp_path / "fault.jpg"
    fakecam.qr_frame("evidence").save(photo, "JPEG")
    record(page, "repair", {"symptom": "Channel 2 dead", "status": "open"}, photo)
    expect(card.locator('[data-f="status"]')).to_have_text("in repair")
    expect(page.locator("#waiting")).to_have_text("3 waiting")
    assert app_hits(live_server, before) == []

    page.close()  # the tab is gone; the outbox must not be
    page = context.new_page()
    page.goto("/scan")
    ready(page)
    expect(page.locator("#waiting")).to_have_text("3 waiting")
    page.fill("#code", "AST-000123")
    page.keyboard.press("Enter")
    work = page.locator('.asset-card [data-f="open_work"]')
    expect(work).to_have_text("In repair · 3 change(s) waiting to sync")

    context.set_offline(False)  # the `online` event sends the outbox
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=10_000)
    expect(page.locator("#last-sync")).to_have_text("all synced")
    expect(work).to_have_text("In repair")  # the card follows the sync
    db.session.expire_all()
    events = db.session.scalars(sa.select(Event).where(Event.asset_id == asset.id)
                                .order_by(Event.seq)).all()
    assert [(e.type, e.outcome) for e in events] == [
        ("create", "applied"), ("check_in", "applied"), ("transfer", "applied"),
        ("repair", "applied")]
    [photo_hash] = events[-1].data["photos"]
    with live_server.app.app_context():  # the server's own blob store
        assert store.read(photo_hash)[:3] == b"\xff\xd8\xff"  # the phone's resized JPEG
    current = db.session.get(Asset, asset.id)
    assert (current.status, current.location.code, current.assignee) == ("in_repair", "LAB", None)


def test_the_card_says_when_work_saved_offline_has_synced(app, page, context, sign_in):
    make_location("STORE", "Store room")
    make_asset(tag="AST-000777", name="Projector", location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    page.fill("#code", "AST-000777")
    page.keyboard.press("Enter")
    context.set_offline(True)
    record(page, "mark_lost", {"note": "not on its shelf"})
    message, work = page.locator("#message"), page.locator('.asset-card [data-f="open_work"]')
    expect(message).to_contain_text("saved on this phone")
    expect(work).to_have_text("1 change(s) waiting to sync")
    context.set_offline(False)
    expect(message).to_have_text("Synced.", timeout=10_000)
    expect(work).to_have_text("None")
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("missing")


def test_expired_sign_in_keeps_the_outbox_until_signed_in_again(app, page, context, sign_in):
    make_location("STORE", "Store room")
    make_asset(tag="AST-000321", name="Drill press")
    tech = make_user(Role.TECHNICIAN)
    sign_in(tech)
    ready(page)
    context.set_offline(True)
    page.fill("#code", "AST-000321")
    page.keyboard.press("Enter")
    record(page, "mark_lost", {"note": "not on its shelf"})
    expect(page.locator("#waiting")).to_have_text("1 waiting")
    context.clear_cookies()  # the session ends while the phone is offline
    context.set_offline(False)
    expect(page.locator("#sync-problem")).to_contain_text("sign-in has expired")
    expect(page.locator("#waiting")).to_have_text("1 waiting")
    sign_in(tech)
    ready(page)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=10_000)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Asset.status).where(Asset.tag == "AST-000321")) == \
        "missing"


def test_manifest_and_service_worker_make_it_installable(page, live_server):
    manifest = page.request.get(f"{live_server.url}/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/scan"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    worker = page.request.get(f"{live_server.url}/sw.js")
    assert worker.headers["cache-control"] == "no-cache"
    body = worker.text()
    assert "__PRECACHE__" not in body and "/static/vendor/zxing-wasm/zxing_reader.wasm" in body


def test_a_new_version_is_offered_not_forced(app, page, sign_in, live_server):
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    old = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    live_server.app.config["RELEASE"] = "-next"  # a deploy
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        expect(page.locator("#update")).to_be_visible(timeout=10_000)
        with page.expect_navigation():  # the new worker takes over, then the page reloads
            page.click("#reload")
        ready(page)
        version = page.evaluate("caches.keys()")
        assert any(key.endswith("-next") for key in version) and old.endswith("/sw.js")
    finally:
        live_server.app.config["RELEASE"] = ""


def test_retiring_can_request_a_replacement_in_the_same_step(app, page, sign_in):
    make_asset(tag="AST-000555", name="Label printer", location=make_location("HQ").code)
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    page.fill("#code", "AST-000555")
    page.keyboard.press("Enter")
    record(page, "retire", {"reason": "print head worn out", "request_replacement": True})
    expect(page.locator("#message")).to_have_text("Retire saved.")
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=10_000)
    db.session.expire_all()
    request = db.session.scalar(sa.select(PurchaseRequest))  # a request, not an asset row
    assert (request.status, request.replaces, request.quantity) == ("submitted", "AST-000555", 1)
    assert request.title == "Replacement for AST-000555 (Label printer)"
    assert "print head worn out" in request.justification
