"""The desk's work-order pages: opened from an asset's page, worked from the order's page
through the same events, a follow-up for a failed checklist line, the list and its filters."""
import re
import uuid

import pytest
import sqlalchemy as sa

from app.assets import service as assets
from app.assets.models import Asset
from app.auth.roles import Role
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.maintenance.models import WorkOrder
from tests.factories import make_asset, make_user


@pytest.fixture
def desk(app):
    make_asset(tag="A1", criticality="low")
    make_user(Role.TECHNICIAN, email="tech@example.org")
    return app.test_client(user=make_user(Role.TECHNICIAN))


def only_order() -> WorkOrder:
    db.session.expire_all()
    return db.session.scalars(sa.select(WorkOrder)).one()


def opened(desk, **fields):
    form = {"kind": "corrective", "title": "Fan noise", "priority": "",
            "checklist": "Fans spin\nFilters clean"} | fields
    return desk.post("/admin/work-orders/new?asset=A1", data=form)


def step(desk, order, name, **fields):
    reply = desk.post(f"/admin/work-orders/{order.number}/{name}", data=fields)
    assert reply.status_code == 302
    return desk.get(reply.headers["Location"]).get_data(as_text=True)


def test_the_asset_page_offers_an_order_and_lists_the_open_ones(desk):
    page = desk.get("/admin/assets/A1").get_data(as_text=True)
    assert "/admin/work-orders/new?asset=A1" in page and "No open" in page
    reply = opened(desk, out_of_service="y")
    order = only_order()
    assert reply.status_code == 302 and reply.headers["Location"].endswith(order.number)
    assert (order.priority, order.out_of_service) == ("low", True)  # from the criticality
    page = desk.get("/admin/assets/A1").get_data(as_text=True)
    assert order.number in page and "1 open" in page and "in repair" in page


def test_a_bad_order_form_says_why_and_writes_nothing(desk):
    reply = opened(desk, assignee="nobody@example.org")
    assert reply.status_code == 422 and "no active user" in reply.get_data(as_text=True)
    reply = opened(desk, title="")
    assert reply.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkOrder)) == 0


def test_an_order_is_worked_from_its_page(desk):
    opened(desk)
    order = only_order()
    page = step(desk, order, "start")
    assert only_order().status == "in_progress" and "Pause: waiting for parts" in page
    step(desk, order, "pause")
    assert only_order().status == "waiting_parts"
    step(desk, order, "resume")
    page = step(desk, order, "update", labour_minutes="40", part_name_1="Fan",
                part_quantity_1="2", part_cost_1="12.50", result_1="fail",
                note_1="bearing worn", result_2="pass")
    order = only_order()
    assert order.labour_minutes == 40 and [p.name for p in order.parts] == ["Fan"]
    assert [i.result for i in order.items] == ["fail", "pass"]
    assert "Follow-up corrective order" in page and "bearing worn" in page
    page = step(desk, order, "complete", work_done="Replaced the fan", failure="y",
                downtime_minutes="30", downtime_reason="parts")
    order = only_order()
    assert (order.status, order.failure, order.downtime_minutes) == ("done", True, 30)
    assert "12.50" in page and "Replaced the fan" in page
    asset_page = desk.get("/admin/assets/A1").get_data(as_text=True)
    assert "maintenance cost 12.50: 1 completed order (parts 12.50, other 0.00)" in asset_page


def test_a_refused_step_is_shown_and_changes_nothing(desk):
    opened(desk)
    order = only_order()
    page = step(desk, order, "update", labour_minutes="-5")
    assert "Not done: labour_minutes" in page and only_order().labour_minutes == 0
    page = step(desk, order, "complete", work_done="x")
    assert "cannot be completed" in page and only_order().status == "open"
    page = step(desk, order, "cancel", reason="no")  # a technician's
    assert "may not" in page and only_order().status == "open"


def test_a_manager_cancels_an_order(app, desk):
    opened(desk)
    order = only_order()
    manager = app.test_client(user=make_user(Role.MANAGER))
    assert "Cancel the order" in manager.get(f"/admin/work-orders/{order.number}").text
    assert "Cancel the order" not in desk.get(f"/admin/work-orders/{order.number}").text
    step(manager, order, "cancel", reason="wrong asset")
    assert only_order().status == "cancelled" and only_order().cancel_reason == "wrong asset"


