"""Events (the append-only, hash-chained history of every asset) and the conflicts among them."""
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.assets.models import Asset
from app.auth.models import User
from app.dbtypes import str_enum
from app.extensions import db
from app.timeutil import utcnow

GENESIS_HASH = "0" * 64


class Event(db.Model):
    """One thing that happened to an asset, or one step of a document that is not an asset
    (a purchase request approved: `document` names it and there is no asset). Never updated,
    never deleted."""

    __table_args__ = (sa.Index("ix_event_asset_version", "asset_id", "version"),)

    seq: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    id: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)  # UUID from the device
    type: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    asset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("asset.id"))
    document: so.Mapped[str | None] = so.mapped_column(sa.String(40), index=True)  # PR-2026-...
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    device: so.Mapped[str] = so.mapped_column(sa.String(100), default="web")
    occurred_at: so.Mapped[datetime] = so.mapped_column(index=True)
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    base_version: so.Mapped[int | None]
    version: so.Mapped[int]  # the asset's version once this event was handled; 0: a document
    data: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    outcome: so.Mapped[str] = so.mapped_column(sa.String(16))  # applied | conflict
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))

    asset: so.Mapped[Asset | None] = so.relationship()
    actor: so.Mapped[User] = so.relationship()


class ChainHead(db.Model):
    """The one row every event write locks: it serialises the hash chain across workers."""

    __tablename__ = "chain_head"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    seq: so.Mapped[int] = so.mapped_column(default=0)
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), default=GENESIS_HASH)


class ConflictStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


CONFLICT_TRANSITIONS = {ConflictStatus.OPEN: frozenset({ConflictStatus.RESOLVED})}


class Conflict(db.Model):
    """An event made against an older version of an asset that contradicts what happened since.
    It waits here for a manager; it is never silently applied or dropped."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[str] = so.mapped_column(sa.ForeignKey("event.id"), unique=True)
    asset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("asset.id"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    against: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # event ids since base
    status: so.Mapped[ConflictStatus] = so.mapped_column(str_enum(ConflictStatus),
                                                         default=ConflictStatus.OPEN,
                                                         index=True)
    resolution: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    resolved_at: so.Mapped[datetime | None]
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    event: so.Mapped[Event] = so.relationship()
    asset: so.Mapped[Asset] = so.relationship()
