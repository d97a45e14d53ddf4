"""The lifecycle state machine: which event may happen in which status, who may do it, and
what status follows. Nothing else decides an asset's status: a handler changes the asset's
fields, and the status comes from here, from the event's data where the rule says so."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from app.auth.roles import Permission, Role, allows
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
ABSENT = PLANNED | {S.DISPOSED}  # not here yet, or gone for good: never expected on a shelf
WORKED = frozenset(S) - PLANNED - {S.DISPOSED}  # an asset that may have work orders on it
# Statuses an asset may be created in (registering an existing fleet, or a purchase request).
CREATE_STATUSES = frozenset({S.REQUESTED, S.APPROVED, S.ORDERED, S.IN_STOCK, S.DEPLOYED})


@dataclass(frozen=True)
class Case:
    """One outcome of an event whose status depends on its data: the status that follows
    (None: it stays), and the statuses it may start from when narrower than the rule's."""

    to: AssetStatus | None
    allowed_from: frozenset[AssetStatus] | None = None
    refusal: str = ""  # why, when the asset is not in one of those


@dataclass(frozen=True)
class ByData:
    """The status that follows, read from one field of the event's validated data."""

    field: str
    cases: Mapping[object, Case]
    default: Case = field(default_factory=lambda: Case(None))

    def case(self, data: dict) -> Case:
        return self.cases.get(data.get(self.field), self.default)


@dataclass(frozen=True)
class Rule:
    allowed_from: frozenset[AssetStatus]  # empty for an event that brings a new asset
    permission: Permission  # who may apply it (app/auth/roles.py GRANTS)
    to: AssetStatus | ByData | None = None  # None: the status stays as it is

    def outcomes(self, status: AssetStatus) -> list[Case]:
        if isinstance(self.to, ByData):
            return [c for c in (*self.to.cases.values(), self.to.default)
                    if c.allowed_from is None or status in c.allowed_from]
        return [Case(self.to)]


FIELD, MANAGE, FINANCE = Permission.FIELD, Permission.MANAGE, Permission.FINANCE
# Back to where a work order found the asset, if it is still in repair.
RETURNS = ByData("returns_to", {s.value: Case(s, frozenset({S.IN_REPAIR}), "is not in repair")
                                for s in (S.IN_STOCK, S.DEPLOYED)})

