"""Walking a room on the phone: what is still to find there (offline too), codes that name no
asset kept for the report exactly once, and the room counted as the desk counts it."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.org.models import LocationKind
from app.stocktakes import progress
from app.stocktakes import service as stocktakes
from app.stocktakes.models import StocktakeUnknown
from tests.browser.conftest import wait_for
from tests.factories import make_asset, make_location, make_user

pytestmark = pytest.mark.browser


def scan(page, code, says):
    page.fill("#code", code)
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text(f"{code}: {says}")


def phone_row(page, room):
    return page.locator(f'#rooms tbody[data-room="{room}"] td').all_inner_texts()


def test_walking_a_room_offline_lists_what_is_left_and_counts_as_the_desk(
        app, page, context, sign_in):
    building = make_location("WB", "Block W", kind=LocationKind.BUILDING)
    room_a = make_location("WB-A", "Room A", parent=building)
    room_b = make_location("WB-B", "Room B", parent=building)
    elsewhere = make_location("FAR", "Far away")
    for n, name in ((1, "Desk lamp"), (2, "Projector"), (3, "Printer")):
        make_asset(tag=f"AST-00070{n}", name=name, location=room_a.code)
    make_asset(tag="AST-000709", name="Camera", location=room_b.code)
    make_asset(tag="AST-000799", name="Stray", location=elsewhere.code)
    manager = make_user(Role.MANAGER)
    take = stocktakes.start(building, actor=manager)
    db.session.commit()

    sign_in(make_user(Role.TECHNICIAN), then="/stocktake")
    wait_for(page, "globalThis.tagtrail && navigator.serviceWorker.controller")
    page.evaluate("tagtrail.ready")
    page.click(f'[data-stocktake="{take.id}"]')
    expect(page.locator("#found")).to_have_text("0 of 4 found")

    context.set_offline(True)
    page.select_option("#room", "WB-A")
    todo = page.locator("#todo li")
    expect(page.locator("#todo-title")).to_have_text("Still to find in Room A: 3")
    expect(todo).to_have_text(["AST-000701 · Desk lamp", "AST-000702 · Projector",
                               "AST-000703 · Printer"])
    scan(page, "AST-000701", "Found")
    expect(page.locator("#todo-title")).to_have_text("Still to find in Room A: 2")
    scan(page, "AST-000709", "Misplaced")  # Room B's, here: not on Room A's list
    scan(page, "AST-000799", "Not expected here")
    scan(page, "AST-000701", "Already counted")
    scan(page, "NO-SUCH-TAG", "Unknown tag")
    expect(todo).to_have_text(["AST-000702 · Projector", "AST-000703 · Printer"])
    page.select_option("#room", "WB-B")
    expect(page.locator("#todo-title")).to_have_text("Still to find in Room B: 0")
    page.select_option("#room", "WB-A")
    # Meanwhile another phone counts the projector in Room B, before this one does in A.
    other = apply_event(EventIn("stocktake_scan", "AST-000702",
                                {"stocktake": take.id, "location": "WB-B"},
                                device="other-phone"), actor=make_user(Role.TECHNICIAN))
    db.session.commit()
    assert other.status == "applied"
    scan(page, "AST-000702", "Found")
    expect(page.locator("#waiting")).to_have_text("6 waiting")

    context.set_offline(False)
    expect(page.locator("#waiting")).to_have_text("Nothing waiting", timeout=15_000)
    # The server had it counted already: the phone's line says so, and its count follows.
    expect(page.locator("#log li").first).to_contain_text("AST-000702 · Already counted")
    expect(page.locator('#rooms tbody[data-room="WB-A"] td').nth(2)).to_have_text("1")
    page.click("#sync-now")  # a second sync sends nothing twice
    expect(page.locator("#last-sync")).to_have_text("all synced")

    db.session.expire_all()
    unknown = db.session.scalars(sa.select(StocktakeUnknown)
                                 .where(StocktakeUnknown.stocktake_id == take.id)).all()
    assert [(u.code, u.location_id) for u in unknown] == [("NO-SUCH-TAG", room_a.id)]
    total, rooms = progress.progress(stocktakes.get(take.id))
    desk = {r.code: [str(r.found), str(r.expected), str(r.misplaced), str(r.unexpected)]
            for r in rooms if r.expected or r.unexpected}
    assert desk == {"WB-A": ["2", "3", "1", "1"], "WB-B": ["1", "1", "1", "0"]}
    for code, counts in desk.items():
        assert phone_row(page, code) == counts
    expect(page.locator("#found")).to_have_text(f"{total.found} of {total.expected} found")
    page.reload()  # opened again from the server, the same
    page.evaluate("tagtrail.ready")
    page.click(f'[data-stocktake="{take.id}"]')
    expect(page.locator('#rooms tbody[data-room="WB-A"] th')).to_have_text("Room A")
    expect(page.locator('#rooms tbody[data-room="WB-A"] td')).to_have_text(desk["WB-A"])
