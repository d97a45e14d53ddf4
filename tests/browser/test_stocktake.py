"""A stock-take walked on a phone with no signal, then reconciled and reported."""
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.auth.roles import Role
from app.extensions import db
from app.org.models import LocationKind
from app.stocktakes import service as stocktakes
from tests.browser.conftest import wait_for
from tests.factories import make_asset, make_location, make_token, make_user

pytestmark = pytest.mark.browser


def test_offline_walk_reconciles_to_two_missing_and_one_misplaced(app, page, context, sign_in,
                                                                   live_server):
    # The room has 20 expected assets; the "1 from another room" can only be
    # misplaced (not unexpected) if that room is inside the scope, so the stock-take covers
    # the building that holds both rooms.
    building = make_location("B1", "Block 1", kind=LocationKind.BUILDING)
    room_a = make_location("B1-A", "Room A", parent=building)
    room_b = make_location("B1-B", "Room B", parent=building)
    in_a = [make_asset(tag=f"AST-{n:06d}", location=room_a.code).tag for n in range(1, 21)]
    stray = make_asset(tag="AST-000099", location=room_b.code).tag
    manager = make_user(Role.MANAGER)
    stocktake = stocktakes.start(building, actor=manager)
    db.session.commit()

    sign_in(make_user(Role.TECHNICIAN), then="/stocktake")
    wait_for(page, "globalThis.tagtrail && navigator.serviceWorker.controller")
    page.evaluate("tagtrail.ready")
    page.click(f'[data-stocktake="{stocktake.id}"]')
    expect(page.locator("#found")).to_have_text("0 of 21 found")

    context.set_offline(True)
    page.select_option("#room", "B1-A")
    for tag in in_a[:18] + [stray]:
        page.fill("#code", tag)
        page.keyboard.press("Enter")  # the same path a handheld scanner or the camera takes
        expect(page.locator("#message")).to_contain_text(tag)
    page.fill("#code", in_a[0])
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text(f"{in_a[0]}: Already counted")
    expect(page.locator("#found")).to_have_text("19 of 21 found")
    expect(page.locator("#found-detail")).to_contain_text("1 misplaced")
    expect(page.locator("#waiting")).to_have_text("20 waiting")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)

    db.session.expire_all()
    stocktakes.finish(stocktakes.get(stocktake.id), actor=manager)
    db.session.commit()
    token = make_token(manager)
    reply = page.request.get(f"{live_server.url}/api/v1/stocktakes/{stocktake.id}/report.pdf",
                             headers={"Authorization": f"Bearer {token}"})
    assert reply.ok and reply.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(reply.body())).pages)
    figures = {name: int(re.search(rf"{name}\D*?(\d+)", text).group(1))
               for name in ("Expected", "Missing", "Misplaced")}
    assert figures == {"Expected": 21, "Missing": 2, "Misplaced": 1}
