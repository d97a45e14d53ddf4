"""The tamper-evident audit trail: each event row holds a keyed hash (HMAC) of itself and of
the one before it. The key (AUDIT_KEY) is kept outside the database, so write access to the
database alone cannot rewrite history and recompute the hashes; anchors written outside it
(`flask audit anchor`, and each certificate) show if the end of the chain was cut off."""
import hmac
import json
import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.extensions import db
from app.lifecycle.models import GENESIS_HASH, ChainHead, Event
from app.timeutil import isoformat, utcnow

HEAD_ID = 1
LOCK_KEY = "tagtrail.chain_head"


def seal(values) -> str:
    """HMAC-SHA256 under the audit key of JSON `values`, in a canonical form."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = current_app.config["AUDIT_KEY"].encode()
    return hmac.new(key, canonical.encode(), "sha256").hexdigest()


def event_hash(event: Event) -> str:
    """The seal of every stored column of the row, the previous row's hash among them. A
    document's step adds its document last, so the rows written before documents had steps
    keep the seal they were written with."""
    values = [event.seq, event.id, event.type, event.asset_id, event.actor_id, event.device,
              event.occurred_at.isoformat(), event.received_at.isoformat(),
              event.base_version, event.version, event.data, event.outcome, event.reason,
              event.prev_hash]
    return seal(values + [event.document] if event.document is not None else values)


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


ANCHOR = re.compile(r"tagtrail-audit-anchor seq=(\d+) hash=([0-9a-f]{64})(?: at=(\S+))?")


def anchor_line() -> str:
    """The chain's head now, as one line for a log kept outside the database."""
    head = db.session.get(ChainHead, HEAD_ID)
    seq, hash_ = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    return f"tagtrail-audit-anchor seq={seq} hash={hash_} at={isoformat(utcnow())}"


def check_anchor(seq: int, hash_: str) -> str | None:
    """Why the chain no longer holds entry `seq` with `hash_` (an anchor), or None."""
    if seq == 0:
        return None if hash_ == GENESIS_HASH else "an anchor of the empty chain has a hash"
    stored = db.session.scalar(sa.select(Event.hash).where(Event.seq == seq))
    if stored is None:
        last = db.session.scalar(sa.select(sa.func.max(Event.seq))) or 0
        return f"event #{seq} is gone: the chain ends at #{last}, so events were removed"
    if not hmac.compare_digest(stored, hash_):
        return f"event #{seq} is not the one the anchor saw: the chain was rewritten"
    return None


def check_anchors(lines) -> tuple[int, list[str]]:
    """(anchors read, problems) for lines written by anchor_line()."""
    found, problems = 0, []
    for line in lines:
        match = ANCHOR.search(line)
        if match:
            found += 1
            problem = check_anchor(int(match[1]), match[2])
            if problem:
                problems.append(f"anchor {match[3] or ''}: {problem}".replace(" :", ":"))
    return found, problems


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
