"""Reconciling the register with a finished stock-take: bulk actions over what was missing,
misplaced, unexpected or found, each asset's change an event through the pipeline."""
from collections.abc import Callable
from dataclasses import dataclass, field

from app.auth.models import User
from app.errors import InvalidTransition, NotFound
from app.lifecycle.pipeline import EventIn, apply_batch, server_event_id
from app.lifecycle.states import AssetStatus
from app.stocktakes.models import Stocktake, StocktakeStatus
from app.stocktakes.progress import lines

# Events per transaction, as in a sync batch: a long reconciliation commits as it goes.
COMMIT_EVERY = 500


@dataclass
class Summary:
    """What a bulk action did: applied now, done by an earlier run, or skipped and why."""

    action: str
    applied: int = 0
    already: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (tag, reason)

    def __str__(self) -> str:
        text = f"{self.action}: {self.applied} done"
        if self.already:
            text += f", {self.already} already done before"
        if self.skipped:
            reasons = "; ".join(f"{tag}: {why}" for tag, why in self.skipped[:5])
            more = f" and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
            text += f", {len(self.skipped)} skipped ({reasons}{more})"
        return text + "."


ACTIONS = {"mark_missing_lost": "Mark missing assets lost",
           "move_misplaced": "Move misplaced assets to where they were seen",
           "take_unexpected": "Take unexpected assets into the rooms they were seen in",
           "mark_found": "Mark found the counted assets the register had as missing"}


def reconcile(stocktake: Stocktake, action: str, *, actor: User,
              checkpoint: Callable[[], None] = lambda: None) -> Summary:
    """Apply one bulk action to a finished stock-take. Its events have ids the server derives
    from the stock-take, the action and the asset, so running it again changes nothing. Every
    COMMIT_EVERY events it calls `checkpoint` (the caller's commit, so a long run keeps what
    it did if it is stopped); the caller commits the rest."""
    if action not in ACTIONS:
        raise NotFound(f"Unknown reconciliation {action!r}.", {"action": sorted(ACTIONS)})
    if stocktake.status is not StocktakeStatus.FINISHED:
        raise InvalidTransition("Finish the stock-take before reconciling it: scans may "
                                "still arrive.", {"status": str(stocktake.status)})
    result = {"mark_missing_lost": "missing", "move_misplaced": "misplaced",
              "take_unexpected": "unexpected", "mark_found": "found"}[action]
    # mark_found: counted where expected, but the register says missing.
    rows = lines(stocktake, result, status=AssetStatus.MISSING if action == "mark_found" else None)
    summary = Summary(ACTIONS[action])
    events = []
    for row in rows:
        event_type, data = _event_for(action, row, f"Stock-take #{stocktake.id}")
        if event_type is None:
            summary.skipped.append((row.tag, data["why"]))
            continue
        events.append(EventIn(event_type, row.tag, data, device=f"stocktake-{stocktake.id}",
                              id=server_event_id("reconcile", stocktake.id, action, row.asset_id)))
    for start in range(0, len(events), COMMIT_EVERY):
        if start:
            checkpoint()  # safe to stop anywhere: a re-run skips what is done
        chunk = events[start:start + COMMIT_EVERY]
        for event, outcome in zip(chunk, apply_batch(chunk, actor=actor), strict=True):
            if outcome.status == "applied":
                summary.applied += 1
            elif outcome.status == "duplicate" or outcome.code == "id_reused":
                summary.already += 1  # by an earlier run (id_reused: another manager's)
            else:
                summary.skipped.append((event.asset, outcome.reason))
    return summary


def _event_for(action: str, row, note: str) -> tuple[str | None, dict]:
    if action == "mark_missing_lost":
        return "mark_lost", {"note": f"{note}: not found."}
    if row.status == AssetStatus.MISSING:  # it turned up after all, where it was seen
        return "mark_found", {"note": note} | ({"location": row.seen_at} if row.seen_at else {})
    if row.seen_at is None:
        return None, {"why": "the scan named no room"}
    return "transfer", {"to_location": row.seen_at, "note": note}
