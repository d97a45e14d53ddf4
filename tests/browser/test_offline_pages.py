"""Which page a phone shows when the server cannot be reached: its own screens from its copy,
any other page (an admin page) the offline page with a retry, never the scanner instead."""
import time

import pytest
from playwright.sync_api import expect

from app import create_app
from app.auth.roles import Role
from app.extensions import db
from tests.browser.conftest import LiveServer, ready
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def shows_offline_page(page, path):
    expect(page.locator("h1")).to_have_text("This page needs a connection")
    expect(page.locator("#offline-path")).to_have_text(path)
    expect(page.locator("#retry")).to_be_visible()
    expect(page.locator("#start")).to_have_count(0)  # not the scanner


def test_offline_an_admin_page_says_so_and_a_phone_page_opens(app, page, context, sign_in):
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    admin = page.locator('.mainnav a[href^="/admin"]')
    expect(admin).to_have_text("Admin")

    context.set_offline(True)
    expect(admin).to_have_text("Admin (needs a connection)")
    expect(admin).to_have_attribute("aria-disabled", "true")
    admin.click(force=True)  # stays on the scanner instead of opening a page that cannot load
    page.wait_for_timeout(300)
    assert page.url.endswith("/scan")

    page.goto("/admin/assets/")
    shows_offline_page(page, "/admin/assets/")
    page.click("#retry")  # still offline: it says so and stays
    expect(page.locator("#offline-note")).to_contain_text("Still no connection")

    page.goto("/stocktake")  # the phone's own screens still open from its copy
    expect(page.locator("h1").first).to_have_text("Stock-take")
    page.goto("/scan?tag=AST-1")
    expect(page.locator("#start")).to_be_visible()

    page.goto("/admin/assets/")
    shows_offline_page(page, "/admin/assets/")
    context.set_offline(False)  # the signal returns: the page loads by itself
    expect(page.locator("h1")).to_have_text("Assets", timeout=10_000)


def test_with_the_server_stopped_an_admin_page_offers_a_retry(app, browser, database_url,
                                                               tmp_path):
    # A server of its own, so that stopping it leaves the other tests theirs; one of its
    # pages takes longer than the phone's screens are given before they open from the copy.
    own = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "browser-tests",
                      "INSTANCE_PATH": str(tmp_path),
                      "TRUSTED_HOSTS": ["127.0.0.1", "localhost"]})
    own.add_url_rule("/admin/slow", "slow", lambda: (time.sleep(4.5), "<h1>Slow but here</h1>")[1])
    server = LiveServer(own)
    server.thread.start()
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        user = make_user(Role.TECHNICIAN)
        page.goto("/auth/login?next=/scan")
        page.fill("#email", user.email)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url("**/scan")
        ready(page)
        page.goto("/admin/slow")  # slow, not gone: the page itself, not the scanner
        expect(page.locator("h1")).to_have_text("Slow but here")
        server.server.shutdown()
        server.server.server_close()  # refused from now on, as a stopped server is

        page.goto("/admin/stocktakes/")
        shows_offline_page(page, "/admin/stocktakes/")
        page.goto("/scan")
        expect(page.locator("#start")).to_be_visible()
    finally:
        context.close()
        with own.app_context():  # its connections, closed now, not whenever it is collected
            db.engine.dispose()
