"""The disposal report: by method and vendor, value recovered, weight, compliance gaps, and
the assets waiting to be disposed of."""
from collections import Counter
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus

GAP_LIMIT = 500


def summary() -> dict:
    newer = so.aliased(Certificate)
    current = db.session.scalars(sa.select(Certificate).where(
        Certificate.kind == CertificateKind.DISPOSAL,
        ~sa.exists().where(newer.supersedes_id == Certificate.id))).all()
    facts = [c.facts for c in current]
    return {"by_method": Counter(f.get("disposal_method", "") for f in facts).most_common(),
            "by_vendor": Counter(f.get("vendor") or "—" for f in facts).most_common(),
            "residual": sum((Decimal(f["residual_value"]) for f in facts
                             if f.get("residual_value") is not None), Decimal("0.00")),
            "weight": sum(float(f["weight_kg"]) for f in facts
                          if f.get("weight_kg") is not None),
            "count": len(facts), "gaps": gaps(GAP_LIMIT), "waiting": waiting(GAP_LIMIT),
            "waiting_count": waiting_count()}


# What is wrong, not what is on its way: an asset disposed of with no disposal certificate,
# or wiped (a verified wipe applied) with no data-destruction certificate for that wipe.
# Retired and wiped assets still to be disposed of are work (waiting), not a gap.
_DISPOSED_UNCERTIFIED = sa.and_(
    Asset.status == AssetStatus.DISPOSED,
    ~sa.exists().where(Certificate.asset_id == Asset.id,
                       Certificate.kind == CertificateKind.DISPOSAL))


def _wiped_uncertified() -> sa.Select:
    """Applied wipes that issued no data-destruction certificate (say, wiped before
    certificates were issued), with their asset: verified ones are filtered in Python, since
    the databases read JSON booleans differently."""
    return (sa.select(Event.asset_id, Event.data).where(
        Event.type == "wipe", Event.outcome == "applied",
        ~sa.exists().where(Certificate.event_id == Event.id,
                           Certificate.kind == CertificateKind.DATA_DESTRUCTION)))


def _wiped_ids() -> set[int]:
    return {asset_id for asset_id, data in db.session.execute(_wiped_uncertified())
            if data.get("verified") is True}


def gaps(limit: int) -> list[tuple[Asset, str]]:
    """(asset, what is missing), by tag."""
    disposed = db.session.scalars(sa.select(Asset).where(_DISPOSED_UNCERTIFIED)
                                  .order_by(Asset.tag).limit(limit)).all()
    wiped_ids = _wiped_ids()
    wiped = db.session.scalars(sa.select(Asset).where(Asset.id.in_(wiped_ids))
                               .order_by(Asset.tag).limit(limit)).all() if wiped_ids else []
    found = [(a, "no disposal certificate") for a in disposed] + [
        (a, "no data-destruction certificate for its wipe") for a in wiped]
    return sorted(found, key=lambda pair: pair[0].tag)[:limit]


def gap_count() -> int:
    disposed = db.session.scalar(sa.select(sa.func.count()).select_from(Asset)
                                 .where(_DISPOSED_UNCERTIFIED))
    return disposed + len(_wiped_ids())


_WAITING = Asset.status.in_([AssetStatus.RETIRED, AssetStatus.WIPED])


def waiting(limit: int) -> list[Asset]:
    """Retired or wiped assets still to be disposed of: work to do."""
    return db.session.scalars(sa.select(Asset).where(_WAITING).order_by(Asset.tag)
                              .limit(limit)).all()


def waiting_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Asset).where(_WAITING))
