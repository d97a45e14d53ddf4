"""The event-type registry: every rule of the state machine has exactly one registered type,
every type is worded and describable, and registering refuses what the pipeline could not
apply."""
import dataclasses

import pytest

import app.events  # noqa: F401  (registers every domain's types)
from app.errors import ValidationFailed
from app.lifecycle import states, types

KINDS = {"place", "person", "text", "textarea", "money", "number", "minutes", "check", "list",
         "choice", "date"}


def test_the_registry_and_the_state_machine_name_the_same_types():
    assert set(types.REGISTERED) == set(states.RULES)


@pytest.mark.parametrize("name", sorted(states.RULES))
def test_every_type_is_worded_and_described(name):
    kind = types.REGISTERED[name]
    assert kind.label and kind.past and kind.label[0].isupper()
    fields = types.describe(kind.schema)
    assert all(entry["kind"] in KINDS and entry["label"] for entry in fields.values()), fields
    for entry in fields.values():
        if entry["kind"] == "choice":
            assert entry["choices"] and all(len(choice) == 2 for choice in entry["choices"])


def test_a_type_missing_from_the_state_machine_is_refused():
    teleport = dataclasses.replace(types.REGISTERED["transfer"], name="teleport")
    with pytest.raises(ValueError, match="not in the state machine"):
        types.register(teleport)


def test_a_type_registered_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        types.register(types.REGISTERED["transfer"])


@pytest.mark.parametrize("name", ["teleport", None, 7, ["repair"]])
def test_an_unknown_type_is_a_refusal_of_the_event(name):
    with pytest.raises(ValidationFailed, match="Unknown event type"):
        types.get(name)


def test_physical_types_are_those_that_mean_someone_had_the_asset_in_hand():
    # Working a work order is like a repair: someone was at the asset. Opening one (from a
    # report, a schedule) or cancelling it is not.
    assert set(types.physical()) == {"stocktake_scan", "check_in", "check_out", "transfer",
                                     "receive", "repair", "mark_found", "work_order_start",
                                     "work_order_update", "work_order_complete"}
