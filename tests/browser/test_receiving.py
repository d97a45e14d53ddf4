"""Receiving on the phone: an order picked by its QR code, serials typed as a handheld scanner
types them, and two phones receiving one order offline: both receipts count, and the one that
would over-receive is refused with its reason on the phone."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.procurement import orders
from app.procurement.models import OrderStatus
from tests.browser.conftest import ready
from tests.factories import PASSWORD, make_location, make_model, make_user

pytestmark = pytest.mark.browser


def phone(browser, browser_context_args, user):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto("/auth/login?next=/receive")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/receive")
    ready(page)
    return context, page


def scan_serials(page, *serials):
    for serial in serials:
        page.fill("#serial", serial)
        page.keyboard.press("Enter")


def test_two_phones_receive_one_order_offline(app, browser, browser_context_args):
    make_model("Latitude"), make_location("DOCK", "Loading dock")
    manager = make_user(Role.MANAGER)
    order = orders.create({"supplier": "Acme", "lines": [
        {"model": "Latitude", "quantity": 3, "unit_cost": "900.00"}]}, actor=manager)
    orders.move(order, OrderStatus.SENT, actor=manager, step="order_sent")
    db.session.commit()

    phones = [phone(browser, browser_context_args, make_user(Role.TECHNICIAN))
              for _ in range(2)]
    try:
        for n, (context, page) in enumerate(phones):
            context.set_offline(True)
            scan_serials(page, order.number)  # the QR code on the order's PDF picks it
            expect(page.locator("#order")).to_have_value(order.number)
            expect(page.locator("#line option")).to_have_text(["1: Latitude (3 to come of 3)"])
            page.fill("#location", "DOCK")
            scan_serials(page, f"P{n}-A", f"P{n}-B")
            expect(page.locator("#serials li")).to_have_text([f"P{n}-A", f"P{n}-B"])
            page.click("#submit-receipt")
            expect(page.locator("#receipts li")).to_have_text(
                [f"{order.number}: 2 units — waiting to sync"])
            expect(page.locator("#line option")).to_have_text(["1: Latitude (1 to come of 3)"])

        first, second = (page for _, page in phones)
        phones[0][0].set_offline(False)
        expect(first.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
        phones[1][0].set_offline(False)
        expect(second.locator("#receipts li")).to_contain_text("rejected", timeout=15_000)
        expect(second.locator("#receipts li")).to_contain_text("1 too many")
        expect(second.locator("#message")).to_contain_text("was refused")
    finally:
        for context, _ in phones:
            context.close()
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(Asset.serial))) == ["P0-A", "P0-B"]
    assert db.session.get(type(order), order.id).status == "partly_received"
