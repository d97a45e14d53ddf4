"""A purchase request's rules: raising one (its estimate pre-filled from what the model cost
before), who must approve it, approving and rejecting, and the lists. Every step is recorded
in the audit trail (documents.record) in the same transaction as the change; the caller
commits."""
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from app import documents, numbering
from app.api import load
from app.assets.models import Asset
from app.auth.models import User
from app.catalog import service as catalog
from app.catalog.models import AssetModel
from app.dbtypes import MAX_MONEY
from app.errors import NotAllowed, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus
from app.maintenance import costs
from app.org import service as org
from app.procurement.models import (
    LEVEL_PERMISSION,
    REQUEST_TRANSITIONS,
    BuyOrLease,
    Level,
    PurchaseRequest,
    RequestApproval,
    RequestStatus,
)
from app.timeutil import utcnow

PREFIX = "PR"
HISTORY = 5  # the model's last purchases the estimate is taken from
CENT = Decimal("0.01")
STEPS = {"request_submitted": "Request submitted", "request_approved": "Request approved",
         "request_rejected": "Request rejected"}  # recorded in the audit trail


class PurchaseRequestIn(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID()  # made where it was raised: sent again, it is raised once
    title = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    justification = fields.Str(required=True, validate=validate.Length(min=1, max=10_000))
    model = fields.Str(validate=validate.Length(min=1, max=200))
    specification = fields.Str(validate=validate.Length(max=10_000))
    quantity = fields.Int(required=True, strict=True, validate=validate.Range(
        min=1, max=100_000, error="A quantity is a whole number from 1 to 100,000."))
    estimated_unit_cost = fields.Decimal(places=2, allow_nan=False, validate=validate.Range(
        min=0, max=MAX_MONEY, error=f"A cost is a number from 0 to {MAX_MONEY:,}."))
    buy_or_lease = fields.Str(load_default=BuyOrLease.BUY.value,
                              validate=validate.OneOf(list(BuyOrLease)))
    expected_life_months = fields.Int(strict=True, validate=validate.Range(
        min=1, max=1200, error="An expected life is from 1 to 1,200 months."))
    department = fields.Str(validate=validate.Length(min=1, max=64))
    budget_line = fields.Str(validate=validate.Length(max=100))
    needed_by = fields.Date()
    replaces = fields.Str(validate=validate.Length(min=1, max=64))  # an asset's tag

    @validates("needed_by")
    def _not_long_past(self, value: date, **_kwargs):
        if value.year < 2000 or value.year > 2200:
            raise ValidationError("A date needed by is from 2000 to 2200.")


class RequestDecisionIn(Schema):
    class Meta:
        unknown = RAISE

    comment = fields.Str(load_default="", validate=validate.Length(max=10_000))


@dataclass
class History:
    """What the model's last ones cost to buy and to keep, for a request's estimate."""

    units: int  # bought, of which `priced` have a price
    priced: int
    mean_price: Decimal | None
    maintenance_per_year: Decimal | None  # completed work orders, per asset-year in service
    years: float

    def as_json(self) -> dict:
        return {"units": self.units, "priced": self.priced,
                "mean_price": money(self.mean_price),
                "maintenance_per_year": money(self.maintenance_per_year),
                "years_in_service": round(self.years, 1)}


def history(model: AssetModel, today: date | None = None) -> History:
    today = today or utcnow().date()
    bought = db.session.execute(
        sa.select(Asset.id, Asset.purchase_date, Asset.purchase_cost)
        .where(Asset.model_id == model.id, Asset.status.not_in(
            [AssetStatus.REQUESTED, AssetStatus.APPROVED, AssetStatus.ORDERED]))
        .order_by(Asset.purchase_date.desc().nulls_last(), Asset.id.desc()).limit(10_000)).all()
    prices = [cost for _, _, cost in bought if cost is not None][:HISTORY]
    years = sum(max(0, (today - bought_on).days) / 365.25 for _, bought_on, _ in bought
                if bought_on is not None)
    ids = [asset_id for asset_id, _, _ in bought]
    spent = sum((c.total for i in range(0, len(ids), 1000)  # bounded IN lists
                 for c in costs.entries(ids[i:i + 1000])), Decimal(0))
    return History(len(bought), len(prices),
                   (sum(prices) / len(prices)).quantize(CENT) if prices else None,
                   (spent / Decimal(str(years))).quantize(CENT) if years >= 0.1 else None,
                   years)


def estimate_for(model: AssetModel) -> Decimal | None:
    """A unit's cost when the requester gives none: the model's price today, else the mean
    of what its last ones cost."""
    if model.replacement_cost is not None:
        return model.replacement_cost
    return history(model).mean_price


def replacement(asset: Asset, reason: str) -> dict:
    """A request for one like `asset`, raised as it is retired."""
    like = {"model": asset.model.name} if asset.model else {
        "specification": f"Like {asset.tag}, {asset.name}"}
    return {"title": f"Replacement for {asset.tag} ({asset.name})"[:200], "quantity": 1,
            "justification": f"Requested when {asset.tag} was retired: {reason}"[:10_000],
            "replaces": asset.tag, **like,
            **({"department": asset.department.code} if asset.department else {})}


def levels_needed(request: PurchaseRequest) -> list[Level]:
    limit = Decimal(str(current_app.config["APPROVAL_FINANCE_ABOVE"]))
    total = request.total
    return [Level.MANAGER] + ([Level.FINANCE] if total is not None and total > limit else [])


def waiting_for(request: PurchaseRequest) -> list[Level]:
    """The approvals a submitted request still needs."""
    done = {a.level for a in request.approvals if a.approved}
    return [level for level in levels_needed(request) if level not in done]


def find(number: str) -> PurchaseRequest:
    found = db.session.scalar(sa.select(PurchaseRequest).where(
        sa.func.upper(PurchaseRequest.number) == (number or "").strip().upper()[:20]))
    if found is None:
        raise NotFound(f"There is no purchase request {number!r}.", {"request": number})
    return found


def _raised_under(ident: str) -> PurchaseRequest | None:
    step = db.session.scalar(sa.select(Event).where(Event.id == ident))
    return find(step.document) if step is not None and step.type == "request_submitted" \
        else None


def submit(data: dict, *, actor: User, device: str = "web") -> tuple[PurchaseRequest, bool]:
    """Raise a request from `data` (PurchaseRequestIn); (the request, whether it is new). Sent again
    under the same id, the first is returned and nothing is written."""
    clean = load(PurchaseRequestIn(), data)
    ident = str(clean.pop("id", None) or uuid.uuid4())
    audit.lock_chain()  # first: numbers and ids are decided under it
    earlier = _raised_under(ident)
    if earlier is not None:
        return earlier, False
    model = catalog.find_model(clean["model"]) if clean.get("model") else None
    if model is None and not clean.get("specification"):
        problem = "Name a model, or describe what is needed in a specification."
        raise ValidationFailed(f"model: {problem}", {"fields": {"model": [problem]}})
    unit_cost = clean.get("estimated_unit_cost")
    if unit_cost is None and model is not None:
        unit_cost = estimate_for(model)
    request = PurchaseRequest(
        number=numbering.next_number(PurchaseRequest.number, PREFIX, utcnow().year),
        title=clean["title"], justification=clean["justification"], model=model,
        specification=clean.get("specification", ""), quantity=clean["quantity"],
        estimated_unit_cost=unit_cost, buy_or_lease=clean["buy_or_lease"],
        expected_life_months=clean.get("expected_life_months") or (
            model.useful_life_months if model else None),
        department=org.find_department(clean["department"]) if clean.get("department")
        else None,
        budget_line=clean.get("budget_line", ""), needed_by=clean.get("needed_by"),
        replaces=clean.get("replaces", ""), requested_by=actor)
    db.session.add(request)
    db.session.flush()
    documents.record("request_submitted", request.number, as_json(request), actor=actor,
                     id=ident, device=device)
    return request, True


def _level_for(request: PurchaseRequest, actor: User) -> Level:
    """The level `actor` decides at: the first still waiting that their role holds. Nobody
    fills two levels of one request, so a large one has two people's approval."""
    if request.status != RequestStatus.SUBMITTED:
        raise NotAllowed(f"{request.number} is {request.status}: it is not waiting for a "
                         "decision.", {"status": str(request.status)})
    if any(a.user_id == actor.id for a in request.approvals):
        raise NotAllowed(f"You have approved {request.number} already; the next approval is "
                         "someone else's.", {"approved_by": actor.email})
    for level in waiting_for(request):
        if actor.can(LEVEL_PERMISSION[level]):
            return level
    wanted = " and ".join(str(level) for level in waiting_for(request))
    raise NotAllowed(f"{request.number} waits for approval by {wanted}; your role "
                     f"({actor.role}) does not give it.", {"waiting_for": wanted})


def decide(request: PurchaseRequest, *, approve: bool, comment: str, actor: User) -> None:
    """Approve or reject at the actor's level; approved once every level needed has."""
    comment = load(RequestDecisionIn(), {"comment": comment})["comment"]
    audit.lock_chain()
    if approve and request.total is None:
        raise ValidationFailed(f"{request.number} has no estimated cost yet: give one before "
                               "approving it.", {"estimated_unit_cost": "missing"})
    level = _level_for(request, actor)
    db.session.add(RequestApproval(request=request, level=level, approved=approve,
                                   comment=comment, user=actor))
    db.session.flush()
    done = not approve or not waiting_for(request)
    if done:
        documents_move(request, RequestStatus.APPROVED if approve else RequestStatus.REJECTED)
    documents.record("request_approved" if approve else "request_rejected", request.number,
                     {"level": str(level), "comment": comment,
                      "status": str(request.status)}, actor=actor)


def documents_move(request: PurchaseRequest, to: RequestStatus) -> None:
    documents.move(request, to, REQUEST_TRANSITIONS, what=f"Request {request.number}",
                   decided_at=utcnow())


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def as_json(request: PurchaseRequest) -> dict:
    return {
        "number": request.number, "status": str(request.status), "title": request.title,
        "justification": request.justification,
        "model": request.model.name if request.model else None,
        "specification": request.specification, "quantity": request.quantity,
        "estimated_unit_cost": money(request.estimated_unit_cost),
        "total": money(request.total), "buy_or_lease": str(request.buy_or_lease),
        "expected_life_months": request.expected_life_months,
        "department": request.department.code if request.department else None,
        "budget_line": request.budget_line,
        "needed_by": request.needed_by.isoformat() if request.needed_by else None,
        "replaces": request.replaces or None,
        "requested_by": request.requested_by.email,
        "waiting_for": [str(level) for level in waiting_for(request)]
        if request.status == RequestStatus.SUBMITTED else [],
        "approvals": [{"level": str(a.level), "approved": a.approved, "comment": a.comment,
                       "by": a.user.email, "at": a.at.isoformat(timespec="seconds") + "Z"}
                      for a in request.approvals],
    }


def query(status: str = "") -> sa.Select:
    stmt = (sa.select(PurchaseRequest).options(so.joinedload(PurchaseRequest.model),
                                               so.joinedload(PurchaseRequest.requested_by))
            .order_by(PurchaseRequest.created_at.desc(), PurchaseRequest.id.desc()))
    if status:
        if status not in set(RequestStatus):
            raise ValidationFailed(f"'status' must be one of {', '.join(RequestStatus)}.",
                                   {"status": status})
        stmt = stmt.where(PurchaseRequest.status == status)
    return stmt

