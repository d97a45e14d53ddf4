"""The work order's own table: which step may find it in which status, what follows, and who
may take the step, written out by hand so a change to the table that breaks one fails here;
and the table agrees with the asset state machine on who may send each event."""
import pytest

from app.auth.roles import Permission
from app.lifecycle.states import RULES
from app.maintenance.models import STEPS, TRANSITIONS, WorkOrderStatus

W = WorkOrderStatus
F, M = Permission.FIELD, Permission.MANAGE

# (from, to): allowed or not, every pair.
MOVES = {
    (W.OPEN, W.IN_PROGRESS): True, (W.OPEN, W.WAITING_PARTS): False, (W.OPEN, W.DONE): False,
    (W.OPEN, W.CANCELLED): True,
    (W.IN_PROGRESS, W.OPEN): False, (W.IN_PROGRESS, W.WAITING_PARTS): True,
    (W.IN_PROGRESS, W.DONE): True, (W.IN_PROGRESS, W.CANCELLED): True,
    (W.WAITING_PARTS, W.OPEN): False, (W.WAITING_PARTS, W.IN_PROGRESS): True,
    (W.WAITING_PARTS, W.DONE): True, (W.WAITING_PARTS, W.CANCELLED): True,
    **{(W.DONE, other): False for other in W if other != W.DONE},
    **{(W.CANCELLED, other): False for other in W if other != W.CANCELLED},
}

TABLE = {
    "work_order_open": (set(), W.OPEN, F),
    "work_order_start": ({W.OPEN}, W.IN_PROGRESS, F),
    "work_order_update": ({W.OPEN, W.IN_PROGRESS, W.WAITING_PARTS, W.DONE}, None, F),
    "work_order_complete": ({W.IN_PROGRESS, W.WAITING_PARTS}, W.DONE, F),
    "work_order_cancel": ({W.OPEN, W.IN_PROGRESS, W.WAITING_PARTS}, W.CANCELLED, M),
}


@pytest.mark.parametrize(("move", "allowed"), sorted(MOVES.items()))
def test_each_move_of_an_order(move, allowed):
    before, after = move
    assert (after in TRANSITIONS[before]) is allowed


def test_every_pair_of_statuses_is_in_the_table():
    assert set(MOVES) == {(a, b) for a in W for b in W if a != b}


def test_the_steps_are_the_table():
    assert {name: (set(s.allowed_from), s.to, s.permission) for name, s in STEPS.items()} \
        == TABLE


def test_a_step_only_makes_moves_the_transitions_allow():
    for step in STEPS.values():
        for status in step.allowed_from:
            assert step.to is None or step.to == status or step.to in TRANSITIONS[status]


def test_the_state_machine_asks_the_same_permission_as_the_document():
    assert {name: RULES[name].permission for name in STEPS} == {
        name: step.permission for name, step in STEPS.items()}
