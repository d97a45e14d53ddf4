"""The phone learns its actions from the server: the card's buttons, the form's fields and the
change it expects come from the event types in the catalogue, also offline after a reload."""
import dataclasses

import pytest
import sqlalchemy as sa
from marshmallow import fields
from playwright.sync_api import expect

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.models import Event
from app.lifecycle.types import EventData
from tests.browser.conftest import ready, record, show
from tests.factories import make_asset, make_location, make_person, make_user

pytestmark = pytest.mark.browser


def describe_hand_out(monkeypatch):
    """The live server describes check-out anew: another label, a field added (a badge
    number) and one gone (the location). Its handler stays the same, and keeps the extra
    field as it keeps any field newer than itself."""
    class HandOutData(EventData):
        assignee = fields.Str(required=True, metadata={"kind": "person", "label": "Person",
                                                       "sets": "custody"})
        badge = fields.Str(required=True, metadata={"label": "Badge number"})

    kind = dataclasses.replace(types.REGISTERED["check_out"], label="Hand out",
                               schema=HandOutData)
    monkeypatch.setitem(types._registered, "check_out", kind)  # put back after the test


def forget_event_types(page):
    """What a phone updated from a version that kept no event types has: the register, and
    the actions per status, but nothing to build forms from."""
    page.evaluate("""() => new Promise((done, fail) => {
        const open = indexedDB.open("tagtrail");
        open.onerror = fail;
        open.onsuccess = () => {
          const tx = open.result.transaction("meta", "readwrite");
          tx.objectStore("meta").delete("event_types");
          tx.oncomplete = () => { open.result.close(); done(); };
        };
    })""")


def test_buttons_and_fields_follow_the_servers_description(app, page, sign_in, monkeypatch):
    make_location("STORE", "Store room"), make_person("P1", name="Olga Novak")
    asset = make_asset(tag="AST-000100", name="Drill", location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    show(page, asset.tag)
    button = page.locator('.asset-card button[data-action="check_out"]')
    expect(button).to_have_text("Check out")
    button.click()
    expect(page.locator('label[for="f-location"]')).to_have_text("Location (optional)")
    expect(page.locator("#f-badge")).to_have_count(0)
    page.click('#action-form button[value="cancel"]')

    describe_hand_out(monkeypatch)
    page.reload()  # the phone refreshes its catalogue as it starts
    ready(page)
    show(page, asset.tag)
    expect(button).to_have_text("Hand out")
    button.click()
    expect(page.locator("#action-title")).to_have_text("Hand out · AST-000100")
    expect(page.locator("#action-fields label")).to_have_text(  # in the server's order
        ["Person", "Badge number", "Note (optional)"])
    expect(page.locator("#f-badge")).to_have_attribute("required", "")
    expect(page.locator("#f-location")).to_have_count(0)
    page.click('#action-form button[value="cancel"]')
    record(page, "check_out", {"assignee": "P1", "badge": "B-7"})
    expect(page.locator("#message")).to_have_text("Hand out saved.")
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
    db.session.expire_all()
    event = db.session.scalar(sa.select(Event).where(Event.type == "check_out"))
    assert (event.outcome, event.data["assignee"], event.data["badge"]) == ("applied", "P1", "B-7")


def test_the_cached_description_builds_forms_offline(app, page, context, sign_in, monkeypatch):
    make_location("STORE", "Store room"), make_person("P1", name="Olga Novak")
    asset = make_asset(tag="AST-000101", name="Drill", location="STORE")
    describe_hand_out(monkeypatch)
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)

    context.set_offline(True)
    page.reload()  # nothing in memory any more: only what IndexedDB and the cache keep
    ready(page)
    show(page, asset.tag)
    expect(page.locator(".asset-card .next-actions button")).to_contain_text(
        ["Check in", "Hand out", "Transfer", "Log repair", "Retire", "Mark lost"])
    page.click('.asset-card button[data-action="repair"]')
    expect(page.locator("#action-fields label")).to_have_text(
        ["Symptom", "Work done (optional)", "Parts (optional)", "Cost (optional)",
         "Minutes spent (optional)", "Repair (optional)", "Note (optional)"])
    status = page.locator("#f-status")
    # Closing a repair is for an asset in repair: this one is in stock, so it is not offered.
    expect(status.locator("option")).to_have_text(["Just log it", "Asset goes to repair"])
    expect(page.locator("#f-symptom")).to_have_attribute("required", "")
    page.click('#action-form button[value="cancel"]')
    record(page, "check_out", {"assignee": "P1", "badge": "B-8"})
    expect(page.locator("#message")).to_contain_text("Hand out saved on this phone")
    expect(page.locator("#waiting")).to_have_text("1 waiting")
    [queued] = page.evaluate("tagtrail.outbox.list()")
    assert (queued["type"], queued["data"]) == ("check_out", {"assignee": "P1", "badge": "B-8"})


