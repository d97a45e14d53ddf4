"""My work on the phone: the open orders given to the person signed in, kept for a basement
without signal, and started there through the outbox."""
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from app.maintenance.models import WorkOrder
from tests.browser.conftest import ready, record, show
from tests.factories import make_asset, make_person, make_user

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
         "Note (optional)"])
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
