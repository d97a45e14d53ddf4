"""What `flask audit verify` checks of certificates: each row is as it was issued (its seal),
its PDF is the one it names, the chain still holds the entry it printed, every wipe or
disposal that says it issued a certificate still has it, and every disposal batch's
certificate lists the assets whose dispose events name that batch."""
import hmac
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa

from app.certificates.models import Certificate, CertificateKind, DisposalBatch
from app.certificates.service import stored_sha256
from app.extensions import db
from app.lifecycle import audit
from app.lifecycle.models import Event

ISSUING = ("wipe", "dispose")  # the events whose data names the certificate they issued


def problems() -> Iterator[str]:
    issued = {}
    listed, supersedes = {}, {}  # of batch certificates, by id: what they list, what they correct
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
        if cert.kind == CertificateKind.DISPOSAL_BATCH:
            listed[cert.id] = (cert.number, sorted(
                a.get("disposal_certificate") or "" for a in cert.facts.get("assets") or []))
            supersedes[cert.id] = cert.supersedes_id
    left = defaultdict(list)  # batch number -> the disposal certificates of its assets
    for event_id, data in db.session.execute(sa.select(Event.id, Event.data).where(
            Event.type.in_(ISSUING), Event.outcome == "applied")):
        said = data.get("certificate")
        if said and issued.get(said.get("number")) != (said.get("sha256"), event_id):
            yield f"event {event_id} issued certificate {said.get('number')}, which is gone " \
                  "or no longer belongs to it"
        if data.get("batch"):
            left[data["batch"]].append((said or {}).get("number") or "")
    yield from _batches(listed, supersedes, left)


def _batches(listed: dict, supersedes: dict, left: dict) -> Iterator[str]:
    """A batch certificate's row names no asset or event: what ties it to them is its batch
    (the first certificate of a chain of corrections), whose assets' dispose events name it."""
    batch_of = dict(db.session.execute(sa.select(DisposalBatch.certificate_id,
                                                 DisposalBatch.number)).all())
    for cert_id, (number, assets) in listed.items():
        first = cert_id
        while supersedes.get(first) is not None:
            first = supersedes[first]
        batch = batch_of.get(first)
        if batch is None:
            yield f"certificate {number} is a disposal batch's, but no batch names it"
        elif assets != sorted(left.get(batch, [])):
            yield f"certificate {number} does not list the assets that left in batch {batch}"
