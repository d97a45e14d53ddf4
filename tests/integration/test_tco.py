"""Total cost of ownership: each part from its own records, computed by hand here, for one
asset (GET /api/v1/assets/<tag>/tco), its page, and the report by model and department."""
import uuid
from datetime import timedelta

import pytest

from app.assets import service as assets
from app.auth.roles import Role
from app.extensions import db
from app.licences import service as licences
from app.timeutil import utcnow
from tests.factories import make_asset, make_model, make_user

TODAY = utcnow().date()


@pytest.fixture
def van(app):
    """A van bought for 1,000 two years ago; one order (parts 30, other 20, 90 minutes), an
    old phone's repair of 10, a per-device licence of 730 over a two-year term with one seat,
    held for the middle year; disposed of at a cost of 25 with 100 recovered."""
    admin = make_user(Role.ADMIN)
    make_model("Transit")
    make_asset(admin, tag="V1", model="Transit", purchase_cost="1000.00",
               purchase_date=(TODAY - timedelta(days=730)).isoformat())
    order = str(uuid.uuid4())
    for kind, data in [
            ("work_order_open", {"work_order": order, "kind": "corrective", "title": "Brakes"}),
            ("work_order_start", {"work_order": order}),
            ("work_order_update", {"work_order": order, "labour_minutes": 90,
                                   "parts": [{"name": "Pads", "quantity": 2, "cost": "30"}]}),
            ("work_order_complete", {"work_order": order, "work_done": "New pads",
                                     "failure": True, "cost": "20"}),
            ("repair", {"symptom": "Mirror", "cost": "10"})]:
        assets.record("V1", kind, data, actor=admin)
    start = TODAY - timedelta(days=730)
    licence = licences.create({"name": "Telematics", "kind": "per_device", "seats": 1,
                               "cost": "730.00", "term_start": start.isoformat(),
                               "term_end": (start + timedelta(days=729)).isoformat()},
                              actor=admin)
    held = licences.assign(licence, {"asset": "V1"}, actor=admin)
    held.assigned_at = utcnow() - timedelta(days=500)  # held for 365 days of the 730
    held.released_at = utcnow() - timedelta(days=136)
    assets.record("V1", "retire", {"reason": "worn out"}, actor=admin)
    assets.record("V1", "wipe", {"method": "purge", "technique": "cryptographic_erase",
                                 "verified": True, "witness": "W. Witness"}, actor=admin)
    assets.record("V1", "dispose", {"method": "resale", "residual_value": "100.00",
                                    "disposal_cost": "25.00"}, actor=admin)
    db.session.commit()


def test_each_part_of_one_assets_tco_and_the_total(van, login):
    reply = login(Role.AUDITOR).get("/api/v1/assets/V1/tco")
    assert reply.status_code == 200, reply.json
    figures = reply.json
    # 90 minutes at 50 an hour; 730 / 730 days * 365 days held / 1 seat
    assert figures["parts"] == {"purchase": "1000.00", "maintenance": "60.00",
                                "labour": "75.00", "licences": "365.00",
                                "disposal": "25.00", "residual": "-100.00"}
    assert figures["total"] == "1425.00"  # 1000 + 60 + 75 + 365 + 25 - 100
    assert figures["labour"] == {"hours": "1.50", "rate": "50.00"}
    assert figures["years_in_service"] == "2.0"
    assert figures["per_year"] == "712.99"  # 1425 * 365.25 / 730 days of service
    page = login(Role.AUDITOR).get("/admin/assets/V1").get_data(as_text=True)
    assert "Total cost of ownership so far: <strong>1,425.00</strong>" in page


def test_the_report_by_model_and_department(van, login, app):
    make_asset(make_user(Role.ADMIN), tag="V2", model="Transit", purchase_cost="500.00")
    auditor = login(Role.AUDITOR)
    rows = auditor.get("/api/v1/reports/tco?group=model").json["rows"]
    assert [(r["name"], r["assets"], r["total"]) for r in rows] == [("Transit", 2, "1925.00")]
    rows = auditor.get("/api/v1/reports/tco?group=department").json["rows"]
    assert [(r["name"], r["total"]) for r in rows] == [("no department", "1925.00")]
    assert auditor.get("/api/v1/reports/tco?group=colour").status_code == 422
    app.config["LABOUR_HOURLY_RATE"] = 80  # the organisation's rate
    assert auditor.get("/api/v1/assets/V1/tco").json["parts"]["labour"] == "120.00"
    page = auditor.get("/admin/finance/tco/?group=model").get_data(as_text=True)
    assert "Transit" in page and "1,970.00" in page  # 1,925 + 45 more labour
    assert auditor.get("/api/v1/assets/NOPE/tco").status_code == 404


def fleet(model: str, price: str, count: int, repair: str | None, admin):
    make_model(model)
    bought = (TODAY - timedelta(days=730)).isoformat()
    for n in range(count):
        tag = f"{model[:2].upper()}{n}"
        make_asset(admin, tag=tag, model=model, purchase_cost=price, purchase_date=bought)
        if repair:
            assets.record(tag, "repair", {"symptom": "Fan", "cost": repair}, actor=admin)
    db.session.commit()


def test_the_planning_report_ranks_models_by_cost_per_year_of_service(app, login):
    admin = make_user(Role.ADMIN)
    fleet("Alpha", "600.00", 3, None, admin)  # 600 a unit over 2 years: 300 a year
    fleet("Beta", "900.00", 3, "100.00", admin)  # 1,000 over 2 years: 500 a year
    fleet("Gamma", "100.00", 2, None, admin)  # too few to rank
    reply = login(Role.FINANCE).get("/api/v1/reports/models")
    assert reply.status_code == 200, reply.json
    rows = {r["model"]: r for r in reply.json["models"]}
    assert [r["model"] for r in reply.json["models"]][:2] == ["Alpha", "Beta"]
    assert (rows["Alpha"]["rank"], rows["Alpha"]["tco_per_year"]) == (1, "300.21")
    assert rows["Alpha"]["reason"] == ("Buy Alpha: 40 % lower cost per year of service than "
                                       "Beta (300.21 against 500.34) over 3 units.")
    assert rows["Beta"]["reason"].startswith("67 % more per year of service than Alpha")
    assert rows["Beta"]["repair_cost"] == "300.00" and rows["Beta"]["units"] == 3
    assert rows["Gamma"]["rank"] is None and rows["Gamma"]["reason"].startswith("Not ranked")
    page = login(Role.AUDITOR).get("/admin/finance/tco/planning").get_data(as_text=True)
    assert "Buy Alpha: 40 % lower" in page
    form = login(Role.TECHNICIAN).get("/admin/requests/new?model=Beta").get_data(as_text=True)
    assert "ranked 2" in form and "67 % more per year of service than Alpha" in form
