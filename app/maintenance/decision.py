"""Repair or replace: an asset's repair costs against what replacing it costs and what it is
still worth, its maintenance so far against its price, its age against its useful life, and
its warranty; a policy (config REPAIR_POLICY) turns these into `repair`, `watch` or
`replace`, with each reason spelled out.

Book value here is straight-line over the model's useful life to nothing; the finance
domain's depreciation, when it exists, is the one to use instead."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app

from app.assets.models import Asset
from app.maintenance import costs
from app.warranty import coverage

CENT = Decimal("0.01")
# What the policy compares, each a share: a rule fires when the first figure is over the
# share of the second.
DEFAULT_POLICY = {
    "replace_repairs_over_replacement": Decimal("0.5"),  # this estimate + the last 12 months
    "replace_estimate_over_book_value": Decimal("1"),
    "watch_maintenance_over_purchase": Decimal("0.5"),  # everything spent on it, ever
    "replace_maintenance_over_purchase": Decimal("1"),
    "watch_age_over_life": Decimal("0.8"),
    "replace_age_over_life": Decimal("1.25"),
}
SEVERITY = {"repair": 0, "watch": 1, "replace": 2}


def policy() -> dict[str, Decimal]:
    return DEFAULT_POLICY | {k: Decimal(str(v)) for k, v in
                             current_app.config.get("REPAIR_POLICY", {}).items()}


@dataclass(frozen=True)
class Inputs:
    estimate: Decimal
    repairs_12_months: Decimal
    maintenance_total: Decimal
    purchase_cost: Decimal | None
    replacement_cost: Decimal | None
    replacement_from: str | None  # "model" or "purchase cost" (when the model names none)
    book_value: Decimal | None
    age_months: int | None
    useful_life_months: int | None
    warranty: coverage.Verdict

    def as_json(self) -> dict:
        def money(value):
            return None if value is None else f"{value:.2f}"
        return {"estimate": money(self.estimate),
                "repairs_12_months": money(self.repairs_12_months),
                "maintenance_total": money(self.maintenance_total),
                "purchase_cost": money(self.purchase_cost),
                "replacement_cost": money(self.replacement_cost),
                "replacement_from": self.replacement_from, "book_value": money(self.book_value),
                "book_value_method": "straight-line to nothing over the useful life",
                "age_months": self.age_months, "useful_life_months": self.useful_life_months,
                "warranty": self.warranty.as_json()}


@dataclass(frozen=True)
class Decision:
    recommendation: str
    reasons: list[str]
    inputs: Inputs

    def as_json(self) -> dict:
        return {"recommendation": self.recommendation, "reasons": self.reasons,
                "inputs": self.inputs.as_json()}


def months_between(start: date, end: date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month
               - (end.day < start.day))


def inputs(asset: Asset, today: date, estimate: Decimal = Decimal(0)) -> Inputs:
    spent = costs.entries([asset.id])
    year_ago = datetime.combine(today - timedelta(days=365), datetime.min.time())
    model = asset.model
    life = model.useful_life_months if model else None
    age = months_between(asset.purchase_date, today) if asset.purchase_date else None
    book = None
    if asset.purchase_cost is not None and life and age is not None:
        left = max(Decimal(0), 1 - Decimal(age) / Decimal(life))
        book = (asset.purchase_cost * left).quantize(CENT)
    replacement, source = (model.replacement_cost, "model") if model and \
        model.replacement_cost is not None else (asset.purchase_cost, "purchase cost")
    return Inputs(estimate=estimate,
                  repairs_12_months=sum((c.total for c in spent if c.when >= year_ago), Decimal(0)),
                  maintenance_total=sum((c.total for c in spent), Decimal(0)),
                  purchase_cost=asset.purchase_cost, replacement_cost=replacement,
                  replacement_from=source if replacement is not None else None,
                  book_value=book, age_months=age, useful_life_months=life,
                  warranty=coverage.standing(asset, today))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _share(value: Decimal) -> str:
    return f"{value * 100:.0f}%"


def decide(facts: Inputs, rules: dict[str, Decimal]) -> Decision:
    """The policy's verdict on `facts`: the most severe rule that fires, and every reason."""
    fired: list[tuple[str, str]] = []
    unknown: list[str] = []
    repairs = facts.estimate + facts.repairs_12_months
    if facts.replacement_cost:
        limit = rules["replace_repairs_over_replacement"]
        if repairs > facts.replacement_cost * limit:
            fired.append(("replace", (
                f"Repairs of {_money(repairs)} (this estimate {_money(facts.estimate)} and "
                f"{_money(facts.repairs_12_months)} in the last 12 months) are over "
                f"{_share(limit)} of the replacement cost, {_money(facts.replacement_cost)}.")))
    else:
        unknown.append("the replacement cost (set it on the model, or the purchase cost)")
    if facts.book_value is not None:
        limit = rules["replace_estimate_over_book_value"]
        if facts.estimate and facts.estimate > facts.book_value * limit:
            fired.append(("replace", (
                f"This repair ({_money(facts.estimate)}) costs more than {_share(limit)} of "
                f"what the asset is still worth, {_money(facts.book_value)}.")))
    else:
        unknown.append("the book value (it needs the purchase cost, date and a model)")
    if facts.purchase_cost:
        spent = facts.maintenance_total + facts.estimate
        for verdict in ("replace", "watch"):
            limit = rules[f"{verdict}_maintenance_over_purchase"]
            if spent > facts.purchase_cost * limit:
                fired.append((verdict, (
                    f"Maintenance of {_money(spent)} so far (this estimate included) is over "
                    f"{_share(limit)} of the purchase price, {_money(facts.purchase_cost)}.")))
                break
    if facts.age_months is not None and facts.useful_life_months:
        for verdict in ("replace", "watch"):
            limit = rules[f"{verdict}_age_over_life"]
            if facts.age_months > facts.useful_life_months * limit:
                fired.append((verdict, (
                    f"It is {facts.age_months} months old, over {_share(limit)} of its "
                    f"useful life of {facts.useful_life_months} months.")))
                break
    else:
        unknown.append("its age against its useful life (a purchase date and a model)")

    if facts.warranty.covered:
        # The provider pays for the repair, so what it costs us decides nothing now.
        fired = [(min(v, "watch", key=SEVERITY.get), r) for v, r in fired]
        fired.insert(0, ("repair", f"{facts.warranty.words} Send the fault to the provider."))
    recommendation = max((v for v, _ in fired), key=SEVERITY.get, default="repair")
    reasons = [r for _, r in fired] or ["No limit of the repair policy is reached."]
    if unknown:
        reasons.append("Not known, so not weighed: " + "; ".join(unknown) + ".")
    return Decision(recommendation, reasons, facts)


def decision(asset: Asset, today: date, estimate: Decimal = Decimal(0)) -> Decision:
    return decide(inputs(asset, today, estimate), policy())
