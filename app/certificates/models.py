"""A certificate: an issued PDF, kept content-addressed and never rewritten. A correction is a
new certificate that supersedes the old one; both stay verifiable."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.lifecycle.models import Event
from app.timeutil import utcnow


class CertificateKind(StrEnum):
    DATA_DESTRUCTION = "data_destruction"
    DISPOSAL = "disposal"
    DISPOSAL_BATCH = "disposal_batch"


PREFIX = {CertificateKind.DATA_DESTRUCTION: "DD", CertificateKind.DISPOSAL: "DC",
          CertificateKind.DISPOSAL_BATCH: "DBC"}


class Certificate(db.Model):
    """One asset's certificate names the asset and the event it certifies. A disposal batch's
    certificate names neither: it covers several assets and their events, and its batch names
    it (DisposalBatch.certificate_id)."""

    __table_args__ = (sa.CheckConstraint(
        "kind = 'disposal_batch' OR (asset_id IS NOT NULL AND event_id IS NOT NULL)",
        name="asset_unless_batch"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)  # DD-2026-000001
    kind: so.Mapped[CertificateKind] = so.mapped_column(str_enum(CertificateKind))
    asset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    event_id: so.Mapped[str | None] = so.mapped_column(sa.ForeignKey("event.id"), index=True)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))  # of the PDF, its blob name
    issued_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    supersedes_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("certificate.id"),
                                                            unique=True)
    facts: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)  # what the PDF shows
    # In the link the PDF prints: who holds the certificate may see its facts on the public
    # page; without it the page says only whether the certificate exists and holds.
    verify_key: so.Mapped[str] = so.mapped_column(sa.String(32))
    seal: so.Mapped[str] = so.mapped_column(sa.String(64))  # audit.seal(self.sealed())

    asset: so.Mapped[Asset | None] = so.relationship()
    event: so.Mapped[Event | None] = so.relationship()
    supersedes: so.Mapped["Certificate | None"] = so.relationship(remote_side=[id])

    def sealed(self) -> list:
        """What the seal covers: everything the certificate says, and how it is verified (its
        event is linked after it is made, and checked against the event instead)."""
        return [self.number, str(self.kind), self.asset_id, self.sha256,
                self.issued_at.isoformat(), self.supersedes_id, self.verify_key, self.facts]

    @property
    def superseded_by(self) -> "Certificate | None":
        return db.session.scalar(sa.select(Certificate).where(Certificate.supersedes_id == self.id))

    @property
    def batch(self) -> "DisposalBatch | None":
        """The disposal batch a batch certificate is for: the batch names the certificate it
        was issued with, and a correction supersedes that one."""
        if self.kind != CertificateKind.DISPOSAL_BATCH:
            return None
        first = self
        while first.supersedes is not None:
            first = first.supersedes
        return db.session.scalar(sa.select(DisposalBatch).where(
            DisposalBatch.certificate_id == first.id))


class DisposalBatch(db.Model):
    """A pickup: assets that left together with one vendor, under one batch certificate.
    Which assets: the applied `dispose` events whose data holds {"batch": number}; the
    hash-chained event log is the record of custody, so no second copy of the link."""
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)  # DB-2026-000001
    vendor: so.Mapped[str] = so.mapped_column(sa.String(200))
    vendor_certification: so.Mapped[str] = so.mapped_column(sa.String(32))
    method: so.Mapped[str] = so.mapped_column(sa.String(32))
    picked_up_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    weight_kg: so.Mapped[float | None] = so.mapped_column(sa.Float)
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    certificate_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("certificate.id"))

    created_by: so.Mapped[User] = so.relationship()
    certificate: so.Mapped[Certificate | None] = so.relationship()

    @property
    def events(self) -> list[Event]:
        return db.session.scalars(sa.select(Event).where(
            Event.type == "dispose", Event.outcome == "applied",
            Event.data["batch"].as_string() == self.number).order_by(Event.seq)).all()
