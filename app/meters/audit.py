"""Readings against the audit trail: each feed batch's rows still hash to what its
`readings` events sealed, and each person's reading still says what its event says."""
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa

from app.extensions import db
from app.lifecycle.models import Event
from app.meters.models import Meter, Reading
from app.meters.service import digest
from app.timeutil import parse_datetime


def problems() -> Iterator[str]:
    """Readings changed, removed or added after they were stored, one line each."""
    sealed = sa.select(Event.seq, Event.id, Event.type, Event.asset_id, Event.data).where(
        Event.type.in_(("readings", "reading")), Event.outcome == "applied")
    batches = defaultdict(list)  # batch id -> [(seq, asset id, data)]
    for seq, event_id, kind, asset_id, data in db.session.execute(
            sealed.execution_options(yield_per=1000)):
        if kind == "readings":
            batches[data.get("batch")].append((seq, asset_id, data))
        else:
            yield from _person(seq, event_id, data)
    for batch, events in batches.items():
        rows = db.session.execute(
            sa.select(Reading.id, Reading.meter_id, Reading.at, Reading.value, Reading.reset,
                      Meter.asset_id).join(Meter).where(Reading.batch == batch)).all()
        by_asset = defaultdict(list)
        for row in rows:
            by_asset[row.asset_id].append(dict(row._mapping))
        for seq, asset_id, data in events:
            mine = by_asset.get(asset_id, [])
            if len(mine) != data.get("count") or digest(mine) != data.get("sha256"):
                yield (f"event #{seq}: the readings of batch {batch} were changed, removed or "
                       f"added to after they were stored ({len(mine)} rows now, "
                       f"{data.get('count')} sealed)")


def _person(seq: int, event_id: str, data: dict) -> Iterator[str]:
    row = db.session.execute(sa.select(Reading.value, Reading.at, Reading.reset)
                             .where(Reading.batch == event_id)).first()
    try:
        said = (float(data["value"]), parse_datetime(data["at"]), bool(data.get("reset")))
    except (KeyError, TypeError, ValueError):
        said = None
    if row is None or said is None or tuple(row) != said:
        yield f"event #{seq}: its reading is gone or no longer says what the event says"
