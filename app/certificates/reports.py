"""The disposal report: by method and vendor, value recovered, weight, and compliance gaps."""
from collections import Counter
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.certificates.models import Certificate, CertificateKind
from app.extensions import db
from app.lifecycle.states import AssetStatus

GAP_LIMIT = 500


def summary() -> dict:
    newer = so.aliased(Certificate)
    current = db.session.scalars(sa.select(Certificate).where(
        Certificate.kind == CertificateKind.DISPOSAL,
        ~sa.exists().where(newer.supersedes_id == Certificate.id))).all()
    facts = [c.facts for c in current]
    gaps = db.session.scalars(sa.select(Asset).where(_uncertified()).order_by(Asset.tag)
                              .limit(GAP_LIMIT)).all()
    return {"by_method": Counter(f.get("disposal_method", "") for f in facts).most_common(),
            "by_vendor": Counter(f.get("vendor") or "—" for f in facts).most_common(),
            "residual": sum((Decimal(f["residual_value"]) for f in facts
                             if f.get("residual_value") is not None), Decimal("0.00")),
            "weight": sum(float(f["weight_kg"]) for f in facts
                          if f.get("weight_kg") is not None),
            "count": len(facts), "gaps": gaps}


def _uncertified():
    """Retired, wiped or disposed assets that have no disposal certificate: the gap."""
    certified = sa.select(Certificate.asset_id).where(
        Certificate.kind == CertificateKind.DISPOSAL)
    return sa.and_(
        Asset.status.in_([AssetStatus.RETIRED, AssetStatus.WIPED, AssetStatus.DISPOSED]),
        Asset.id.not_in(certified))


def gap_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Asset).where(_uncertified()))
