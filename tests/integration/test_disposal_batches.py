"""Disposal batches: several assets leave with one vendor, one certificate for the pickup."""
import io

import pypdfium2
import pytest
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from app.assets import service as assets
from app.assets.models import Asset
from app.auth.roles import Role
from app.catalog.models import Category
from app.certificates.models import Certificate, DisposalBatch
from app.extensions import db
from app.files import store
from app.lifecycle.models import Event
from app.timeutil import utcnow
from tests.factories import make_asset, make_model, make_user

PUBLIC = "https://assets.example.org"


@pytest.fixture
def config(config):
    return config | {"PUBLIC_URL": PUBLIC}


def chair(tag, *, retire=True, category="Furniture", holds_data=False):
    asset = make_asset(tag=tag, name=f"Chair {tag}", serial=f"SN-{tag}",
                       model=make_model(f"Model {tag}", category).name)
    db.session.scalar(db.select(Category).where(Category.name == category)).holds_data = \
        holds_data
    db.session.commit()
    if retire:
        assets.record(tag, "retire", {"reason": "worn out"}, actor=make_user(Role.ADMIN))
        db.session.commit()
    return asset


def form(tags, **changes):
    return {"tags": "\n".join(tags), "vendor": "GreenCycle Ltd", "vendor_certification": "R2",
            "method": "recycling", "weight_kg": "42.5", "notes": "Dock 3"} | changes


def dispose_events():
    return db.session.scalars(db.select(Event).where(Event.type == "dispose")).all()


def status(tag):
    return db.session.scalar(db.select(Asset.status).where(Asset.tag == tag))


def test_a_batch_disposes_of_every_asset_under_one_certificate(app, login):
    tags = ["CH-1", "CH-2", "CH-3"]
    for tag in tags:
        chair(tag)
    reply = login(Role.MANAGER).post("/admin/certificates/batches/new",
                                     data=form([*tags, "", " ch-2 "]))  # blank, repeated
    assert reply.status_code == 302, reply.get_data(as_text=True)
    number = f"DB-{utcnow().year}-000001"
    [batch] = db.session.scalars(db.select(DisposalBatch)).all()
    assert (batch.number, batch.vendor, batch.weight_kg) == (number, "GreenCycle Ltd", 42.5)
    events = dispose_events()
    assert len(events) == 3 and {e.outcome for e in events} == {"applied"}
    assert {e.data["batch"] for e in events} == {number}
    assert [e.id for e in batch.events] == [e.id for e in events]
    assert [status(tag) for tag in tags] == ["disposed"] * 3

    [cert] = db.session.scalars(db.select(Certificate).where(
        Certificate.kind == "disposal_batch")).all()
    assert batch.certificate_id == cert.id and cert.number == f"DBC-{utcnow().year}-000001"
    text = " ".join(PdfReader(io.BytesIO(store.read(cert.sha256))).pages[0]
                    .extract_text().split())
    for expected in [cert.number, number, *tags, "SN-CH-1", "Furniture", "GreenCycle Ltd",
                     "R2", "recycling", "42.5 kg", "Dock 3"]:
        assert expected in text, expected
    page = pypdfium2.PdfDocument(store.read(cert.sha256))[0]
    codes = [c.data.decode() for c in decode(page.render(scale=200 / 72).to_pil())]
    assert codes == [f"{PUBLIC}/verify/{cert.number}?k={cert.verify_key}"]

    page = app.test_client().get(codes[0].removeprefix(PUBLIC))  # public, with the key
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "valid" in body and "TAMPERED" not in body
    assert all(tag in body for tag in tags) and number in body and "GreenCycle Ltd" in body
    listing = login(Role.MANAGER).get("/admin/certificates/batches").get_data(as_text=True)
    assert number in listing and cert.number in listing


def _nothing_written(tags):
    assert dispose_events() == []
    assert db.session.scalars(db.select(Certificate)).all() == []
    assert db.session.scalars(db.select(DisposalBatch)).all() == []


def test_an_asset_in_stock_refuses_the_whole_batch(app, login):
    chair("CH-1")
    chair("CH-2", retire=False)
    chair("CH-3")
    reply = login(Role.MANAGER).post("/admin/certificates/batches/new",
                                     data=form(["CH-1", "CH-2", "CH-3"]))
    assert reply.status_code == 422
    assert "CH-2 is in stock" in reply.get_data(as_text=True)
    _nothing_written(["CH-1", "CH-2", "CH-3"])
    assert [status(t) for t in ["CH-1", "CH-2", "CH-3"]] == ["retired", "in_stock", "retired"]


def test_a_data_holding_asset_without_a_wipe_is_refused_by_name(app, login):
    chair("CH-1")
    chair("LAP-9", category="Laptops", holds_data=True)
    reply = login(Role.MANAGER).post("/admin/certificates/batches/new",
                                     data=form(["CH-1", "LAP-9"]))
    assert reply.status_code == 422
    body = reply.get_data(as_text=True)
    assert "LAP-9 was refused" in body and "wipe it first" in body
    _nothing_written(["CH-1", "LAP-9"])
    assert [status(t) for t in ["CH-1", "LAP-9"]] == ["retired", "retired"]


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.AUDITOR])
def test_only_managers_create_batches(app, login, role):
    chair("CH-1")
    client = login(role)
    assert client.post("/admin/certificates/batches/new", data=form(["CH-1"])).status_code == 403
    assert client.get("/admin/certificates/batches/new").status_code == 403
    assert status("CH-1") == "retired"


def test_an_empty_tag_list_is_a_form_error(app, login):
    reply = login(Role.MANAGER).post("/admin/certificates/batches/new", data=form([" ", ""]))
    assert reply.status_code == 422
    _nothing_written([])


def signature(shade: int) -> str:
    from base64 import b64encode

    from PIL import Image, ImageDraw
    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(10, 80), (150, shade), (290, 60)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + b64encode(out.getvalue()).decode()


def test_a_pickup_carries_both_signatures_into_the_custody_events_and_certificate(app, login):
    chair("CH-1"), chair("CH-2")
    reply = login(Role.MANAGER).post("/admin/certificates/batches/new", data=form(
        ["CH-1", "CH-2"], operator="Olga Novak", witness="Driver K. Osei",
        signature_operator=signature(10), signature_witness=signature(40)))
    assert reply.status_code == 302, reply.get_data(as_text=True)
    signed = {tuple(sorted(e.data["signatures"])) for e in dispose_events()}
    assert signed == {("operator", "witness")}
    assert {e.data["witness"] for e in dispose_events()} == {"Driver K. Osei"}
    cert = db.session.scalar(db.select(Certificate).where(Certificate.kind == "disposal_batch"))
    reader = PdfReader(io.BytesIO(store.read(cert.sha256)))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Olga Novak" in text and "Driver K. Osei" in text
    assert len(reader.pages[0].images) == 2


def test_a_signature_that_is_not_an_image_is_refused(app, login):
    chair("CH-1")
    reply = login(Role.MANAGER).post("/admin/certificates/batches/new", data=form(
        ["CH-1"], signature_witness="data:image/png;base64,bm90IGEgcGljdHVyZQ=="))
    assert reply.status_code == 422
    _nothing_written(["CH-1"])
