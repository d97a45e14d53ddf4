"""Every event type against every status and role: allowed exactly where RULES says."""
import pytest

from app.auth.roles import Role
from app.errors import InvalidTransition, NotAllowed
from app.lifecycle import states
from app.lifecycle.states import RULES, TRANSITIONS, AssetStatus

PAIRS = [(event, status) for event in RULES if event != "create" for status in AssetStatus]


@pytest.mark.parametrize(("event", "status"), PAIRS)
def test_event_is_allowed_exactly_in_its_statuses(event, status):
    if status in RULES[event].allowed_from:
        assert states.check(event, status, Role.ADMIN) is RULES[event]
    else:
        with pytest.raises(InvalidTransition, match="cannot be"):
            states.check(event, status, Role.ADMIN)


@pytest.mark.parametrize("event", sorted(RULES))
@pytest.mark.parametrize("role", list(Role))
def test_roles_are_checked_for_every_event(event, role):
    if role in RULES[event].roles:
        states.check(event, None, role)
    else:
        with pytest.raises(NotAllowed):
            states.check(event, None, role)


def test_auditors_change_nothing():
    assert not [e for e, rule in RULES.items() if Role.AUDITOR in rule.roles]


def test_disposed_is_final():
    assert TRANSITIONS[AssetStatus.DISPOSED] == frozenset()
    assert states.next_events(AssetStatus.DISPOSED, Role.ADMIN) == []


def test_lifecycle_reaches_every_status_from_a_request():
    seen, frontier = {AssetStatus.REQUESTED}, [AssetStatus.REQUESTED]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()] - seen:
            seen.add(nxt)
            frontier.append(nxt)
    assert seen == set(AssetStatus)


def test_unknown_event_type_is_refused():
    with pytest.raises(InvalidTransition, match="Unknown event type"):
        states.check("teleport", AssetStatus.IN_STOCK, Role.ADMIN)
