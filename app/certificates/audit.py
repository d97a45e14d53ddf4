"""What `flask audit verify` checks of certificates: each row is as it was issued (its seal),
its PDF is the one it names, the chain still holds the entry it printed, and every wipe or
disposal that says it issued a certificate still has it."""
import hmac
from collections.abc import Iterator

import sqlalchemy as sa

from app.certificates.models import Certificate
from app.certificates.service import stored_sha256
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event

ISSUING = ("wipe", "dispose")  # the events whose data names the certificate they issued


def problems() -> Iterator[str]:
    issued = {}
    for cert in db.session.scalars(sa.select(Certificate).order_by(Certificate.id)
                                   .execution_options(yield_per=500)):
        issued[cert.number] = (cert.sha256, cert.event_id)
        name = f"certificate {cert.number}"
        if not hmac.compare_digest(cert.seal or "", audit.seal(cert.sealed())):
            yield f"{name} was changed after it was issued"
        if stored_sha256(cert) != cert.sha256:
            yield f"{name}: its PDF is missing or is not the one issued"
        anchor = cert.facts.get("audit_anchor")
        problem = anchor and audit.check_anchor(anchor.get("seq", -1), anchor.get("hash", ""))
        if problem:
            yield f"{name} printed an entry of the audit trail that is not there now: {problem}"
    for event_id, data in db.session.execute(sa.select(Event.id, Event.data).where(
            Event.type.in_(ISSUING), Event.outcome == "applied")):
        said = data.get("certificate")
        if said and issued.get(said.get("number")) != (said.get("sha256"), event_id):
            yield f"event {event_id} issued certificate {said.get('number')}, which is gone " \
                  "or no longer belongs to it"
