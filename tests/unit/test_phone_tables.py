"""The phone learns its event types from the server (GET /api/v1/sync/catalog `event_types`):
static/js must not grow its own copy of them again, neither the fields a type asks for nor
the status it leads to. Names are read from the registry, so a new type is covered too."""
import re
from pathlib import Path

import app.events  # noqa: F401  registers every domain's types, as create_app does
from app.lifecycle import types
from app.lifecycle.states import AssetStatus

ROOT = Path(__file__).resolve().parents[2]

# Field names the phone has reasons of its own to write; any other field of a type offered on
# the card, written in static/js, is a copy of the server's description.
OWN_WORDS = {
    "location": "the cached asset's place; the room a stock-take count was made in",
    "assignee": "the cached asset's holder",
    "status": "the cached asset's status",
    "note": "a stock-take count of an asset seen but not scanned",
    "reason": "the same; retire's reason, quoted by the replacement request (below)",
    "notes": "the replacement purchase request the phone makes itself",
    "operator": "the desk pickup form's signature pads (pages/batch-new.js)",
    "witness": "the same",
    # A reading's fields are also words of the browser's own: an input's or a cursor's .value,
    # and a form's .reset(); fetch()'s method is the offline page's HEAD, not a wipe's.
    "value": "the DOM's input.value and IndexedDB's cursor.value",
    "reset": "the DOM's form.reset()",
    "method": "fetch()'s own option (the offline page asks with HEAD), not a wipe's method",
    "title": "a work order's title on the My work list (pages/work.js, from the work-order API)",
    "priority": "the same order's priority",
    # My work draws its own forms for working an order (the work-order events are not on the
    # card): the parts used, what was done and the other cost of a completion.
    "parts": "a work order's parts on My work (pages/work.js, offline/workorders.js)",
    "work_done": "the completion form on My work",
    "cost": "the same form's other cost, and a part line's cost",
}
# The kinds of field the form knows how to draw; "minutes" is also a field's name.
KINDS = {"place", "person", "text", "textarea", "money", "number", "minutes", "check", "list",
         "choice", "date"}
# Event types the phone's own screens make, so their names are in its code.
PHONE_MADE = {
    "attach_code": "binding an unknown label from its card",
    "stocktake_scan": "the stock-take screen",
    "request": "the replacement request retiring may queue (the one phone-side extra)",
    "retire": "the form's key for that extra",
    "work_order_open": "My work's follow-up order, an order opened here shown before it "
                       "syncs, and the fault form's 'I will work on it' extra",
}


def _code(path: Path) -> str:
    """The file without its comments, which may name fields in words."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    return re.sub(r"(?<![:\\])//.*$", "", text, flags=re.M)


def _written(name: str) -> re.Pattern:
    """`name` as a string, an object key or a property: "symptom", symptom: or data.symptom."""
    word = re.escape(name)
    return re.compile(rf"""(["'`]){word}\1|(?:^|[{{,])\s*{word}\s*:|\.{word}\b""", re.M)


def on_the_card() -> list[types.EventType]:
    """The types whose buttons and forms the phone builds from their description."""
    return [k for k in types.REGISTERED.values() if k.from_devices and types.CARD in k.offered]


def card_fields() -> set[str]:
    offered = on_the_card()
    names = {name for kind in offered for name in types.describe(kind.schema)}
    return names | {who for kind in offered for who, _ in kind.signatures}


def copies(root: Path = ROOT) -> list[str]:
    """Where static/js under `root` writes what only the server's description should say."""
    fields = card_fields() - set(OWN_WORDS) - KINDS
    events = {kind.name for kind in on_the_card()} - set(PHONE_MADE)
    statuses = "|".join(re.escape(s.value) for s in AssetStatus)
    status_map = re.compile(
        rf"""\b({"|".join(map(re.escape, types.REGISTERED))})["']?\s*:\s*["']({statuses})["']""")
    found = []
    for path in sorted((root / "static/js").rglob("*.js")):
        code, where = _code(path), path.relative_to(root)
        found += [f"{where}: field {name}" for name in sorted(fields)
                  if _written(name).search(code)]
        found += [f"{where}: event type {name}" for name in sorted(events)
                  if _written(name).search(code)]
        found += [f"{where}: {m[1]} -> {m[2]}" for m in status_map.finditer(code)]
    return found


def test_static_js_keeps_no_copy_of_the_servers_event_types():
    assert copies() == []


def test_the_check_finds_the_tables_the_phone_used_to_keep(tmp_path):
    # The tables scan.js and catalog.js kept before the phone learnt them from the server.
    old = tmp_path / "static/js/pages/old.js"
    old.parent.mkdir(parents=True)
    old.write_text('const FIELDS = { transfer: [["to_location", "place", true]] };\n'
                   "const STATUS = { check_in: \"in_stock\", dispose: 'disposed' };\n"
                   "const where = data.to_location ?? data.location; // symptom\n"
                   'if (type === "repair") next.status = "in_repair";\n')
    assert copies(tmp_path) == [
        "static/js/pages/old.js: field to_location",
        "static/js/pages/old.js: event type check_in",
        "static/js/pages/old.js: event type dispose",
        "static/js/pages/old.js: event type repair",
        "static/js/pages/old.js: event type transfer",
        "static/js/pages/old.js: check_in -> in_stock",
        "static/js/pages/old.js: dispose -> disposed",
    ]
