"""The planning report: for each model, what buying it has meant — units bought, the life
they reached before retirement, failures and MTBF (from maintenance), repair cost, downtime,
total cost of ownership per year of service and the value recovered at disposal — ranked by
cost per year of service, with the ranking's reason in words."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.assets.models import Asset
from app.catalog.models import AssetModel
from app.extensions import db
from app.finance import tco
from app.lifecycle.models import Event
from app.lifecycle.states import PLANNED
from app.maintenance import history
from app.maintenance.models import WorkOrder, WorkOrderStatus
from app.timeutil import utcnow

MIN_UNITS = 3  # fewer bought: listed, not ranked
MIN_YEARS = Decimal(1)  # of service in all, for a cost per year to mean anything
MAX_MODELS = 200
WINDOW_DAYS = 3 * 365  # the reliability figures' period


@dataclass
class Row:
    model: str
    units: int
    retired: int
    mean_life_years: float | None
    failures: int
    mtbf_hours: float | None
    repair_cost: Decimal
    downtime_hours: float
    cost: tco.TCO
    mean_residual: Decimal | None
    rank: int | None = None
    reason: str = ""

    @property
    def per_year(self) -> Decimal | None:
        return self.cost.per_year if self.units >= MIN_UNITS and self.cost.years >= MIN_YEARS \
            else None

    def as_json(self) -> dict:
        def money(value):
            return None if value is None else f"{value:.2f}"
        return {"model": self.model, "rank": self.rank, "reason": self.reason,
                "units": self.units, "retired": self.retired,
                "mean_life_years": self.mean_life_years, "failures": self.failures,
                "mtbf_hours": self.mtbf_hours, "repair_cost": money(self.repair_cost),
                "downtime_hours": self.downtime_hours, "tco_per_year": money(self.per_year),
                "tco": money(self.cost.total), "mean_residual": money(self.mean_residual)}


def _row(model: AssetModel) -> Row:
    ids = db.session.scalars(sa.select(Asset.id).where(
        Asset.model_id == model.id, Asset.status.not_in(PLANNED))
        .limit(tco.MAX_ASSETS + 1)).all()
    cost = tco.of_assets(ids)
    end = utcnow().replace(microsecond=0)
    figures = history.report(sa.select(Asset.id).where(Asset.model_id == model.id),
                             end - timedelta(days=WINDOW_DAYS), end).figures
    lives, residuals, down = [], [], 0
    for start in range(0, len(ids), tco.CHUNK):
        chunk = ids[start:start + tco.CHUNK]
        for bought, retired in db.session.execute(
                sa.select(Asset.purchase_date, sa.func.min(Event.occurred_at))
                .join(Event, Event.asset_id == Asset.id)
                .where(Asset.id.in_(chunk), Event.type == "retire", Event.outcome == "applied")
                .group_by(Asset.id, Asset.purchase_date)):
            if bought is not None:
                lives.append(max(0, (retired.date() - bought).days) / 365.25)
        residuals += [Decimal(str(data["residual_value"])) for (data,) in db.session.execute(
            sa.select(Event.data).where(Event.asset_id.in_(chunk), Event.type == "dispose",
                                        Event.outcome == "applied"))
            if data.get("residual_value") not in (None, "")]
        down += db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(
            WorkOrder.downtime_minutes), 0)).where(WorkOrder.asset_id.in_(chunk),
                                                   WorkOrder.status == WorkOrderStatus.DONE))
    return Row(model.name, len(ids), len(lives),
               round(sum(lives) / len(lives), 1) if lives else None,
               figures["mtbf_hours"].sample, figures["mtbf_hours"].value, cost.maintenance,
               round(down / 60, 1), cost,
               (sum(residuals) / len(residuals)).quantize(tco.CENT) if residuals else None)


def report() -> list[Row]:
    """Every model's row, the cheapest to own per year of service first; those with too
    little history after, unranked, saying why."""
    models = db.session.scalars(sa.select(AssetModel).order_by(AssetModel.name)
                                .limit(MAX_MODELS)).all()
    rows = [_row(model) for model in models]
    ranked = sorted((r for r in rows if r.per_year is not None), key=lambda r: r.per_year)
    for n, row in enumerate(ranked, start=1):
        row.rank = n
        row.reason = _reason(row, ranked)
    for row in rows:
        if row.rank is None:
            row.reason = (f"Not ranked: {row.units} unit{'s' if row.units != 1 else ''} and "
                          f"{row.cost.years:.1f} years of service; ranking needs {MIN_UNITS} "
                          f"units and {MIN_YEARS} year.")
    return ranked + [r for r in rows if r.rank is None]


def _reason(row: Row, ranked: list[Row]) -> str:
    if len(ranked) == 1:
        return (f"The only model with enough history: {row.per_year:,.2f} a year of service "
                f"over {row.units} units.")
    if row is ranked[0]:
        runner = ranked[1]
        lower = (1 - row.per_year / runner.per_year) * 100 if runner.per_year else Decimal(0)
        return (f"Buy {row.model}: {lower:.0f} % lower cost per year of service than "
                f"{runner.model} ({row.per_year:,.2f} against {runner.per_year:,.2f}) over "
                f"{row.units} units.")
    best = ranked[0]
    more = (row.per_year / best.per_year - 1) * 100 if best.per_year else Decimal(0)
    return (f"{more:.0f} % more per year of service than {best.model} "
            f"({row.per_year:,.2f} against {best.per_year:,.2f}) over {row.units} units.")


def for_model(name: str) -> Row | None:
    """The model's row of the report, ranked among the others (for a request naming it)."""
    return next((row for row in report() if row.model == name), None)
