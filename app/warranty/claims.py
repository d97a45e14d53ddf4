"""Warranty claims: raised on a covered asset (usually from the work order that mended it),
then submitted, accepted or rejected, and credited with what the provider paid. Each step is
an event on the asset, so the claim's history is in the audit trail."""
import sqlalchemy as sa
from marshmallow import fields, validate

from app import documents, numbering
from app.assets.models import Asset
from app.dbtypes import MAX_MONEY
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.types import Change, EventData, EventType, load, plain
from app.maintenance import orders
from app.maintenance.models import WorkOrder
from app.meters.models import Meter
from app.timeutil import utcnow
from app.warranty import coverage
from app.warranty.models import CLAIM_TRANSITIONS, ClaimStatus, WarrantyClaim

PREFIX = "WC"
MONEY = dict(places=2, allow_nan=False, validate=validate.Range(
    min=0, max=MAX_MONEY, error=f"An amount is from 0 to {MAX_MONEY:,}."))


class RaiseData(EventData):
    work_order = fields.Str(validate=validate.Length(min=1, max=64))  # the order's id
    fault = fields.Str(required=True, validate=validate.Length(min=1, max=10_000))
    amount_claimed = fields.Decimal(**MONEY)


class MoveData(EventData):
    claim = fields.Str(required=True, validate=validate.Length(min=1, max=20))
    status = fields.Str(required=True, validate=validate.OneOf(
        [s.value for s in ClaimStatus if s != ClaimStatus.DRAFT]))
    amount_recovered = fields.Decimal(**MONEY)


def raise_claim(asset: Asset, data: dict) -> Change:
    """A draft claim, if the warranty covered the asset when the fault was reported (the
    order's opening, else today)."""
    clean = load(RaiseData, data)
    order = orders.of_asset(clean["work_order"], asset) if clean.get("work_order") else None
    reported = (order.opened_at if order else utcnow()).date()
    standing = coverage.standing(asset, reported)
    if not standing.covered:
        raise ValidationFailed(f"No claim can be raised: {standing.words}",
                               {"warranty": str(standing.standing)})
    number = numbering.next_number(WarrantyClaim.number, PREFIX, utcnow().year)
    provider = standing.coverage.provider or "the warranty provider"
    stored = plain(clean) | {"claim": number, "provider": provider}

    def make(event) -> WarrantyClaim:
        return WarrantyClaim(number=number, asset_id=asset.id,
                             work_order_id=order.id if order else None, provider=provider,
                             fault=clean["fault"], amount_claimed=clean.get("amount_claimed"),
                             raised_by_id=event.actor_id, raised_at=event.occurred_at,
                             updated_at=event.occurred_at)
    return Change(stored, records=[make])


def move_claim(asset: Asset, data: dict) -> Change:
    clean = load(MoveData, data)
    claim = find(clean["claim"])
    if claim.asset_id != asset.id:
        raise NotFound(f"{asset.tag} has no warranty claim {claim.number}.",
                       {"claim": claim.number})
    to = ClaimStatus(clean["status"])
    values = {"updated_at": utcnow()}
    if to == ClaimStatus.CREDITED:
        if clean.get("amount_recovered") is None:
            raise ValidationFailed("Say how much the provider credited (the amount recovered).",
                                   {"amount_recovered": "required"})
        values["amount_recovered"] = clean["amount_recovered"]
    documents.move(claim, to, CLAIM_TRANSITIONS, what=f"Claim {claim.number}", **values)
    return Change(plain(clean) | {"claim": claim.number})


def find(number: str) -> WarrantyClaim:
    claim = db.session.scalar(sa.select(WarrantyClaim).where(
        sa.func.upper(WarrantyClaim.number) == (number or "").strip().upper()))
    if claim is None:
        raise NotFound(f"There is no warranty claim {number!r}.", {"claim": number})
    return claim


def evidence(claim: WarrantyClaim) -> dict:
    """What a provider asks for beside the claim: the meters' latest readings, the order's
    photos, and the asset's repair history as the audit trail has it."""
    asset = claim.asset
    history = db.session.scalars(
        sa.select(Event).where(Event.asset_id == asset.id, Event.outcome == "applied",
                               sa.or_(Event.type == "repair", Event.type.startswith("work_order_")))
        .order_by(Event.seq).limit(200)).all()
    photos = []
    if claim.work_order is not None:
        for event in orders.events_of(claim.work_order):
            photos += [sha for sha in event.data.get("photos") or [] if sha not in photos]
    meters = db.session.scalars(sa.select(Meter).where(Meter.asset_id == asset.id)
                                .order_by(Meter.name)).all()
    return {"history": history, "photos": photos[:12], "meters": meters,
            "standing": coverage.standing(asset, claim.raised_at.date())}


def of_order(order: WorkOrder) -> list[WarrantyClaim]:
    return db.session.scalars(sa.select(WarrantyClaim).where(
        WarrantyClaim.work_order_id == order.id).order_by(WarrantyClaim.id)).all()


NOWHERE = frozenset()  # raised and moved from the claim's own pages
TYPES = (
    EventType("warranty_claim", raise_claim, RaiseData, "Raise warranty claim",
              "claimed on", offered=NOWHERE),
    EventType("warranty_claim_update", move_claim, MoveData, "Update warranty claim",
              "claimed on", offered=NOWHERE),
)
