"""The phone follows the server at each sync: a refused change says so and stops saying
"saved", a conflict a manager resolved stops waiting for one, a stock-take finished on the
server leaves the phone, and many refusals stay one line until opened."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle import conflicts
from app.lifecycle.models import Conflict
from app.stocktakes import service as stocktakes
from tests.browser.conftest import ready, record, show
from tests.factories import make_asset, make_location, make_person, make_user

pytestmark = pytest.mark.browser


def test_refusals_replace_saved_and_fold_into_one_line(app, page, context, sign_in):
    make_location("STORE", "Store room")
    make_asset(tag="AST-000401", name="Laptop", location="STORE")
    make_asset(tag="AST-000402", name="Monitor", location="STORE")
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    context.set_offline(True)
    message = page.locator("#message")
    for tag in ("AST-000401", "AST-000402"):  # nobody has these codes: the server refuses
        show(page, tag)
        record(page, "check_out", {"assignee": f"NOBODY-{tag[-1]}"})
        expect(message).to_contain_text("saved on this phone")
        expect(page.locator('.asset-card [data-f="status"]')).to_have_text("deployed")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=10_000)
    expect(message).to_contain_text("Check out was refused")
    expect(message).not_to_contain_text("saved")
    # The card is the server's again, not the change the phone expected.
    expect(page.locator('.asset-card [data-f="status"]')).to_have_text("in stock")
    expect(page.locator('.asset-card [data-f="open_work"]')).to_have_text("None")

    summary = page.locator("#problems-summary")
    expect(summary).to_have_text("Not synced: 2 refused")
    items = page.locator("#problems li")
    expect(items).to_have_count(2)
    expect(items.first).to_be_hidden()  # one line, not a pile above the scanner
    summary.click()
    expect(items.first).to_be_visible()
    expect(items.nth(1)).to_contain_text("Refused:")


def test_a_conflict_resolved_on_the_server_stops_waiting(app, page, context, sign_in):
    make_location("STORE", "Store room")
    make_person("P1", name="Pat One"), make_person("P2", name="Sam Two")
    make_asset(tag="AST-000501", name="Drill", location="STORE")
    manager = make_user(Role.MANAGER)
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    show(page, "AST-000501")
    context.set_offline(True)
    record(page, "check_out", {"assignee": "P1"})
    assets.record("AST-000501", "check_out", {"assignee": "P2"}, actor=manager)  # meanwhile
    db.session.commit()

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=10_000)
    expect(page.locator("#message")).to_contain_text("waiting for a manager")
    item = page.locator("#problems li")
    expect(item).to_contain_text("Conflict, waiting for a manager")

    conflict = db.session.scalar(sa.select(Conflict))
    conflicts.resolve(conflict, choice="keep_current", note="Sam has it", actor=manager)
    db.session.commit()
    page.click("#sync-now")
    expect(item).to_contain_text("Resolved: a manager kept the asset as it was (Sam has it).")
    expect(item).not_to_contain_text("waiting for a manager")
    expect(page.locator("#problems-summary")).to_have_text("Not synced: 1 resolved by a manager")
    item.locator("button", has_text="Dismiss").click()
    expect(page.locator("#problems-box")).to_be_hidden()


def test_a_stocktake_finished_on_the_server_leaves_the_phone(app, page, context, sign_in):
    room = make_location("ST-ROOM", "Room 1")
    make_asset(tag="AST-000601", location=room.code)
    manager = make_user(Role.MANAGER)
    take = stocktakes.start(room, actor=manager)
    db.session.commit()
    sign_in(make_user(Role.TECHNICIAN), then="/stocktake")
    ready(page)
    page.click(f'[data-stocktake="{take.id}"]')
    expect(page.locator("#found")).to_have_text("0 of 1 found")

    stocktakes.finish(stocktakes.get(take.id), actor=manager)
    db.session.commit()
    page.click("#sync-now")
    expect(page.locator("#choose")).to_be_visible(timeout=10_000)
    expect(page.locator("#message")).to_contain_text("was finished on the server")
    expect(page.locator(f'[data-stocktake="{take.id}"]')).to_have_count(0)
    assert page.evaluate("tagtrail.stocktakes.all().then(a => a.length)") == 0

    # A scan for it (a handheld scanner typing into a page left open) is not taken.
    page.evaluate("tagtrail.count('AST-000601')")
    expect(page.locator("#message")).to_contain_text("no longer open")
    assert page.evaluate("tagtrail.outbox.list().then(l => l.length)") == 0
