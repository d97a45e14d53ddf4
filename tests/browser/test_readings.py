"""A meter read on the phone: the card's form comes from the served `reading` type, the
reading waits offline and, once synced, is stored at the time it was taken."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.roles import Role
from app.extensions import db
from app.meters import service as meters
from app.meters.models import Reading
from app.timeutil import isoformat, utcnow
from tests.browser.conftest import record
from tests.browser.test_event_types import ready, show
from tests.factories import make_asset, make_user

pytestmark = pytest.mark.browser


def test_a_reading_taken_offline_is_stored_at_the_time_it_was_taken(app, page, context,
                                                                    sign_in):
    asset = make_asset(tag="AST-000201", name="Compressor")
    meter = meters.create_meter(asset, name="hours", kind="counter", unit="h")
    meters.store_batch([{"asset": asset.tag, "meter": "hours", "value": 100,
                         "at": isoformat(utcnow())}], actor=make_user(Role.MANAGER))
    db.session.commit()
    sign_in(make_user(Role.TECHNICIAN))
    ready(page)
    show(page, asset.tag)
    context.set_offline(True)
    taken = utcnow().replace(microsecond=0)
    record(page, "reading", {"meter": "hours", "value": "-3"})  # below 100: refused later
    record(page, "reading", {"meter": "hours", "value": "120.5"})
    time.sleep(2)  # synced later than it was read
    context.set_offline(False)
    expect(page.locator("#waiting")).not_to_have_text("2 waiting", timeout=20_000)
    deadline = time.time() + 20
    while time.time() < deadline:
        db.session.expire_all()
        rows = db.session.scalars(sa.select(Reading).where(Reading.meter_id == meter.id)
                                  .order_by(Reading.at)).all()
        if len(rows) == 2:
            break
        time.sleep(0.2)
    assert [r.value for r in rows] == [100, 120.5]
    assert rows[1].source == "event" and taken <= rows[1].at <= taken + timedelta(seconds=2)
    # The refused one is shown with the server's reason.
    expect(page.locator("#problems")).to_contain_text("backwards")
