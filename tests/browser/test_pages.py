"""Every page a person opens, at a phone's width and a desk's: nothing wider than the screen,
and no serious or critical accessibility finding (axe-core, run in the page)."""
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from app.assets import service as assets
from app.auth.roles import Role
from app.certificates.models import Certificate
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.maintenance import planner, schedules
from app.maintenance.models import WorkOrder
from app.meters import service as meters
from app.procurement import orders, requests
from app.stocktakes import service as stocktakes
from app.timeutil import isoformat, utcnow
from tests.factories import make_asset, make_location, make_model, make_person, make_user

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WIDTHS = (390, 1366)


@pytest.fixture
def places(app):
    """One of each thing the pages show, and the paths that show them."""
    manager = make_user(Role.MANAGER)
    room = make_location("PG-ROOM")
    person = make_person("PG-P1", name="Page Person", email="page@example.org")
    make_asset(manager, tag="PG-1", name="A laptop with a fairly long name for a small screen",
               location=room.code, serial="SN-PAGES-000000000001")
    seen = assets.record("PG-1", "check_out", {"assignee": person.code}, actor=manager).version
    apply_event(EventIn("transfer", "PG-1", {"to_location": "PG-ROOM"}, base_version=seen - 1,
                        device="3f2a9c1e-aaaa-bbbb-cccc-d41f8e2b7c60"), actor=make_user())
    make_asset(manager, tag="PG-2", location=room.code)
    assets.record("PG-2", "retire", {"reason": "old"}, actor=manager)
    assets.record("PG-2", "wipe", {"method": "purge", "technique": "cryptographic_erase",
                                   "verified": True, "witness": "Wanda Witness",
                                   "media_serials": ["NVME-0001", "NVME-0002"]}, actor=manager)
    take = stocktakes.start(room, actor=manager)
    assets.record("PG-1", "warranty", {"provider": "Acme Care", "starts": "2020-01-01",
                                       "ends": "2099-12-31", "reference": "AC-1"}, actor=manager)
    order = str(uuid.uuid4())
    assets.record("PG-1", "work_order_open", {
        "work_order": order, "kind": "corrective", "title": "Fan noise on start-up",
        "checklist": ["Fans spin freely", "Filters clean"], "out_of_service": True,
        "assignee": manager.email},
        actor=manager)
    assets.record("PG-1", "work_order_start", {"work_order": order}, actor=manager)
    assets.record("PG-1", "work_order_update", {
        "work_order": order, "labour_minutes": 25,
        "parts": [{"name": "Fan 80 mm", "quantity": 2, "cost": "18.40"}],
        "checklist": [{"item": 1, "result": "fail", "note": "bearing worn"}]}, actor=manager)
    claim = assets.record("PG-1", "warranty_claim", {"work_order": order, "fault": "Fan noise"},
                          actor=manager).data["claim"]
    laptop = assets.get_by_tag("PG-1")
    meters.create_meter(laptop, name="hours", kind="counter", unit="h", target=500)
    meters.create_meter(laptop, name="temperature", kind="gauge", unit="°C")
    now = utcnow()
    rates = (("hours", 8), ("temperature", 0.5))
    meters.store_batch([{"asset": "PG-1", "meter": name, "value": rate * day,
                         "at": isoformat(now - timedelta(days=30 - day))}
                        for day in range(30) for name, rate in rates], actor=manager)
    db.session.commit()
    schedules.create(schedules.ScheduleIn().load({
        "asset": "PG-1", "title": "Weekly clean", "every_days": 7,
        "checklist": ["Vents"]}), actor=manager)
    planner.run(14)
    db.session.commit()
    number = db.session.get(WorkOrder, order).number
    raised, _ = requests.submit({"title": "Spare laptops", "justification": "Two broke",
                                 "specification": "Any 14-inch laptop", "quantity": 2,
                                 "estimated_unit_cost": "900"}, actor=manager)
    bought = orders.create({"supplier": "Acme Ltd", "lines": [
        {"model": make_model("PG Model").name, "quantity": 2,
         "unit_cost": "900"}]}, actor=manager)
    db.session.commit()
    cert = db.session.scalar(db.select(Certificate))
    paths = ["/admin/", "/admin/assets/", "/admin/assets/PG-1", "/admin/assets/PG-2",
             "/admin/assets/new", "/admin/stocktakes/", f"/admin/stocktakes/{take.id}",
             "/admin/stocktakes/not-seen", "/admin/certificates/report",
             f"/admin/certificates/{cert.number}", "/admin/conflicts/", "/admin/audit/",
             "/admin/people", f"/admin/people/{person.id}", "/admin/locations",
             f"/admin/locations/{room.id}", "/admin/departments", "/admin/labels/",
             "/admin/catalog/models", "/admin/catalog/categories",
             f"/verify/{cert.number}?k={cert.verify_key}", f"/verify/{cert.number}",
             "/admin/work-orders/", f"/admin/work-orders/{number}",
             "/admin/work-orders/new?asset=PG-1", "/admin/warranty/", "/admin/warranty/claims/",
             f"/admin/warranty/claims/{claim}", "/admin/reliability/?asset=PG-1",
             "/admin/meters/stale", "/admin/maintenance/schedules",
             "/admin/maintenance/schedules/new", "/admin/maintenance/calendar",
             "/admin/maintenance/backlog", "/admin/requests/", "/admin/requests/new",
             f"/admin/requests/{raised.number}", "/admin/purchase-orders/",
             "/admin/purchase-orders/new", f"/admin/purchase-orders/{bought.number}",
             # the phone's
             "/scan", "/stocktake", "/offline", "/work", "/receive", f"/stocktake#{take.id}"]
    return manager, paths


def open_page(page, path):
    """Go to a page; `/stocktake#<id>` is the phone walking that stock-take."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if path.startswith("/stocktake#"):
        page.evaluate("tagtrail.ready")
        page.click(f'[data-stocktake="{path.split("#")[1]}"]')
        page.select_option("#room", index=1)
        page.wait_for_selector("#todo li")


def axe_findings(page) -> list[str]:
    page.evaluate(AXE)
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]}))
        .violations.filter(v => ["serious", "critical"].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")}`)""")
    return found


def test_every_page_fits_the_screen_and_passes_axe(page, sign_in, places):
    manager, paths = places
    sign_in(manager, then="/admin/")
    wide, findings = [], []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            open_page(page, path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide.append((width, path, scroll))
            findings += [f"{width} {path} {f}" for f in axe_findings(page)]
    assert wide == []
    assert findings == [], "\n".join(findings)
