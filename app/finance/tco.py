"""Total cost of ownership: what an asset (or a model's or a department's assets) cost from
purchase to disposal, part by part — purchase, maintenance (parts, other costs and repairs
logged), labour (work orders' minutes at LABOUR_HOURLY_RATE), the licences assigned to it,
disposal costs, less the residual value recovered when it went. Every part is shown with
what it was made of, so a total can be checked by hand."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.assets.models import Asset
from app.errors import ValidationFailed
from app.extensions import db
from app.licences.models import Licence, LicenceAssignment
from app.lifecycle.models import Event
from app.maintenance import costs
from app.maintenance.models import WorkOrder, WorkOrderStatus
from app.timeutil import utcnow

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CHUNK = 1000  # assets per query: bounded IN lists
MAX_ASSETS = 100_000  # one report's assets at most


@dataclass
class TCO:
    assets: int = 0
    purchase: Decimal = ZERO
    maintenance: Decimal = ZERO  # parts, other costs and repairs logged with a cost
    labour_hours: Decimal = ZERO
    labour: Decimal = ZERO
    licences: Decimal = ZERO
    disposal: Decimal = ZERO
    residual: Decimal = ZERO  # recovered when it went: subtracted
    years: Decimal = ZERO  # of service, summed over the assets
    unpriced: int = 0  # assets with no purchase cost: their purchase counts as 0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return (self.purchase + self.maintenance + self.labour + self.licences
                + self.disposal - self.residual)

    @property
    def per_year(self) -> Decimal | None:
        return (self.total / self.years).quantize(CENT) if self.years >= Decimal("0.1") \
            else None

    def add(self, other: "TCO") -> None:
        for name in ("assets", "purchase", "maintenance", "labour_hours", "labour",
                     "licences", "disposal", "residual", "years", "unpriced"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict:
        def money(value):
            return None if value is None else f"{value.quantize(CENT):.2f}"
        rate = labour_rate()
        return {
            "assets": self.assets, "total": money(self.total), "per_year": money(self.per_year),
            "years_in_service": f"{self.years:.1f}",
            "parts": {"purchase": money(self.purchase), "maintenance": money(self.maintenance),
                      "labour": money(self.labour), "licences": money(self.licences),
                      "disposal": money(self.disposal), "residual": money(-self.residual)},
            "labour": {"hours": f"{self.labour_hours:.2f}", "rate": money(rate)},
            "formula": "purchase + maintenance + labour + licences + disposal - residual",
            "unpriced_assets": self.unpriced, "notes": self.notes,
        }


def labour_rate() -> Decimal:
    return Decimal(str(current_app.config["LABOUR_HOURLY_RATE"]))


def of_assets(asset_ids: list[int], today: date | None = None) -> TCO:
    """The TCO of these assets together."""
    if len(asset_ids) > MAX_ASSETS:
        raise ValidationFailed(f"A TCO covers at most {MAX_ASSETS:,} assets; choose a model or "
                               "a department with fewer.", {"assets": len(asset_ids)})
    total = TCO()
    for start in range(0, len(asset_ids), CHUNK):
        total.add(_chunk(asset_ids[start:start + CHUNK], today or utcnow().date()))
    return total


def _chunk(ids: list[int], today: date) -> TCO:
    part = TCO(assets=len(ids))
    rows = db.session.execute(sa.select(Asset.id, Asset.purchase_cost, Asset.purchase_date,
                                        Asset.created_at).where(Asset.id.in_(ids))).all()
    ended = _disposals(ids)
    for asset_id, cost, bought, created in rows:
        part.purchase += cost or ZERO
        part.unpriced += cost is None
        start = bought or created.date()
        end = ended.get(asset_id, (today, ZERO, ZERO))[0]
        part.years += Decimal(max(0, (end - start).days)) / Decimal("365.25")
    spent = costs.entries(ids)
    part.maintenance = sum((c.total for c in spent), ZERO)
    if len(spent) >= 2 * costs.LIMIT:
        part.notes.append(f"Maintenance is summed from the newest {costs.LIMIT:,} orders and "
                          "repairs of each thousand assets.")
    minutes = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(
        WorkOrder.labour_minutes), 0)).where(WorkOrder.asset_id.in_(ids),
                                             WorkOrder.status == WorkOrderStatus.DONE))
    part.labour_hours = (Decimal(minutes) / 60).quantize(CENT)
    part.labour = (part.labour_hours * labour_rate()).quantize(CENT)
    part.licences = _licences(ids, today)
    for _, disposal_cost, residual in ended.values():
        part.disposal += disposal_cost
        part.residual += residual
    return part


def _disposals(ids: list[int]) -> dict[int, tuple[date, Decimal, Decimal]]:
    """asset id -> (when it was disposed of, what disposing cost, what it recovered)."""
    found = {}
    for asset_id, when, data in db.session.execute(
            sa.select(Event.asset_id, Event.occurred_at, Event.data).where(
                Event.asset_id.in_(ids), Event.type == "dispose",
                Event.outcome == "applied")):
        found[asset_id] = (when.date(), _money(data.get("disposal_cost")),
                           _money(data.get("residual_value")))
    return found


def _licences(ids: list[int], today: date) -> Decimal:
    """Each seat an asset held, at the licence's cost per seat for the share of its term
    the asset held it (an unlimited or site licence's cost shared among its holders)."""
    held = sa.select(LicenceAssignment.licence_id).where(LicenceAssignment.asset_id.in_(ids))
    holders = dict(db.session.execute(  # only the licences these assets held
        sa.select(LicenceAssignment.licence_id, sa.func.count())
        .where(LicenceAssignment.licence_id.in_(held))
        .group_by(LicenceAssignment.licence_id)).all())
    total = ZERO
    for licence, assigned, released in db.session.execute(
            sa.select(Licence, LicenceAssignment.assigned_at, LicenceAssignment.released_at)
            .join(LicenceAssignment.licence).where(LicenceAssignment.asset_id.in_(ids))):
        seats = licence.seats or holders.get(licence.id, 1)
        term = max(1, (licence.term_end - licence.term_start).days + 1)
        held_from = max(licence.term_start, assigned.date())
        held_to = min(licence.term_end, (released or datetime.combine(today, datetime.min.time()))
                      .date())
        days = max(0, (held_to - held_from).days + 1)
        total += licence.cost * Decimal(days) / Decimal(term) / Decimal(seats)
    return total.quantize(CENT)


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT) if value not in (None, "") else ZERO


GROUPS = {"model": Asset.model_id, "department": Asset.department_id}


def by_group(group: str) -> list[tuple[int | None, TCO]]:
    """(model or department id, its assets' TCO) for each group, the costliest first."""
    if group not in GROUPS:
        raise ValidationFailed("'group' is model or department.", {"group": group})
    column = GROUPS[group]
    members: dict[int | None, list[int]] = {}
    for key, asset_id in db.session.execute(sa.select(column, Asset.id).limit(MAX_ASSETS + 1)):
        members.setdefault(key, []).append(asset_id)
    if sum(map(len, members.values())) > MAX_ASSETS:
        raise ValidationFailed(f"The TCO report covers at most {MAX_ASSETS:,} assets.", {})
    return sorted(((key, of_assets(ids)) for key, ids in members.items()),
                  key=lambda pair: pair[1].total, reverse=True)
