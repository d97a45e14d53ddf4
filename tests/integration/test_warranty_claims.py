"""Warranty claims: raised from a work order on a covered asset, refused on one that is not,
moved through their statuses as the table allows, credited with an amount, and printed with
what a provider asks for (serial, purchase date, fault, readings, photos, repair history)."""
import hashlib
import io
import uuid

import pytest
from PIL import Image
from pypdf import PdfReader

from app.auth.roles import Role
from app.extensions import db
from app.files import store
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.warranty.models import WarrantyClaim
from tests.factories import make_asset, make_user


def send(kind, tag, data, role=Role.MANAGER):
    outcome = apply_event(EventIn(kind, tag, data), actor=make_user(role))
    db.session.commit()
    return outcome


@pytest.fixture
def order(app):
    """A covered forklift's repaired fault, with a photo and parts."""
    make_asset(tag="F1", name="Forklift", serial="FL-998", purchase_date="2026-01-10",
               supplier="Liftco")
    send("warranty", "F1", {"provider": "Liftco Care", "starts": "2026-01-10",
                            "ends": "2099-01-09", "reference": "LC-42"})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    photo = store.put(out.getvalue(), hashlib.sha256(out.getvalue()).hexdigest()).sha256
    ident = str(uuid.uuid4())
    for kind, data in [("work_order_open", {"kind": "corrective", "title": "Mast judders"}),
                       ("work_order_start", {}),
                       ("work_order_update", {"parts": [{"name": "Chain", "quantity": 1,
                                                         "cost": "120.00"}],
                                              "photos": [photo]}),
                       ("work_order_complete", {"work_done": "Chain replaced", "failure": True})]:
        assert send(kind, "F1", {"work_order": ident} | data, Role.TECHNICIAN).status == "applied"
    return ident


def test_a_claim_goes_from_draft_to_credited(order, login):
    manager = login(Role.MANAGER)
    opening = manager.get("/admin/work-orders/new?asset=F1").get_data(as_text=True)
    assert "Covered by Liftco Care until 2099-01-09" in opening
    page = manager.get(f"/admin/work-orders/{order}").get_data(as_text=True)
    assert "Raise a warranty claim" in page and "Covered by Liftco Care" in page
    reply = manager.post("/admin/warranty/claims/new", data={
        "work_order": order, "fault": "Mast judders under load", "amount_claimed": "120.00"})
    assert reply.status_code == 302
    claim = db.session.scalar(db.select(WarrantyClaim))
    assert (claim.status, claim.provider, claim.amount_claimed) == ("draft", "Liftco Care", 120)
    assert claim.number.startswith("WC-") and reply.headers["Location"].endswith(claim.number)
    refused = manager.post(f"/admin/warranty/claims/{claim.number}/status",
                           data={"status": "accepted"}, follow_redirects=True)
    assert "it cannot be accepted now" in refused.get_data(as_text=True)
    for status in ("submitted", "accepted"):
        manager.post(f"/admin/warranty/claims/{claim.number}/status", data={"status": status})
    no_amount = manager.post(f"/admin/warranty/claims/{claim.number}/status",
                             data={"status": "credited"}, follow_redirects=True)
    assert "how much the provider credited" in no_amount.get_data(as_text=True)
    manager.post(f"/admin/warranty/claims/{claim.number}/status",
                 data={"status": "credited", "amount_recovered": "100.00"})
    db.session.expire_all()
    claim = db.session.get(WarrantyClaim, claim.id)
    assert (claim.status, claim.amount_recovered) == ("credited", 100)
    steps = db.session.scalars(db.select(Event.data["status"].as_string()).where(
        Event.type == "warranty_claim_update").order_by(Event.seq)).all()
    assert steps == ["submitted", "accepted", "credited"]  # each step is in the audit trail
    listing = login(Role.AUDITOR).get("/admin/warranty/claims/").get_data(as_text=True)
    assert claim.number in listing and "100.00" in listing


def test_the_pdf_carries_what_the_provider_asks_for(order, login):
    send("warranty_claim", "F1", {"work_order": order, "fault": "Mast judders under load"})
    claim = db.session.scalar(db.select(WarrantyClaim))
    reply = login(Role.AUDITOR).get(f"/admin/warranty/claims/{claim.number}/pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(reply.data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for expected in [claim.number, "Liftco Care", "FL-998", "2026-01-10", "Mast judders",
                     "Chain replaced", "Chain", "120.00", "Contract LC-42", "work order complete"]:
        assert expected in text, expected
    assert sum(len(p.images) for p in reader.pages) == 1  # the order's photo


def test_no_claim_without_coverage_and_nothing_written(app):
    make_asset(tag="F2", warranty_end="2020-01-01")
    ident = str(uuid.uuid4())
    send("work_order_open", "F2", {"work_order": ident, "kind": "corrective", "title": "x"})
    outcome = send("warranty_claim", "F2", {"work_order": ident, "fault": "x"})
    assert outcome.status == "rejected" and "ended on 2020-01-01" in outcome.reason
    assert db.session.scalar(db.select(db.func.count()).select_from(WarrantyClaim)) == 0
    assert send("warranty_claim", "F2", {"fault": "x"}, Role.TECHNICIAN).code == "forbidden"
