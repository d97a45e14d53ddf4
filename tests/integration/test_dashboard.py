"""The dashboard counts what the register holds and what needs attention."""
from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from tests.factories import make_asset, make_user


def test_dashboard_counts_statuses_and_compliance_gaps(app, login):
    manager = make_user(Role.MANAGER)
    make_asset(manager, tag="A1"), make_asset(manager, tag="A2")
    assets.record("A2", "retire", {"reason": "old"}, actor=manager)  # no certificate yet
    db.session.commit()
    page = login(Role.AUDITOR).get("/admin/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2 assets" in text
    assert 'href="/admin/assets/?status=retired">1</a>' in text
    assert 'href="/admin/certificates/report">1</a>' in text
