"""The demo seed: a full, valid register through the pipeline, seeded once."""
import os
import stat

import sqlalchemy as sa

from app.assets.models import Asset
from app.catalog.models import AssetModel, Category
from app.demo import logins_path, seed_demo
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus
from app.maintenance.models import WorkOrder
from app.maintenance.schedules import Schedule
from app.meters.models import Meter, Reading
from app.org.models import Person
from app.warranty.models import Warranty, WarrantyClaim


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_seed_fills_every_status_once(app):
    lines = seed_demo(only_if_empty=True)
    db.session.rollback()  # what the command leaves behind is what it committed

    assert lines[0] == "Demo logins:" and len(lines) == 6  # a login per role
    assert "admin@demo.tagtrail" in lines[1]
    assert logins_path().read_text().splitlines() == lines
    assert stat.S_IMODE(os.stat(logins_path()).st_mode) == 0o600
    assert (count(Asset), count(Person), count(AssetModel), count(Category)) == (600, 40, 12, 5)
    statuses = set(db.session.scalars(sa.select(Asset.status).distinct()))
    assert statuses == set(AssetStatus)
    orders = db.session.scalars(sa.select(WorkOrder.status).where(WorkOrder.reason == "")).all()
    assert len(orders) == 10 and {"open", "in_progress", "done"} <= set(orders)
    # The schedules' first planner run: the van's service (its odometer is past 15,000 km)
    # and the quarterly check of the R650 servers, each saying why it is due.
    planned = db.session.scalars(sa.select(WorkOrder).where(WorkOrder.reason != "")).all()
    assert {o.title for o in planned} == {"15,000 km service", "Quarterly server check"}
    assert count(Schedule) == 3
    assert audit.verify().ok
    # A van's odometer and a server's temperature, a year of readings each.
    assert count(Meter) == 2 and count(Reading) > 365 + 365 * 4 - 10
    # A submitted warranty claim, and the fleet's contracts with their mileage limit.
    assert db.session.scalars(sa.select(WarrantyClaim.status)).all() == ["submitted"]
    assert count(Warranty) > 0

    events = count(Event)
    assert seed_demo(only_if_empty=True) == lines
    assert (count(Asset), count(Event)) == (600, events)

