"""The dashboard counts what the register holds and what needs attention: real compliance
gaps apart from the assets simply waiting to be disposed of."""
import sqlalchemy as sa

from app.assets import service as assets
from app.auth.roles import Role
from app.certificates.models import Certificate
from app.extensions import db
from tests.factories import make_asset, make_model, make_user

WIPE = {"method": "purge", "technique": "overwrite", "verified": True, "witness": "W. Witness"}


def test_dashboard_counts_statuses_gaps_and_work_waiting(app, login):
    manager = make_user(Role.MANAGER)
    make_asset(manager, tag="A1"), make_asset(manager, tag="A2"), make_asset(manager, tag="A3")
    model = make_model("Shelf", category="Furniture")
    db.session.execute(sa.text("UPDATE category SET holds_data = false"))
    make_asset(manager, tag="A4", model=model.name)
    assets.record("A2", "retire", {"reason": "old"}, actor=manager)  # waiting: not a gap
    assets.record("A3", "retire", {"reason": "old"}, actor=manager)
    assets.record("A3", "wipe", WIPE, actor=manager)  # wiped, certified: waiting
    assets.record("A4", "retire", {"reason": "old"}, actor=manager)
    assets.record("A4", "dispose", {"method": "recycling"}, actor=manager)
    db.session.execute(sa.delete(Certificate).where(Certificate.kind == "disposal"))
    db.session.commit()  # A4: disposed, its certificate gone: the one real gap
    page = login(Role.AUDITOR).get("/admin/").get_data(as_text=True)
    assert "4 assets" in page
    assert 'href="/admin/assets/?status=retired">1</a>' in page
    assert 'href="/admin/certificates/report">1</a>' in page  # the gap: A4 only
    assert 'href="/admin/certificates/report#waiting">2</a>' in page  # A2 and A3
    report = login(Role.AUDITOR).get("/admin/certificates/report").get_data(as_text=True)
    gaps = report[report.index("Compliance gaps"):report.index("Waiting for disposal")]
    assert "A4" in gaps and "no disposal certificate" in gaps and "A2" not in gaps
    waiting = report[report.index("Waiting for disposal"):]
    assert "A2" in waiting and "A3" in waiting


def test_a_verified_wipe_without_its_certificate_is_a_gap(app, login):
    manager = make_user(Role.MANAGER)
    make_asset(manager, tag="A1")
    assets.record("A1", "retire", {"reason": "old"}, actor=manager)
    assets.record("A1", "wipe", WIPE | {"verified": False}, actor=manager)  # not trusted
    db.session.commit()
    report = login(Role.AUDITOR).get("/admin/certificates/report").get_data(as_text=True)
    assert "for its wipe" not in report
    assets.record("A1", "wipe", WIPE, actor=manager)
    db.session.execute(sa.delete(Certificate))
    db.session.commit()
    report = login(Role.AUDITOR).get("/admin/certificates/report").get_data(as_text=True)
    gaps = report[report.index("Compliance gaps"):report.index("Waiting for disposal")]
    assert "A1" in gaps and "no data-destruction certificate for its wipe" in gaps
