"""Blank pre-numbered labels printed twice from the labels page: each run is named on the
page, and no run shares a number with the other or with a tag or code already in use."""
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_asset, make_location, make_user

pytestmark = pytest.mark.browser
RANGE = re.compile(r"Reserved AST-(\d{6}) to AST-(\d{6}) \((\d+) labels\)")


def print_blank(page, count: int) -> tuple[int, int]:
    page.goto("/admin/labels/")
    page.check('input[name="source"][value="blank"]')
    page.fill("#count", str(count))
    page.click("form.card button.primary")
    flash = page.locator(".flash")
    expect(flash).to_contain_text("Reserved AST-")
    first, last, labels = map(int, RANGE.search(flash.inner_text()).groups())
    assert labels == count == last - first + 1
    pdf = page.request.get(page.locator(".flash a").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert f"AST-{first:06d}" in text and f"AST-{last:06d}" in text
    return first, last


def test_two_blank_runs_get_their_own_numbers(app, page, sign_in):
    manager = make_user(Role.MANAGER)
    room = make_location("LB-ROOM").code
    used = {3, 20}
    for n in used:
        make_asset(manager, tag=f"AST-{n:06d}", location=room)
    assets.record("AST-000003", "attach_code", {"code": "AST-000025"}, actor=manager)
    db.session.commit()
    used.add(25)  # a label attached to an asset is taken too

    sign_in(manager, then="/admin/labels/")
    one = print_blank(page, 30)
    two = print_blank(page, 5)
    runs = [set(range(a, b + 1)) for a, b in (one, two)]
    assert not runs[0] & runs[1]
    assert not (runs[0] | runs[1]) & used
    assert one[0] == 26 and two[0] == one[1] + 1  # the next numbers nothing has
    batches = page.locator("table tbody tr td:first-child")
    expect(batches).to_have_text([f"AST-{two[0]:06d} – AST-{two[1]:06d}",
                                  f"AST-{one[0]:06d} – AST-{one[1]:06d}"])