def test_work_saved_offline_shows_its_expected_effect_then_the_servers(app, page, context,
                                                                       sign_in):
    make_location("STORE", "Store room"), make_person("P1", name="Olga Novak")
    lab = make_location("LAB", "Lab 2")
    make_person("P2", name="Sam Reyes")
    asset = make_asset(tag="AST-000102", name="Camera", status="deployed", assignee="P1",
                       location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    context.set_offline(True)
    show(page, asset.tag)
    card = page.locator(".asset-card")
    status, place, holder = (card.locator(f'[data-f="{f}"]')
                             for f in ("status", "location_name", "assignee_name"))

    record(page, "mark_lost")
    expect(status).to_have_text("missing")
    expect(holder).to_have_text("Olga Novak")
    record(page, "mark_found", {"location": "LAB"})  # back in stock: nobody holds it
    expect(status).to_have_text("in stock")
    expect(place).to_have_text("Lab 2")
    expect(holder).to_have_text("—")
    record(page, "check_out", {"assignee": "P2", "location": "STORE"})
    expect(status).to_have_text("deployed")
    expect(place).to_have_text("Store room")
    expect(holder).to_have_text("Sam Reyes")
    record(page, "transfer", {"to_location": "LAB"})
    expect(place).to_have_text("Lab 2")
    expect(holder).to_have_text("Sam Reyes")
    expect(card.locator('[data-f="open_work"]')).to_have_text("4 change(s) waiting to sync")

    lab.name = "Lab 2 (east wing)"  # meanwhile, on the server
    db.session.commit()
    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=20_000)
    expect(place).to_have_text("Lab 2 (east wing)", timeout=10_000)  # the server's, after sync
    expect(card.locator('[data-f="open_work"]')).to_have_text("None")
    expect(card.locator('[data-f="source"]')).to_have_text("")
    expect(status).to_have_text("deployed")
    expect(holder).to_have_text("Sam Reyes")
    db.session.expire_all()
    current = db.session.get(Asset, asset.id)
    assert (current.status, current.location.code, current.assignee.code) == \
        ("deployed", "LAB", "P2")


def test_before_the_first_catalogue_the_card_says_when_actions_come(app, page, context,
                                                                     sign_in):
    asset = make_asset(tag="AST-000103", name="Ladder")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    forget_event_types(page)
    context.set_offline(True)
    page.reload()
    ready(page)
    show(page, asset.tag)
    actions = page.locator('.asset-card [data-f="actions"]')
    expect(actions).to_have_text("Actions appear here after this phone has synced once.")
    expect(actions.locator("button")).to_have_count(0)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting")  # the rest still works

    context.set_offline(False)
    page.reload()  # online again: the catalogue brings the event types
    ready(page)
    show(page, asset.tag)
    expect(actions.locator("button").first).to_be_visible()


def test_after_work_saved_offline_the_card_offers_what_the_new_status_allows(app, page,
                                                                            context, sign_in):
    asset = make_asset(tag="AST-000104", name="Printer")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    show(page, asset.tag)
    # Online, the card is checked with the server, whose answer (with what it allows now)
    # the phone keeps.
    expect(page.locator('.asset-card [data-f="source"]')).to_have_text("")
    context.set_offline(True)
    record(page, "retire", {"reason": "worn out"})
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("retired")
    expect(page.locator(".asset-card .next-actions button")).to_have_text(
        ["Transfer", "Record wipe", "Dispose", "Record reading"])