RULES: dict[str, Rule] = {
    "create": Rule(frozenset(), MANAGE, ByData(
        "status", {s.value: Case(s) for s in CREATE_STATUSES}, Case(S.IN_STOCK))),
    # A purchase request anyone in the field may raise (a replacement, when retiring);
    # a manager approves it.
    "request": Rule(frozenset(), FIELD, S.REQUESTED),
    "update": Rule(frozenset(S) - {S.DISPOSED}, MANAGE),
    "approve": Rule(frozenset({S.REQUESTED}), MANAGE, S.APPROVED),
    "order": Rule(frozenset({S.APPROVED}), MANAGE, S.ORDERED),
    "receive": Rule(frozenset({S.ORDERED}), FIELD, S.IN_STOCK),
    # A unit received on a purchase order's line (app/procurement/receiving.py): a new asset.
    "receipt": Rule(frozenset(), FIELD, S.IN_STOCK),
    "check_in": Rule(frozenset({S.IN_STOCK, S.DEPLOYED, S.IN_REPAIR}), FIELD, S.IN_STOCK),
    "check_out": Rule(frozenset({S.IN_STOCK, S.DEPLOYED}), FIELD, S.DEPLOYED),
    "transfer": Rule(frozenset({S.IN_STOCK, S.DEPLOYED, S.IN_REPAIR, S.RETIRED, S.WIPED}),
                     FIELD),
    # A repair opened sends the asset to repair; one closed returns it; without a status it
    # is only logged.
    "repair": Rule(ON_HAND, FIELD, ByData("status", {
        "open": Case(S.IN_REPAIR),
        "closed": Case(S.IN_STOCK, frozenset({S.IN_REPAIR}),
                       "is not in repair, so there is no repair to close")})),
    "retire": Rule(ON_HAND | {S.MISSING}, FIELD, S.RETIRED),
    # A verified wipe marks the asset wiped; an unverified one is recorded, and it stays.
    "wipe": Rule(frozenset({S.RETIRED, S.WIPED}), FIELD,
                 ByData("verified", {True: Case(S.WIPED)})),
    "dispose": Rule(frozenset({S.RETIRED, S.WIPED}), FIELD, S.DISPOSED),
    "mark_lost": Rule(ON_HAND, FIELD, S.MISSING),
    "mark_found": Rule(frozenset({S.MISSING}), FIELD, S.IN_STOCK),
    # Bind another label or barcode to the asset (pre-printed tags are bound on first scan).
    "attach_code": Rule(frozenset(S) - {S.DISPOSED}, FIELD),
    # The contract that covers it; a manager records it (app/warranty/).
    "warranty": Rule(frozenset(S) - {S.DISPOSED}, MANAGE),
    # A write-down or impairment of its value in one book (app/finance/events.py); finance
    # records it, and the asset stays as it is. Once disposed of, it has no value to lower.
    "write_down": Rule(frozenset(S) - {S.DISPOSED}, FINANCE),
    # A claim on that warranty and its steps (app/warranty/claims.py); the asset stays as it is.
    "warranty_claim": Rule(frozenset(S) - ABSENT, MANAGE),
    "warranty_claim_update": Rule(frozenset(S) - PLANNED, MANAGE),
    "stocktake_scan": Rule(frozenset(S) - PLANNED - {S.DISPOSED}, FIELD),
    # Work orders (app/maintenance): one opened out of service sends the asset to repair;
    # closing the last such order returns it to the status it had, which the handler reads
    # from the order into `returns_to` (nothing there: the status stays).
    "work_order_open": Rule(ON_HAND, FIELD,
                            ByData("out_of_service", {True: Case(S.IN_REPAIR)})),
    "work_order_start": Rule(WORKED, FIELD),
    "work_order_update": Rule(WORKED, FIELD),
    "work_order_complete": Rule(WORKED, FIELD, RETURNS),
    "work_order_cancel": Rule(WORKED, MANAGE, RETURNS),
    # A meter read on the asset (app/meters): the asset stays as it is. "readings" is the
    # summary of a feed's batch, one event per asset instead of one per reading.
    "reading": Rule(frozenset(S) - ABSENT, FIELD),
    "readings": Rule(frozenset(S) - ABSENT, FIELD),
    # A manager's decision on a conflict, kept in the history; the asset itself stays as it is.
    "resolve_conflict": Rule(frozenset(S), MANAGE),
}

# Events that bring a new asset into the register: those that may start from no status.
CREATING = frozenset(name for name, rule in RULES.items() if not rule.allowed_from)

# status -> the statuses that may follow it, derived from RULES alone (for pages and tests).
TRANSITIONS: dict[AssetStatus, frozenset[AssetStatus]] = {
    status: frozenset(case.to for rule in RULES.values() if status in rule.allowed_from
                      for case in rule.outcomes(status)
                      if case.to is not None and case.to != status)
    for status in AssetStatus
}


NOT_FROM = "An asset that is {status} cannot be {past}."  # types.describe serves it too


def check(event_type: str, status: AssetStatus | None, role: Role, *, label: str = "",
          past: str = "") -> Rule:
    """The rule for `event_type`, or a refusal if `role` may not apply it in `status` (None:
    the asset does not exist yet). `label` and `past` word a refusal ("check out", "checked
    out"); the event type's own words, which live with its domain."""
    rule = RULES.get(event_type)
    if rule is None:
        raise InvalidTransition(f"Unknown event type {event_type!r}.",
                                {"allowed": sorted(RULES)})
    label, past = label or event_type.replace("_", " "), past or event_type.replace("_", " ")
    if not allows(role, rule.permission):
        raise NotAllowed(f"A {role} may not {label.lower()} assets.")
    if status is not None and status not in rule.allowed_from:
        raise InvalidTransition(
            NOT_FROM.format(status=status.replace("_", " "), past=past),
            {"status": str(status), "event": event_type})
    return rule


def result(event_type: str, status: AssetStatus, data: dict, tag: str) -> AssetStatus:
    """The status an asset in `status` has after `event_type` with its validated `data`."""
    rule = RULES[event_type]
    if not isinstance(rule.to, ByData):
        return rule.to or status
    case = rule.to.case(data)
    if case.allowed_from is not None and status not in case.allowed_from:
        raise InvalidTransition(f"{tag} {case.refusal}.", {"status": str(status),
                                                            "event": event_type})
    return case.to or status


def next_events(status: AssetStatus, role: Role) -> list[str]:
    """The events a person in `role` could apply to an asset in `status`."""
    return [name for name, rule in RULES.items()
            if status in rule.allowed_from and allows(role, rule.permission)]
