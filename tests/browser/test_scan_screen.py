"""The scan screen, as a technician with a handheld scanner uses it: what the server would
refuse is refused on the phone first, in the server's words; the next scan always lands
somewhere; a typed name finds assets; and the top bar says who is signed in."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.assets import service as assets
from app.auth.roles import Role
from app.certificates.events import NEEDS_WIPE
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus, next_events
from app.org.service import UNKNOWN_PERSON
from tests.browser.conftest import ready, record, show
from tests.browser.test_pages import axe_findings
from tests.factories import make_asset, make_location, make_model, make_person, make_user

pytestmark = pytest.mark.browser


def open_form(page, action):
    page.click(f'.asset-card button[data-action="{action}"]')
    expect(page.locator("#action")).to_have_attribute("open", "")


def focused(page) -> str:
    return page.evaluate("document.activeElement?.id ?? ''")


def applied(type_: str) -> list[Event]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Event).where(Event.type == type_,
                                                     Event.outcome == "applied")).all()


def test_a_check_out_to_a_typed_name_is_refused_before_saving(app, page, context, sign_in):
    make_location("STORE", "Store room")
    make_person("P-OLGA", name="Olga Novak", email="olga.novak@example.org")
    make_person("P-SAM", name="Sam Reyes")
    asset = make_asset(tag="AST-000200", name="Drill", location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    context.set_offline(True)
    show(page, asset.tag)

    page.click('.asset-card button[data-action="check_out"]')
    missing = "assignee: Missing data for required field."  # what the server answers
    page.click('#action-form button[value="save"]')
    assert page.eval_on_selector("#f-assignee", "e => e.validationMessage") == missing
    page.fill("#f-assignee", "   ")
    page.click('#action-form button[value="save"]')
    expect(page.locator("#action-error")).to_have_text(missing)
    page.fill("#f-assignee", "Tom Berg")
    page.click('#action-form button[value="save"]')
    expect(page.locator("#action-error")).to_have_text(UNKNOWN_PERSON.format(value="Tom Berg"))
    expect(page.locator("#action")).to_have_attribute("open", "")
    assert page.evaluate("tagtrail.outbox.list()") == []
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("in stock")

    page.fill("#f-assignee", "")
    page.locator("#f-assignee").press_sequentially("nov")  # part of her name
    suggestion = page.locator(".suggestions li")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Olga Novak")
    suggestion.click()
    expect(page.locator("#f-assignee")).to_have_value("P-OLGA")
    expect(page.locator(".picked").first).to_have_text("Olga Novak")
    page.click('#action-form button[value="save"]')
    expect(page.locator("#message")).to_contain_text("Check out saved on this phone")
    expect(page.locator('.asset-card [data-f="assignee_name"]')).to_have_text("Olga Novak")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)
    [event] = applied("check_out")
    assert event.data["assignee"] == "P-OLGA"


def test_an_e_mail_typed_whole_is_a_person_the_server_takes(app, page, sign_in):
    make_location("STORE", "Store room")
    make_person("P-OLGA", name="Olga Novak", email="olga.novak@example.org")
    asset = make_asset(tag="AST-000201", name="Drill", location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    show(page, asset.tag)
    record(page, "check_out", {"assignee": "Olga.Novak@example.org"})
    expect(page.locator("#message")).to_have_text("Check out saved.")
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)
    [event] = applied("check_out")
    assert event.data["assignee"] == "P-OLGA"


def test_disposing_of_unwiped_data_is_refused_until_a_verified_wipe(app, page, context, sign_in):
    make_person("P1", name="Olga Novak"), make_person("P2", name="Sam Reyes")
    laptop = make_asset(tag="AST-000210", name="Finance laptop",
                        model=make_model("EliteBook 840").name, location=make_location().code)
    assets.record(laptop.tag, "retire", {"reason": "end of life"}, actor=make_user(Role.MANAGER))
    db.session.commit()
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    context.set_offline(True)
    show(page, laptop.tag)

    record(page, "dispose", {"method": "recycling", "vendor": "GreenCycle Ltd"})
    expect(page.locator("#action-error")).to_have_text(NEEDS_WIPE.format(tag=laptop.tag))
    assert page.evaluate("tagtrail.outbox.list()") == []
    page.click('#action-form button[value="cancel"]')

    record(page, "wipe", {"method": "purge", "technique": "cryptographic_erase",
                          "witness": "P2", "verified": True})
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("wiped")
    record(page, "dispose", {"method": "recycling", "vendor": "GreenCycle Ltd"})
    expect(page.locator("#message")).to_contain_text("Dispose saved on this phone")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)
    assert len(applied("wipe")) == len(applied("dispose")) == 1


def test_the_card_offers_only_what_the_server_allows(app, page, sign_in):
    store = make_location("STORE", "Store room")
    person = make_person("P1", name="Olga Novak")
    manager = make_user(Role.MANAGER)
    make_asset(tag="AST-000220", name="Drill", location=store.code)
    make_asset(tag="AST-000221", name="Drill", location=store.code, assignee=person.code,
               status="deployed")
    make_asset(tag="AST-000222", name="Drill", location=store.code)
    assets.record("AST-000222", "retire", {"reason": "old"}, actor=manager)
    make_asset(tag="AST-000223", name="Drill", location=store.code)
    assets.record("AST-000223", "repair", {"symptom": "noise", "status": "open"}, actor=manager)
    db.session.commit()
    on_card = [k.name for k in types.REGISTERED.values() if types.CARD in k.offered
               and k.from_devices]
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    for tag, status in [("AST-000220", "in_stock"), ("AST-000221", "deployed"),
                        ("AST-000222", "retired"), ("AST-000223", "in_repair")]:
        show(page, tag)
        allowed = [n for n in next_events(AssetStatus(status), Role.TECHNICIAN) if n in on_card]
        buttons = page.locator(".asset-card .next-actions button")
        expect(buttons).to_have_count(len(allowed))
        assert buttons.evaluate_all("bs => bs.map(b => b.dataset.action)") == allowed, status
    # A repair can only be closed on an asset in repair: this one is, so closing is offered.
    page.click('.asset-card button[data-action="repair"]')
    expect(page.locator("#f-status option")).to_contain_text(["Repair done, back to stock"])


def test_the_code_field_keeps_the_next_scan(app, page, sign_in):
    make_location("STORE", "Store room"), make_location("LAB-2", "Second floor lab")
    first = make_asset(tag="AST-000230", name="Drill", location="STORE")
    second = make_asset(tag="AST-000231", name="Ladder", location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    expect(page.locator("#code")).to_be_focused()  # on opening the page
    page.keyboard.type(first.tag + "\n")
    expect(page.locator('.asset-card [data-f="tag"]')).to_have_text(first.tag)

    # With the transfer form open and focus in its note, a room's tag lands in its place.
    open_form(page, "transfer")
    page.focus("#f-note")
    page.keyboard.type("LAB-2\n")
    expect(page.locator("#f-to_location")).to_have_value("LAB-2")
    expect(page.locator("#f-note")).to_have_value("")
    expect(page.locator("#action")).to_have_attribute("open", "")
    page.click('#action-form button[value="save"]')
    expect(page.locator("#message")).to_have_text("Transfer saved.")
    expect(page.locator("#code")).to_be_focused()  # after saving
    expect(page.locator('.asset-card [data-f="location_name"]')).to_have_text("Second floor lab")

    # Focus on nothing in particular: the scan still lands, and the card follows it.
    page.click('.asset-card h2')
    assert focused(page) != "code"
    page.keyboard.type(second.tag + "\n")
    expect(page.locator('.asset-card [data-f="tag"]')).to_have_text(second.tag)
    expect(page.locator("#code")).to_be_focused()

    # A form with nowhere for a code: the scan is refused out loud, with a buzz.
    page.evaluate("() => { window.buzzes = []; navigator.vibrate = (p) => buzzes.push(p) > 0; }")
    open_form(page, "retire")
    page.focus("#f-reason")
    page.keyboard.type(first.tag + "\n")
    expect(page.locator("#action-error")).to_contain_text(f"Scanned {first.tag}")
    expect(page.locator("#f-reason")).to_have_value("")
    expect(page.locator("#action")).to_have_attribute("open", "")
    assert page.evaluate("buzzes.length") >= 1
    page.click('#action-form button[value="cancel"]')
    expect(page.locator("#code")).to_be_focused()
    expect(page.locator('.asset-card [data-f="tag"]')).to_have_text(second.tag)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)
    [moved] = applied("transfer")
    assert moved.data["to_location"] == "LAB-2" and "note" not in moved.data
    assert applied("retire") == []

    # A person typing at a person's pace is typing, not scanning: Enter saves their words.
    open_form(page, "retire")
    page.locator("#f-reason").press_sequentially("worn out", delay=120)
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text("Retire saved.")
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)
    [retired] = applied("retire")
    assert retired.data["reason"] == "worn out"


def test_a_typed_name_finds_assets_offline(app, page, context, sign_in):
    room = make_location("STORE", "Store room")
    make_asset(tag="AST-000240", name="Cordless drill", location=room.code)
    make_asset(tag="AST-000241", name="Drill press", location=room.code)
    make_asset(tag="AST-000242", name="Ladder", location=room.code)
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    context.set_offline(True)
    page.fill("#code", "drill")
    page.keyboard.press("Enter")
    found = page.locator(".matches .candidates a")
    expect(found).to_have_count(2)
    expect(found).to_contain_text(["AST-000240 · Cordless drill", "AST-000241 · Drill press"])
    found.nth(1).click()
    expect(page.locator('.asset-card [data-f="tag"]')).to_have_text("AST-000241")


def test_the_phone_says_who_is_signed_in_and_signs_out(app, page, sign_in):
    user = make_user(Role.TECHNICIAN, name="Tess Tech")
    sign_in(user)
    page.goto("/")  # a technician lands in the field app
    page.wait_for_url("**/scan")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#who")).to_have_text("Tess Tech · technician")
    ready(page)
    page.click('#sign-out button')
    page.wait_for_url("**/auth/login**")
    assert page.request.get("/api/v1/session").status == 401


def test_the_scan_screen_fits_and_passes_axe(app, page, sign_in):
    make_location("STORE", "Store room"), make_person("P1", name="Olga Novak")
    asset = make_asset(tag="AST-000250", name="A drill with a fairly long name for a phone",
                       location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        show(page, asset.tag)
        assert axe_findings(page) == []
        page.click('.asset-card button[data-action="check_out"]')
        page.locator("#f-assignee").press_sequentially("olg")
        expect(page.locator(".suggestions li")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_findings(page) == []
        page.click('#action-form button[value="cancel"]')
        expect(page.locator("#action")).not_to_have_attribute("open", "")  # closed before on
