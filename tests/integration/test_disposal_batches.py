"""Disposal batches: several assets leave with one vendor, one certificate for the pickup."""
import io

import pypdfium2
import pytest
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader
from pyzbar.pyzbar import decode
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.assets import service as assets
from app.assets.models import Asset
from app.auth.roles import Role
from app.catalog.models import Category
from app.certificates import batches, service
from app.certificates.models import Certificate, CertificateKind, DisposalBatch
from app.extensions import db
from app.files import store
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.timeutil import utcnow
from tests import database
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


def batch_certificates():
    return db.session.scalars(db.select(Certificate).where(
        Certificate.kind == "disposal_batch").order_by(Certificate.id)).all()


def audit_verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_the_batch_certificate_names_no_asset_and_every_reader_still_works(app, login):
    tags = ["CH-1", "CH-2", "CH-3"]
    for tag in [*tags, "CH-9"]:
        chair(tag)
    manager = login(Role.MANAGER)
    assert manager.post("/admin/certificates/batches/new", data=form(tags)).status_code == 302
    [cert] = batch_certificates()
    [batch] = db.session.scalars(db.select(DisposalBatch)).all()
    assert (cert.asset_id, cert.event_id, batch.certificate_id) == (None, None, cert.id)
    assert "asset" not in cert.facts and [a["tag"] for a in cert.facts["assets"]] == tags
    assert cert.batch == batch
    assert audit_verify(app)[0] == 0

    page = manager.get(f"/admin/certificates/{cert.number}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and f"batch {batch.number}" in body
    assert all(f'/admin/assets/{tag}"' in body for tag in tags)
    public = app.test_client().get(f"/verify/{cert.number}").get_data(as_text=True)
    assert "valid" in public and "CH-1" not in public
    report = manager.get("/admin/certificates/report")
    assert report.status_code == 200 and "CH-1" not in report.get_data(as_text=True)

    # Each asset that left in the batch lists the batch's certificate after its own: the
    # certificate names it, and its dispose event names the batch. One that did not leave in
    # a batch lists only its own.
    auditor = login(Role.AUDITOR)
    for tag in tags:
        listing = auditor.get(f"/api/v1/certificates?asset={tag}").json
        assert [item["kind"] for item in listing] == ["disposal", "disposal_batch"], tag
        assert listing[1]["number"] == cert.number
    assert phone_dispose(app, "CH-9")["status"] == "applied"
    assert [i["kind"] for i in auditor.get("/api/v1/certificates?asset=CH-9").json] == [
        "disposal"]


def phone_dispose(app, tag):
    outcome = apply_event(EventIn("dispose", tag, {"method": "recycling"}),
                          actor=make_user(Role.TECHNICIAN))
    db.session.commit()
    return {"status": outcome.status, "reason": outcome.reason}


def test_a_batch_certificate_is_corrected_like_any_other(app, login):
    chair("CH-1"), chair("CH-2")
    manager = login(Role.MANAGER)
    manager.post("/admin/certificates/batches/new", data=form(["CH-1", "CH-2"]))
    [old] = batch_certificates()
    reply = manager.post(f"/admin/certificates/{old.number}/correct", data={
        "vendor": "GreenCycle Limited", "reason": "the vendor's full name"})
    assert reply.status_code == 302
    old, new = batch_certificates()
    assert (new.supersedes_id, new.asset_id, new.event_id) == (old.id, None, None)
    assert new.facts["assets"] == old.facts["assets"] and new.facts["vendor"] == \
        "GreenCycle Limited"
    text = " ".join(PdfReader(io.BytesIO(store.read(new.sha256))).pages[0].extract_text().split())
    assert "GreenCycle Limited" in text and "CH-2" in text
    assert new.batch == old.batch and new.batch.certificate_id == old.id  # named as issued
    assert "batch DB-" in manager.get(f"/admin/certificates/{new.number}").get_data(as_text=True)
    listing = login(Role.AUDITOR).get("/api/v1/certificates?asset=CH-2").json
    assert [i["number"] for i in listing][1:] == [old.number, new.number]
    assert audit_verify(app)[0] == 0


def test_audit_verify_ties_a_batch_certificate_to_its_batch(app, login):
    for tag in ("CH-1", "CH-2", "CH-3"):
        chair(tag)
    manager = login(Role.MANAGER)
    manager.post("/admin/certificates/batches/new", data=form(["CH-1", "CH-2"]))
    manager.post("/admin/certificates/batches/new", data=form(["CH-3"]))
    first, second = db.session.scalars(db.select(DisposalBatch).order_by(DisposalBatch.id)).all()
    assert audit_verify(app)[0] == 0
    first.certificate_id, second.certificate_id = second.certificate_id, first.certificate_id
    db.session.commit()
    code, output = audit_verify(app)
    assert code == 1 and f"does not list the assets that left in batch {first.number}" in output
    first.certificate_id, second.certificate_id = second.certificate_id, None
    db.session.commit()
    code, output = audit_verify(app)
    assert code == 1 and "no batch names it" in output and "does not list" not in output


def test_only_a_batch_certificate_may_lack_an_asset(app, login):
    chair("CH-1")
    login(Role.MANAGER).post("/admin/certificates/batches/new", data=form(["CH-1"]))
    disposal = db.session.scalar(db.select(Certificate).where(Certificate.kind == "disposal"))
    with pytest.raises(IntegrityError):
        db.session.execute(db.update(Certificate).where(Certificate.id == disposal.id)
                           .values(asset_id=None))
    db.session.rollback()
    asset = db.session.scalar(db.select(Asset).where(Asset.tag == "CH-1"))
    with pytest.raises(ValueError, match="for a batch"):
        service.issue(CertificateKind.DISPOSAL_BATCH, asset, {})
    with pytest.raises(ValueError, match="for an asset"):
        service.issue(CertificateKind.DISPOSAL, None, {})


def test_the_upgrade_takes_the_first_asset_out_of_existing_batch_certificates(tmp_path):
    """The revision before this one named the first asset and its dispose event in the row;
    the upgrade clears both and seals the row again, and audit verify holds throughout."""
    with database.test_database(tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x",
                          "WTF_CSRF_ENABLED": False, "INSTANCE_PATH": str(tmp_path / "i")})
        with app.app_context():
            upgrade()
            chair("CH-1"), chair("CH-2")
            batches.create_batch(["CH-1", "CH-2"], vendor="V", vendor_certification="R2",
                                 method="recycling", actor=make_user(Role.MANAGER))
            db.session.commit()
            old = batch_certificates()[0]
            db.session.remove()
            downgrade(revision="a4e9c2f7b1d3")  # the row as that revision made it
            # The columns the event table had then (not the document a later revision adds).
            first = db.session.execute(db.select(Event.id, Event.asset_id).where(
                Event.type == "dispose").order_by(Event.seq)).first()
            [cert] = batch_certificates()
            assert (cert.asset_id, cert.event_id) == (first.asset_id, first.id)
            assert cert.seal == audit.seal(cert.sealed()) != old.seal
            db.session.remove()
            upgrade()
            [cert] = batch_certificates()
            assert (cert.asset_id, cert.event_id, cert.seal) == (None, None, old.seal)
            assert audit_verify(app) == (0, audit_verify(app)[1])
            db.session.remove()
            db.engine.dispose()


def test_the_upgrade_does_not_seal_over_a_changed_certificate(tmp_path, caplog):
    with database.test_database(tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "x",
                          "INSTANCE_PATH": str(tmp_path / "i")})
        with app.app_context():
            upgrade()
            chair("CH-1")
            batches.create_batch(["CH-1"], vendor="V", vendor_certification="R2",
                                 method="recycling", actor=make_user(Role.MANAGER))
            db.session.commit()
            db.session.remove()
            downgrade(revision="a4e9c2f7b1d3")
            db.session.execute(db.update(Certificate).where(
                Certificate.kind == "disposal_batch").values(facts={"vendor": "Someone else"}))
            db.session.commit()
            db.session.remove()
            with pytest.raises(SystemExit):  # Flask-Migrate's answer to the RuntimeError
                upgrade()
            assert "DBC-" in caplog.text and "changed after it was issued" in caplog.text
            [cert] = batch_certificates()
            assert cert.asset_id is not None  # nothing was changed
            db.session.remove()
            db.engine.dispose()
