"""The maintenance history reliability is computed from, read from the records: when each
asset entered and left service (its events), its work orders (failures, planned work, how
long each stopped it, preventive orders due) and the repairs older phones log."""
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.assets.models import Asset
from app.errors import ValidationFailed
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.states import PLANNED
from app.maintenance import costs, reliability
from app.maintenance.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from app.maintenance.reliability import Due, InService, Stop

MAX_ASSETS = 50_000  # one report's scope; a model with more is refused, not read whole
LEFT = ("retire", "dispose")  # the events after which an asset is out of service for good
PLANNED_KINDS = (WorkOrderKind.PREVENTIVE, WorkOrderKind.PREDICTIVE)


def _service(asset_ids: list[int]) -> list[InService]:
    began = dict(db.session.execute(
        sa.select(Event.asset_id, sa.func.min(Event.occurred_at))
        .where(Event.asset_id.in_(asset_ids), Event.outcome == "applied")
        .group_by(Event.asset_id)).all())
    left = dict(db.session.execute(
        sa.select(Event.asset_id, sa.func.min(Event.occurred_at))
        .where(Event.asset_id.in_(asset_ids), Event.outcome == "applied",
               Event.type.in_(LEFT)).group_by(Event.asset_id)).all())
    return [InService(a, began[a], left.get(a)) for a in asset_ids if a in began]


def _order_stop(order: WorkOrder) -> Stop:
    """An order's stop: while it kept the asset out of service, else the downtime it
    recorded, ending when it closed (nothing recorded: a failure that stopped nothing)."""
    failure = bool(order.failure) if order.status == WorkOrderStatus.DONE else \
        order.kind == WorkOrderKind.CORRECTIVE  # still open: a fault until found otherwise
    planned = order.kind in PLANNED_KINDS
    if order.out_of_service:
        return Stop(order.asset_id, order.opened_at, order.closed_at, failure, planned)
    back = order.closed_at
    if back is not None and order.downtime_minutes:
        return Stop(order.asset_id, back - timedelta(minutes=order.downtime_minutes), back,
                    failure, planned)
    moment = back or order.started_at or order.opened_at
    return Stop(order.asset_id, moment, moment, failure, planned)


def _repair_stops(asset_ids: list[int], until: datetime) -> list[Stop]:
    """Repairs logged the old way: one opened sends the asset to repair, one closed brings it
    back; each opened is a failure."""
    stops, opened = [], {}
    for asset_id, when, data in db.session.execute(
            sa.select(Event.asset_id, Event.occurred_at, Event.data)
            .where(Event.asset_id.in_(asset_ids), Event.type == "repair",
                   Event.outcome == "applied", Event.occurred_at < until)
            .order_by(Event.asset_id, Event.seq)):
        if data.get("status") == "open":
            opened[asset_id] = when
        elif data.get("status") == "closed" and asset_id in opened:
            stops.append(Stop(asset_id, opened.pop(asset_id), when, True, False))
    stops += [Stop(a, when, None, True, False) for a, when in opened.items()]
    return stops


def _spent(asset_ids: list[int], start: datetime, end: datetime) -> Decimal:
    found = costs.entries(asset_ids, start, end)
    # A read is bounded: a period with more costs than one read takes is refused, not
    # summed short.
    if any(sum(c.kind == kind for c in found) >= costs.LIMIT for kind in ("order", "repair")):
        raise ValidationFailed("The period has too many maintenance costs for one report; "
                               "choose fewer days.", {"limit": costs.LIMIT})
    return sum((c.total for c in found), Decimal("0.00"))


def report(assets: sa.Select, start: datetime, end: datetime) -> reliability.Report:
    """Reliability of the assets `assets` selects (their ids), over [start, end)."""
    ids = db.session.scalars(assets.where(Asset.status.not_in(PLANNED))
                             .limit(MAX_ASSETS + 1)).all()
    if len(ids) > MAX_ASSETS:
        raise ValidationFailed(f"A report covers at most {MAX_ASSETS:,} assets; choose a "
                               "model or an asset with fewer.", {"assets": len(ids)})
    chunks = [ids[i:i + 1000] for i in range(0, len(ids), 1000)]  # bounded IN lists
    stops, due, service = [], [], []
    for chunk in chunks:
        service += _service(chunk)
        orders = db.session.scalars(sa.select(WorkOrder).where(
            WorkOrder.asset_id.in_(chunk), WorkOrder.status != WorkOrderStatus.CANCELLED,
            WorkOrder.opened_at < end,
            sa.or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at >= start,
                   WorkOrder.due >= start.date()))).all()
        stops += [_order_stop(o) for o in orders]
        due += [Due(o.due, o.closed_at.date() if o.status == WorkOrderStatus.DONE else None)
                for o in orders if o.kind == WorkOrderKind.PREVENTIVE and o.due is not None
                and start.date() <= o.due < end.date()]
        stops += _repair_stops(chunk, end)
    result = reliability.report(service, stops, due, start, end)
    spent = sum((_spent(chunk, start, end) for chunk in chunks), Decimal("0.00"))
    result.figures["maintenance_cost"] = reliability.Figure(
        float(spent), "parts and other costs of orders completed in the period, and the "
        "costs of repairs logged in it", {"assets": len(ids)}, len(ids))
    return result