def test_a_failed_line_gets_a_follow_up_order_in_one_click(desk):
    opened(desk)
    order = only_order()
    step(desk, order, "start")
    assert desk.post(f"/admin/work-orders/{order.number}/follow-up/1").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkOrder)) == 1
    step(desk, order, "update", result_1="fail")
    reply = desk.post(f"/admin/work-orders/{order.number}/follow-up/1")
    follow = db.session.scalar(sa.select(WorkOrder).where(WorkOrder.id != order.id))
    assert reply.headers["Location"].endswith(follow.number)
    assert (follow.kind, follow.title, follow.follow_up_of_id) == (
        "corrective", "Follow-up: Fans spin", order.id)


def test_the_list_filters_and_pages(app, desk):
    admin = make_user()
    make_asset(tag="A2")
    for n in range(52):
        data = {"work_order": str(uuid.uuid4()), "title": f"Job {n}",
                "kind": "preventive" if n == 0 else "corrective"}
        if n == 1:
            data["assignee"] = "tech@example.org"
        assets.record("A1" if n % 2 else "A2", "work_order_open", data, actor=admin)
    db.session.commit()

    def shown(query):
        page = desk.get(f"/admin/work-orders/?{query}").get_data(as_text=True)
        return set(re.findall(r">(WO-\d{4}-\d{6})<", page))

    assert len(shown("")) == 50 and len(shown("page=2")) == 2
    assert len(shown("kind=preventive")) == 1 and len(shown("assignee=tech@example.org")) == 1
    assert len(shown("asset=A2")) == 26 and shown("status=done") == set()
    assert len(shown("status=junk")) == 50  # a value not offered is left out, not a 500


def test_titles_are_escaped(desk):
    opened(desk, title="<script>alert(1)</script>")
    order = only_order()
    page = desk.get(f"/admin/work-orders/{order.number}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_the_order_form_needs_its_csrf_token(csrf_app):
    make_asset(tag="A1")
    client = csrf_app.test_client(user=make_user(Role.TECHNICIAN))
    reply = client.post("/admin/work-orders/new?asset=A1",
                        data={"kind": "corrective", "title": "Fan"})
    assert reply.status_code in (400, 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkOrder)) == 0


def test_photos_from_two_technicians_both_show_on_the_order(app, desk):
    opened(desk)
    order = only_order()
    shas = ["a" * 64, "b" * 64]
    for sha in shas:
        assets.record("A1", "work_order_update", {"work_order": order.id, "photos": [sha]},
                      actor=make_user(Role.TECHNICIAN))
    db.session.commit()
    page = desk.get(f"/admin/work-orders/{order.number}").get_data(as_text=True)
    assert all(f"/api/v1/blobs/{sha}/thumbnail" in page for sha in shas)


def test_a_completion_after_a_cancellation_waits_on_the_conflicts_page(app, desk):
    tech, manager = make_user(Role.TECHNICIAN), make_user(Role.MANAGER)
    opened(desk)
    order = only_order()
    assets.record("A1", "work_order_start", {"work_order": order.id}, actor=tech)
    db.session.commit()
    seen = db.session.scalar(sa.select(Asset.version).where(Asset.tag == "A1"))
    assets.record("A1", "work_order_cancel", {"work_order": order.id, "reason": "replaced"},
                  actor=manager)
    outcome = apply_event(EventIn("work_order_complete", "A1", {
        "work_order": order.id, "work_done": "Fixed it", "failure": False},
        base_version=seen, device="phone-1"), actor=tech)
    db.session.commit()
    assert outcome.status == "conflict"
    page = app.test_client(user=manager).get("/admin/conflicts/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Work order {order.number} is cancelled" in text and "Fixed it" in text
    order_page = desk.get(f"/admin/work-orders/{order.number}").get_data(as_text=True)
    assert "conflict" in order_page and only_order().status == "cancelled"
