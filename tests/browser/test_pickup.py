"""A pickup signed on the desk page: the two signatures reach the batch certificate."""
import io

import pytest
from pypdf import PdfReader

from app.assets import service as assets
from app.auth.roles import Role
from app.certificates.models import Certificate
from app.extensions import db
from app.files import store
from tests.browser.conftest import draw_signature
from tests.factories import make_asset, make_model, make_user

pytestmark = pytest.mark.browser


def test_pickup_form_takes_drawn_signatures(app, page, sign_in, live_server):
    manager = make_user(Role.MANAGER)
    model = make_model("Task chair", "Furniture")
    model.category.holds_data = False  # a chair: nothing to wipe before it goes
    make_asset(tag="CH-1", name="Chair", model=model.name)
    assets.record("CH-1", "retire", {"reason": "broken"}, actor=manager)
    db.session.commit()
    sign_in(manager, then="/admin/certificates/batches/new")
    page.fill("#tags", "CH-1")
    page.fill("#vendor", "GreenCycle Ltd")
    page.fill("#witness", "Driver K. Osei")
    draw_signature(page, "operator", 12)
    draw_signature(page, "witness", 30)
    page.click("button.primary")
    page.wait_for_url("**/admin/certificates/batches")
    db.session.expire_all()
    cert = db.session.scalar(db.select(Certificate).where(Certificate.kind == "disposal_batch"))
    with live_server.app.app_context():
        pdf = store.read(cert.sha256)
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 2
