"""What covers an asset and whether a day and a usage fall inside it.

An asset's coverage is, first found: its own contract (a `warranty` event), the register's
warranty end date (with the supplier as provider), or its model's default (so many months
from the purchase date, the model's provider and usage limit). A coverage includes both its
start and its end day, and a usage up to and including its limit."""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa

from app.assets.models import Asset
from app.catalog.models import AssetModel
from app.extensions import db
from app.lifecycle.states import AssetStatus
from app.meters.models import Meter
from app.warranty.models import Warranty

# Coverage matters for what is still in use; retired and disposed assets are not listed.
IN_USE = (AssetStatus.IN_STOCK, AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR)


class Source(StrEnum):
    CONTRACT = "contract"
    REGISTER = "register"
    MODEL = "model"


@dataclass(frozen=True)
class Coverage:
    source: Source
    ends: date
    starts: date | None = None
    provider: str | None = None
    usage_limit: Decimal | None = None
    usage_meter: str | None = None
    reference: str | None = None

    def as_json(self) -> dict:
        return {"source": str(self.source), "provider": self.provider,
                "starts": self.starts and self.starts.isoformat(), "ends": self.ends.isoformat(),
                "usage_limit": None if self.usage_limit is None else str(self.usage_limit),
                "usage_meter": self.usage_meter, "reference": self.reference}


class Standing(StrEnum):
    COVERED = "covered"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    OVER_LIMIT = "over_limit"
    NONE = "none"


@dataclass(frozen=True)
class Verdict:
    standing: Standing
    words: str
    coverage: Coverage | None

    @property
    def covered(self) -> bool:
        return self.standing == Standing.COVERED

    def as_json(self) -> dict:
        return {"standing": str(self.standing), "covered": self.covered, "words": self.words,
                "coverage": self.coverage and self.coverage.as_json()}


def months_later(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or that month's last day when it is shorter:
    31 January plus one month is 28 or 29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def model_end(purchased: date, months: int) -> date:
    """The last covered day of a warranty of `months` from `purchased`: a year's warranty
    bought on 15 March 2026 covers up to 14 March 2027."""
    return months_later(purchased, months) - timedelta(days=1)


def coverage_of(asset: Asset) -> Coverage | None:
    contract = db.session.scalar(sa.select(Warranty).where(Warranty.asset_id == asset.id))
    if contract is not None:
        return Coverage(Source.CONTRACT, contract.ends, contract.starts, contract.provider,
                        contract.usage_limit, contract.usage_meter, contract.reference)
    if asset.warranty_end is not None:
        return Coverage(Source.REGISTER, asset.warranty_end, asset.purchase_date, asset.supplier)
    model = asset.model
    if model is None or not model.warranty_months or asset.purchase_date is None:
        return None
    return _from_model(asset, model)


def _from_model(asset: Asset, model: AssetModel) -> Coverage:
    return Coverage(Source.MODEL, model_end(asset.purchase_date, model.warranty_months),
                    asset.purchase_date, model.warranty_provider or asset.supplier,
                    model.warranty_usage_limit, model.warranty_usage_meter)


def verdict(coverage: Coverage | None, on: date, usage: Decimal | None = None) -> Verdict:
    """Whether `coverage` covers a fault on `on` with the usage meter at `usage` (None: no
    reading known, so only the dates decide, and the words say so)."""
    if coverage is None:
        return Verdict(Standing.NONE, "No warranty is recorded.", None)
    by = f" by {coverage.provider}" if coverage.provider else ""
    if coverage.starts is not None and on < coverage.starts:
        return Verdict(Standing.NOT_STARTED,
                       f"Warranty{by} starts on {coverage.starts.isoformat()}.", coverage)
    if on > coverage.ends:
        return Verdict(Standing.EXPIRED,
                       f"Warranty{by} ended on {coverage.ends.isoformat()}.", coverage)
    days = (coverage.ends - on).days
    words = (f"Covered{by} until {coverage.ends.isoformat()} "
             f"({'last day' if days == 0 else f'{days:,} days left'})")
    if coverage.usage_limit is not None:
        limit = f"{_number(coverage.usage_limit)} on the {coverage.usage_meter}"
        if usage is None:
            words += f", up to {limit}; no {coverage.usage_meter} reading is known"
        elif usage > coverage.usage_limit:
            return Verdict(Standing.OVER_LIMIT, f"Warranty{by} covers up to {limit}; "
                           f"the asset is at {_number(usage)}.", coverage)
        else:
            words += f", up to {limit} (at {_number(usage)} now)"
    return Verdict(Standing.COVERED, words + ".", coverage)


def standing(asset: Asset, on: date) -> Verdict:
    """The asset's verdict on `on`, its usage read from the meter its coverage names (the
    meter's latest value)."""
    found = coverage_of(asset)
    usage = None
    if found is not None and found.usage_meter:
        value = db.session.scalar(sa.select(Meter.last_value).where(
            Meter.asset_id == asset.id, Meter.name == found.usage_meter))
        usage = None if value is None else Decimal(str(value))
    return verdict(found, on, usage)


def _number(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")


@dataclass(frozen=True)
class Ending:
    asset: Asset
    coverage: Coverage


def ending_within(days: int, today: date, limit: int = 500) -> list[Ending]:
    """In-use assets whose coverage ends from `today` to `days` later, soonest first, at most
    `limit` (the caller says when that many came back)."""
    last = today + timedelta(days=days)
    found: list[Ending] = []
    contracts = db.session.execute(
        sa.select(Asset, Warranty).join(Warranty, Warranty.asset_id == Asset.id)
        .where(Warranty.ends.between(today, last), Asset.status.in_(IN_USE))
        .order_by(Warranty.ends).limit(limit)).all()
    for asset, row in contracts:
        found.append(Ending(asset, Coverage(Source.CONTRACT, row.ends, row.starts, row.provider,
                                            row.usage_limit, row.usage_meter, row.reference)))
    no_contract = ~sa.exists().where(Warranty.asset_id == Asset.id)
    in_use = sa.and_(Asset.status.in_(IN_USE), no_contract)
    for asset in db.session.scalars(
            sa.select(Asset).where(in_use, Asset.warranty_end.between(today, last))
            .order_by(Asset.warranty_end).limit(limit)):
        # No contract (the query says so): the register's date, built here rather than
        # asked again asset by asset.
        found.append(Ending(asset, Coverage(Source.REGISTER, asset.warranty_end,
                                            asset.purchase_date, asset.supplier)))
    # A model's default ends a fixed number of months after purchase, so for each length the
    # purchases fall in a window; a few days either side absorb short months, and the exact
    # end is checked below.
    lengths = db.session.scalars(sa.select(AssetModel.warranty_months).distinct().where(
        AssetModel.warranty_months.is_not(None))).all()
    for months in lengths:
        window = (months_later(today, -months) - timedelta(days=4),
                  months_later(last, -months) + timedelta(days=4))
        for asset, model in db.session.execute(
                sa.select(Asset, AssetModel).join(AssetModel, AssetModel.id == Asset.model_id)
                .where(in_use, Asset.warranty_end.is_(None), AssetModel.warranty_months == months,
                       Asset.purchase_date.between(*window))
                .order_by(Asset.purchase_date).limit(limit)):
            coverage = _from_model(asset, model)
            if today <= coverage.ends <= last:
                found.append(Ending(asset, coverage))
    found.sort(key=lambda e: (e.coverage.ends, e.asset.tag))
    return found[:limit]
