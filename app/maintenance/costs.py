"""What maintenance cost, read one way for every page that shows it: each completed work
order (its parts and its other costs, when it closed) and each repair older phones logged
with a cost. The asset page, repair-or-replace and the reliability report sum these."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.assets.models import Asset
from app.extensions import db
from app.lifecycle.models import Event
from app.maintenance.models import WorkOrder, WorkOrderPart, WorkOrderStatus

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = 10_000  # of each kind, newest first: what one page or report reads at most


@dataclass(frozen=True)
class Cost:
    """One cost: an order's parts and other costs, or a logged repair's cost."""

    when: datetime
    kind: str  # "order" or "repair"
    parts: Decimal = ZERO
    other: Decimal = ZERO
    repair: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.parts + self.other + self.repair


def entries(asset_ids: list[int], start: datetime | None = None, end: datetime | None = None,
            limit: int = LIMIT) -> list[Cost]:
    """The costs of these assets, at most `limit` orders and `limit` repairs, newest first,
    those in [start, end) when given."""
    return _orders(asset_ids, start, end, limit) + _repairs(asset_ids, start, end, limit)


def of_asset(asset: Asset) -> dict:
    """What the asset's maintenance cost, in the parts its page shows."""
    spent = entries([asset.id])
    parts = {name: sum((getattr(c, name) for c in spent), ZERO)
             for name in ("parts", "other", "repair")}
    return {"orders": sum(c.kind == "order" for c in spent), "parts": parts["parts"],
            "other": parts["other"], "repairs": parts["repair"],
            "total": sum(parts.values(), ZERO)}


def _within(column, start: datetime | None, end: datetime | None) -> list:
    return ([column >= start] if start else []) + ([column < end] if end else [])


def _orders(asset_ids, start, end, limit) -> list[Cost]:
    parts = (sa.select(sa.func.coalesce(sa.func.sum(WorkOrderPart.cost), 0))
             .where(WorkOrderPart.work_order_id == WorkOrder.id).scalar_subquery())
    rows = db.session.execute(
        sa.select(WorkOrder.closed_at, parts, sa.func.coalesce(WorkOrder.cost, 0))
        .where(WorkOrder.asset_id.in_(asset_ids), WorkOrder.status == WorkOrderStatus.DONE,
               *_within(WorkOrder.closed_at, start, end))
        .order_by(WorkOrder.closed_at.desc()).limit(limit))
    return [Cost(when, "order", parts=_money(p), other=_money(o)) for when, p, o in rows]


def _repairs(asset_ids, start, end, limit) -> list[Cost]:
    rows = db.session.execute(
        sa.select(Event.occurred_at, Event.data)
        .where(Event.asset_id.in_(asset_ids), Event.type == "repair",
               Event.outcome == "applied", *_within(Event.occurred_at, start, end))
        .order_by(Event.occurred_at.desc()).limit(limit))
    return [Cost(when, "repair", repair=_money(data["cost"])) for when, data in rows
            if data.get("cost") not in (None, "")]


def _money(value) -> Decimal:
    # SQLite sums come back as int or float, the event's JSON holds a string.
    return Decimal(str(value)).quantize(CENT)
