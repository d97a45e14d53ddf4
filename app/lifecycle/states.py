"""The lifecycle state machine: which event may happen in which status, who may do it, and
what status follows. Nothing else decides an asset's status."""
from dataclasses import dataclass
from enum import StrEnum

from app.auth.roles import Role
from app.errors import InvalidTransition, NotAllowed


class AssetStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    ORDERED = "ordered"
    IN_STOCK = "in_stock"
    DEPLOYED = "deployed"
    IN_REPAIR = "in_repair"
    MISSING = "missing"
    RETIRED = "retired"
    WIPED = "wiped"
    DISPOSED = "disposed"


S = AssetStatus
PLANNED = frozenset({S.REQUESTED, S.APPROVED, S.ORDERED})
ON_HAND = frozenset({S.IN_STOCK, S.DEPLOYED, S.IN_REPAIR})
# Statuses an asset may be created in (registering an existing fleet, or a purchase request).
CREATE_STATUSES = frozenset({S.REQUESTED, S.APPROVED, S.ORDERED, S.IN_STOCK, S.DEPLOYED})

MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})
FIELD = MANAGERS | {Role.TECHNICIAN}


@dataclass(frozen=True)
class Rule:
    allowed_from: frozenset[AssetStatus]  # empty for `create`: there is no asset yet
    roles: frozenset[Role]
    to: AssetStatus | None  # None: the status stays as it is (or the handler decides)
    touches: frozenset[str]  # parts of the asset it changes, for conflict detection


RULES: dict[str, Rule] = {
    "create": Rule(frozenset(), MANAGERS, None, frozenset()),
    # A purchase request anyone in the field may raise (a replacement, when retiring);
    # a manager approves it.
    "request": Rule(frozenset(), FIELD, None, frozenset()),
    "update": Rule(frozenset(S) - {S.DISPOSED}, MANAGERS, None, frozenset({"details"})),
    "approve": Rule(frozenset({S.REQUESTED}), MANAGERS, S.APPROVED, frozenset({"status"})),
    "order": Rule(frozenset({S.APPROVED}), MANAGERS, S.ORDERED, frozenset({"status"})),
    "receive": Rule(frozenset({S.ORDERED}), FIELD, S.IN_STOCK,
                    frozenset({"status", "location"})),
    "check_in": Rule(frozenset({S.IN_STOCK, S.DEPLOYED, S.IN_REPAIR}), FIELD, S.IN_STOCK,
                     frozenset({"status", "custody", "location"})),
    "check_out": Rule(frozenset({S.IN_STOCK, S.DEPLOYED}), FIELD, S.DEPLOYED,
                      frozenset({"status", "custody"})),
    "transfer": Rule(frozenset({S.IN_STOCK, S.DEPLOYED, S.IN_REPAIR, S.RETIRED, S.WIPED}),
                     FIELD, None, frozenset({"location"})),
    # A repair opened (status "open") sends the asset to repair; one closed returns it.
    "repair": Rule(frozenset(ON_HAND), FIELD, None, frozenset({"repair"})),
    "retire": Rule(frozenset(ON_HAND | {S.MISSING}), FIELD, S.RETIRED,
                   frozenset({"status", "custody"})),
    "wipe": Rule(frozenset({S.RETIRED, S.WIPED}), FIELD, S.WIPED, frozenset({"status"})),
    "dispose": Rule(frozenset({S.RETIRED, S.WIPED}), FIELD, S.DISPOSED,
                    frozenset({"status", "custody", "location"})),
    "mark_lost": Rule(frozenset(ON_HAND), FIELD, S.MISSING, frozenset({"status"})),
    "mark_found": Rule(frozenset({S.MISSING}), FIELD, S.IN_STOCK, frozenset({"status"})),
    # Bind another label or barcode to the asset (pre-printed tags are bound on first scan).
    "attach_code": Rule(frozenset(S) - {S.DISPOSED}, FIELD, None, frozenset()),
    "stocktake_scan": Rule(frozenset(S) - PLANNED - {S.DISPOSED}, FIELD, None, frozenset()),
    # A manager's decision on a conflict, kept in the history; the asset itself stays as it is.
    "resolve_conflict": Rule(frozenset(S), MANAGERS, None, frozenset()),
}

EVENT_TYPES = frozenset(RULES)
CREATING = frozenset({"create", "request"})  # events that bring a new asset into the register

# status -> the statuses that may follow it, derived from RULES (for pages and tests).
TRANSITIONS: dict[AssetStatus, frozenset[AssetStatus]] = {
    status: frozenset(rule.to for rule in RULES.values()
                      if rule.to is not None and status in rule.allowed_from)
    for status in AssetStatus
}
TRANSITIONS[S.IN_STOCK] |= {S.IN_REPAIR}  # through an opened repair
TRANSITIONS[S.DEPLOYED] |= {S.IN_REPAIR}
TRANSITIONS[S.IN_REPAIR] |= {S.IN_STOCK}  # through a closed repair


def check(event_type: str, status: AssetStatus | None, role: Role) -> Rule:
    """Return the rule for `event_type`, or raise if `role` may not do it in `status`."""
    rule = RULES.get(event_type)
    if rule is None:
        raise InvalidTransition(f"Unknown event type {event_type!r}.",
                                {"allowed": sorted(RULES)})
    if role not in rule.roles:
        raise NotAllowed(f"A {role} may not {label(event_type)} assets.")
    if status is not None and status not in rule.allowed_from:
        raise InvalidTransition(
            f"An asset that is {status.replace('_', ' ')} cannot be {past(event_type)}.",
            {"status": str(status), "event": event_type})
    return rule


NOT_BUTTONS = frozenset({"update", "resolve_conflict"})  # they have pages of their own


def next_events(status: AssetStatus, role: Role) -> list[str]:
    """The events a person in `role` could apply to an asset in `status` (for buttons)."""
    return [name for name, rule in RULES.items()
            if status in rule.allowed_from and role in rule.roles and name not in NOT_BUTTONS]


_PAST = {"check_in": "checked in", "check_out": "checked out", "mark_lost": "marked lost",
         "mark_found": "marked found", "stocktake_scan": "counted in a stock-take",
         "repair": "repaired", "wipe": "wiped", "transfer": "transferred", "order": "ordered",
         "receive": "received", "approve": "approved", "update": "edited",
         "create": "created", "request": "requested", "retire": "retired", "dispose": "disposed of",
         "attach_code": "labelled", "resolve_conflict": "resolved"}


def past(event_type: str) -> str:
    return _PAST.get(event_type, event_type)


def label(event_type: str) -> str:
    return event_type.replace("_", " ")
