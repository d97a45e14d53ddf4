"""My work on the phone: the open orders given to the person signed in, kept for a basement
without signal, and started there through the outbox."""
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from app.files import store
from app.lifecycle.models import Event
from app.maintenance.models import WorkOrder
from tests.browser import fakecam
from tests.browser.conftest import draw_signature, ready, record, show
from tests.factories import make_asset, make_location, make_person, make_user

pytestmark = pytest.mark.browser


def give(tag, title, to, actor, **data) -> WorkOrder:
    ident = str(uuid.uuid4())
    assets.record(tag, "work_order_open", {"work_order": ident, "kind": "corrective",
                                           "title": title, "assignee": to.email} | data,
                  actor=actor)
    db.session.commit()
    return db.session.get(WorkOrder, ident)


def test_my_work_is_kept_for_offline_and_started_there(app, page, context, sign_in,
                                                        live_server):
    tech, other, manager = (make_user(Role.TECHNICIAN), make_user(Role.TECHNICIAN),
                            make_user(Role.MANAGER))
    make_asset(tag="W-1", name="Chiller"), make_asset(tag="W-2", name="Pump")
    soon = give("W-2", "Seal leaks", tech, manager,
                due=(date.today() + timedelta(days=1)).isoformat())
    later = give("W-1", "Noisy compressor", tech, manager, checklist=["Check the oil"],
                 due=(date.today() + timedelta(days=9)).isoformat())
    give("W-2", "Someone else's job", other, manager)
    finished = give("W-1", "Done already", tech, manager)
    assets.record("W-1", "work_order_start", {"work_order": finished.id}, actor=tech)
    assets.record("W-1", "work_order_complete", {"work_order": finished.id, "work_done": "ok",
                                                 "failure": False}, actor=tech)
    db.session.commit()

    sign_in(tech, then="/work")
    ready(page)
    items = page.locator("#work-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(f"{soon.number} · Seal leaks")  # the sooner due first
    expect(items.nth(1)).to_contain_text("Check the oil")

    context.set_offline(True)
    before = len(live_server.hits)
    page.reload()
    ready(page)
    expect(items).to_have_count(2)
    expect(page.locator("#work-note")).to_contain_text("No connection")
    order = page.locator(f'#work-list > li[data-order="{later.number}"]')
    order.get_by_role("button", name="Start work").click()
    expect(order.locator('[data-f="status"]')).to_have_text("in progress (waiting to sync)")
    expect(order.get_by_role("button", name="Pause: waiting for parts")).to_be_visible()
    expect(page.locator("#waiting")).to_have_text("1 waiting")
    assert live_server.hits[before:] == []  # the page and its list came from the phone

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
    expect(order.locator('[data-f="status"]')).to_have_text("in progress", timeout=15_000)
    db.session.expire_all()
    assert db.session.get(WorkOrder, later.id).status == "in_progress"
    assert db.session.get(WorkOrder, soon.id).status == "open"


def test_a_fault_reported_on_the_card_opens_a_corrective_order(app, page, sign_in):
    make_person("W-P1")
    make_asset(tag="W-3", name="Server", status="deployed", assignee="W-P1")
    sign_in(make_user(Role.TECHNICIAN), then="/scan")
    ready(page)
    page.fill("#code", "W-3")
    page.keyboard.press("Enter")
    expect(page.locator('.asset-card [data-f="tag"]')).to_have_text("W-3")
    page.click('.asset-card button[data-action="work_order_open"]')
    expect(page.locator("#action-fields label")).to_have_text(
        ["What is wrong", "Priority (optional)", "Out of service until it is fixed",
         "Note (optional)", "I will work on it (it goes on My work)"])
    page.click('#action-form button[value="cancel"]')
    record(page, "work_order_open", {"title": "Smoke from the power supply",
                                     "out_of_service": True})
    expect(page.locator("#message")).to_contain_text("Report a fault saved")
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
    expect(page.locator("#problems li")).to_have_count(0)
    db.session.expire_all()
    order = db.session.scalar(sa.select(WorkOrder))
    assert (order.kind, order.title, order.out_of_service) == (
        "corrective", "Smoke from the power supply", True)
    assert order.asset.status == "in_repair" and order.return_status == "deployed"


def test_the_card_counts_open_work_orders_offline_too(app, page, context, sign_in):
    tech, manager = make_user(Role.TECHNICIAN), make_user(Role.MANAGER)
    make_asset(tag="W-9", name="Boiler")
    give("W-9", "Pilot light out", tech, manager)
    give("W-9", "Yearly service", tech, manager)
    sign_in(tech)
    ready(page)
    show(page, "W-9")
    work = page.locator('.asset-card [data-f="open_work"]')
    expect(work).to_have_text("2 open work orders")  # as the server's lookup says
    context.set_offline(True)
    page.reload()
    ready(page)
    show(page, "W-9")
    expect(work).to_have_text("2 open work orders")  # from the phone's copy of the register


def test_an_order_opened_worked_and_completed_offline_is_done_with_its_costs(
        app, page, context, sign_in, live_server, tmp_path):
    make_location("W-SITE", "Plant room", kind="site"), make_person("W-P2")
    make_asset(tag="W-5", name="Compressor", status="deployed", assignee="W-P2",
               location="W-SITE")
    tech = make_user(Role.TECHNICIAN)
    sign_in(tech, then="/scan")
    ready(page)
    context.set_offline(True)
    show(page, "W-5")
    record(page, "work_order_open", {"title": "Belt squeals", "out_of_service": True,
                                     "mine": True})
    expect(page.locator("#message")).to_contain_text("saved on this phone")

    page.goto("/work")  # from the phone's copy: there is no signal
    ready(page)
    order = page.locator("#work-list > li", has_text="Belt squeals")
    expect(order.locator('[data-f="number"]')).to_have_text("New (not synced yet)")
    expect(order.locator('[data-f="asset_name"]')).to_have_text("Compressor")
    order.get_by_role("button", name="Start work").click()
    expect(order.locator('[data-f="status"]')).to_have_text("in progress (waiting to sync)")
    order.locator("summary").click()
    order.get_by_role("button", name="Save to the order").click()
    expect(order.locator('[data-f="error"]')).to_have_text(
        "Nothing to save: add a part, labour, a note or a photo.")
    order.get_by_label("Labour (minutes)").fill("1.5")
    order.get_by_role("button", name="Save to the order").click()  # the box itself refuses it
    assert not order.get_by_label("Labour (minutes)").evaluate("e => e.validity.valid")
    expect(page.locator("#waiting")).to_have_text("2 waiting")  # the opening and the start
    order.get_by_label("Part used").fill("V-belt")
    order.get_by_label("Quantity").fill("2")
    order.get_by_label("Cost of these parts").fill("12,50")
    order.get_by_label("Labour (minutes)").fill("30")
    photo = tmp_path / "belt.jpg"
    fakecam.qr_frame("worn belt").save(photo, "JPEG")
    order.get_by_label("Photos").set_input_files(str(photo))
    order.get_by_role("button", name="Save to the order").click()
    expect(order.locator('[data-f="spent"]')).to_have_text(
        "Labour 30 min · Parts: 2 × V-belt (12.50) · 1 photo from this phone")
    expect(order.locator("details")).to_have_attribute("open", "")  # still open to add more

    order.get_by_role("button", name="Complete…").click()
    page.get_by_role("button", name="Complete", exact=True).click()  # nothing said yet
    expect(page.locator("#complete")).to_be_visible()
    page.fill("#c-work_done", "Fitted a new belt and tensioned it")
    page.fill("#c-cost", "20")
    page.fill("#c-downtime_minutes", "45")
    draw_signature(page, "technician", 6)
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(order.locator('[data-f="status"]')).to_have_text("done (waiting to sync)")
    expect(page.locator("#waiting")).to_have_text("4 waiting")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
    expect(page.locator("#work-list > li")).to_have_count(0, timeout=15_000)  # done: off the list
    db.session.expire_all()
    done = db.session.scalar(sa.select(WorkOrder))
    assert (done.status, done.labour_minutes, done.downtime_minutes) == ("done", 30, 45)
    assert (done.parts_cost, done.cost, done.total_cost) == (Decimal("12.50"), 20, Decimal("32.50"))
    assert done.assignee_id == tech.id and done.asset.status == "deployed"  # back in service
    [photo_hash] = db.session.scalar(sa.select(Event).where(
        Event.type == "work_order_update")).data["photos"]
    with live_server.app.app_context():  # the server's own blob store
        assert store.read(done.signature)[:4] == b"\x89PNG"
        assert store.read(photo_hash)[:3] == b"\xff\xd8\xff"

    page.goto("/admin/assets/W-5")
    history = page.locator("main")
    expect(history).to_contain_text(done.number)
    expect(history).to_contain_text("32.50")  # what the order cost, on the asset's page


def test_a_failed_check_opens_a_follow_up_and_work_due_here_is_listed(
        app, page, context, sign_in):
    site = make_location("W-HALL", "Hall A", kind="site")
    make_location("W-ROOM", "Boiler room", parent=site)
    tech, other, manager = (make_user(Role.TECHNICIAN), make_user(Role.TECHNICIAN),
                            make_user(Role.MANAGER))
    make_asset(tag="W-6", name="Boiler", location="W-ROOM")
    make_asset(tag="W-7", name="Fan", location="W-HALL")
    make_asset(tag="W-8", name="Lift")
    service = give("W-6", "Yearly service", tech, manager,
                   checklist=["Flue clear", "Pressure holds"])
    soon = (date.today() + timedelta(days=5)).isoformat()
    theirs = give("W-7", "Fan bearing", other, manager, due=soon)
    give("W-8", "Lift inspection", other, manager, due=soon)  # due soon, but elsewhere
    give("W-7", "Fan paint", other, manager,
         due=(date.today() + timedelta(days=40)).isoformat())  # here, but not soon

    sign_in(tech, then="/work")
    ready(page)
    items = page.locator("#work-list > li")
    expect(items).to_have_count(1)
    page.fill("#place", "W-HALL")
    page.keyboard.press("Enter")
    expect(items).to_have_count(2)  # what is due at Hall A within 14 days, someone else's too
    expect(page.locator(f'li[data-order="{theirs.number}"]')).to_contain_text(other.email)

    context.set_offline(True)
    page.reload()
    ready(page)
    expect(items).to_have_count(2)  # kept, the place with them
    expect(page.locator("#place")).to_have_value("W-HALL")
    order = page.locator(f'li[data-order="{service.number}"]')
    lines = order.locator(".checklist > li")
    lines.nth(0).get_by_role("button", name="Pass").click()
    expect(lines.nth(0).get_by_role("button", name="Pass")).to_have_attribute(
        "aria-pressed", "true")
    lines.nth(1).get_by_role("button", name="Fail").click()
    lines.nth(1).get_by_role("button", name="Open a follow-up order").click()
    follow = page.locator("#work-list > li", has_text="Follow-up: Pressure holds")
    expect(follow.locator('[data-f="number"]')).to_have_text("New (not synced yet)")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
    expect(follow.locator('[data-f="number"]')).to_have_text(re.compile(r"WO-\d{4}-\d{6}"),
                                                              timeout=15_000)
    db.session.expire_all()
    checked = db.session.get(WorkOrder, service.id)
    assert [i.result for i in checked.items] == ["pass", "fail"]
    made = db.session.scalar(sa.select(WorkOrder).where(WorkOrder.follow_up_of_id == service.id))
    assert (made.kind, made.assignee_id, made.asset.tag) == ("corrective", tech.id, "W-6")
