"""The tamper-evident audit trail: each event row holds the hash of the one before it."""
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.lifecycle.models import GENESIS_HASH, ChainHead, Event

HEAD_ID = 1
LOCK_KEY = "tagtrail.chain_head"


def event_hash(event: Event) -> str:
    """SHA-256 over every stored column of the row, in a canonical form."""
    fields = [event.seq, event.id, event.type, event.asset_id, event.actor_id, event.device,
              event.occurred_at.isoformat(), event.received_at.isoformat(),
              event.base_version, event.version, event.data, event.outcome, event.reason,
              event.prev_hash]
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock_chain() -> ChainHead:
    """Take the chain's write lock for this transaction (once) and return its head.

    The UPDATE is the transaction's first write, on purpose: PostgreSQL then holds the row
    lock and SQLite the database write lock until commit, so events from every worker line
    up one by one. Call it outside any savepoint: SQLite's driver opens the transaction only
    before a write, and a transaction a SAVEPOINT opened would commit on its RELEASE."""
    head = db.session.info.get(LOCK_KEY)
    if head is not None:
        return head
    locked = db.session.execute(
        sa.update(ChainHead).where(ChainHead.id == HEAD_ID).values(seq=ChainHead.seq)
    ).rowcount
    if not locked:
        db.session.add(ChainHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
        db.session.flush()
    head = db.session.get(ChainHead, HEAD_ID, populate_existing=True)
    db.session.info[LOCK_KEY] = head
    return head


@sa.event.listens_for(so.Session, "after_transaction_end")
def _release(session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended, and its lock with it
        session.info.pop(LOCK_KEY, None)


def append(event: Event, head: ChainHead) -> None:
    """Link `event` after `head` and move the head to it; the caller holds lock_chain()."""
    event.seq = head.seq + 1
    event.prev_hash = head.hash
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    db.session.add(event)


@dataclass
class Verdict:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify(batch: int = 2000) -> Verdict:
    """Recompute the whole chain; name the first row that was changed, removed or added."""
    query = sa.select(Event).order_by(Event.seq).execution_options(yield_per=batch)
    result = db.session.scalars(query)
    try:
        return _walk(result)
    finally:
        result.close()  # a server-side cursor on PostgreSQL, even when we stop early


def _walk(events) -> Verdict:
    prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return Verdict(False, checked, f"event #{expected_seq} is missing", expected_seq)
        if event.prev_hash != prev:
            return Verdict(False, checked, f"event #{event.seq} ({event.id}) does not link "
                           "to the one before it", event.seq)
        if event_hash(event) != event.hash:
            return Verdict(False, checked, f"event #{event.seq} ({event.id}) was changed "
                           "after it was written", event.seq)
        prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = db.session.get(ChainHead, HEAD_ID)
    if head is not None and (head.seq, head.hash) != (checked, prev):
        return Verdict(False, checked, f"the chain ends at event #{checked} but its head says "
                       f"#{head.seq}: events were removed from the end", checked + 1)
    return Verdict(True, checked)
