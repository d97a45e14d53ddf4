"""Event types: what each domain adds to the pipeline. A domain's package declares its types
(an EventType each: its handler, the data it takes, how the pipeline may apply it) and
app/events.py registers them all once, the way app/models.py lists the models; the pipeline
looks a type up here and never imports a domain. The state machine (states.RULES) stays the
one judge of who may apply a type, from which status, and what status follows."""
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import MappingProxyType

from flask import current_app
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from app.errors import ValidationFailed
from app.lifecycle import states

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="A photo is the SHA-256 of an uploaded blob.")


@dataclass
class Change:
    """What a handler did: the data to store in the event row, and what it set (its
    effects, compared with later events to find conflicts)."""

    data: dict
    effects: dict = field(default_factory=dict)
    # Rows that come with the event (a certificate, a stock-take count), each made from the
    # stored event by one of these, and only if the event is applied.
    records: list[Callable] = field(default_factory=list)


def linked(row) -> Callable:
    """For a row made before its event: it only needs the link."""
    def link(event):
        row.event = event
        return row
    return link


class EventData(Schema):
    """What every event's data may carry besides its own fields."""

    class Meta:
        unknown = INCLUDE  # phones may send fields newer than this server; keep them

    note = fields.Str(validate=validate.Length(max=10_000))
    photos = fields.List(fields.Str(validate=SHA256), validate=validate.Length(max=50))


@cache
def _schema(kind: type[Schema], exclude: tuple = ()) -> Schema:
    return kind(exclude=exclude)  # made once: building a schema costs more than a load


def load(kind: type[Schema], data: dict, partial: bool = False, exclude: tuple = ()) -> dict:
    """Validated data, or the first problem as a ValidationFailed naming its field."""
    try:
        return _schema(kind, exclude).load(data, partial=partial)
    except ValidationError as exc:
        problems = exc.normalized_messages()
        name, message = next(iter(problems.items()))
        message = message[0] if isinstance(message, list) else str(message)
        raise ValidationFailed(f"{name}: {message}", {"fields": problems}) from None


def plain(data: dict) -> dict:
    """JSON-safe copy of validated data (dates and decimals as strings)."""
    return {k: (str(v) if isinstance(v, Decimal) else
                v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


# Where a person may start an event type: the phone's asset card, the asset's page.
CARD, PAGE = "card", "page"


@dataclass(frozen=True)
class EventType:
    name: str
    handler: Callable  # (asset, data) -> Change; sets the asset's fields, never its status
    schema: type[Schema]  # the data it takes: checked by the handler, described to the phone
    label: str  # what a button says: "Check out"
    past: str  # "checked out", as in "an asset that is disposed cannot be checked out"
    # It changes nothing but its own asset's fields (any rows of its own come as records),
    # so a batch may apply it in memory and undo a refused one by putting the fields back.
    asset_only: bool = False
    # What a batch reads for all its events of this type at once, before applying them:
    # prepare([(data, asset or None), ...]).
    prepare: Callable | None = None
    physical: bool = False  # it means someone had the asset in front of them
    echo: tuple[str, ...] = ()  # keys of its stored data sent back to the device
    signatures: tuple[tuple[str, str], ...] = ()  # (who, label) drawn on the phone's screen
    offered: frozenset[str] = frozenset({CARD, PAGE})
    from_devices: bool = True  # False: it comes from a page of its own, never a sync batch
    # A data field that takes the event's time when the device leaves it out (a reading's
    # "at"), so the handler knows when a thing synced hours later happened.
    dated: str = ""
    # (flag, refusal): the handler refuses an asset whose row in the phone's catalogue has
    # this flag true, with this message ({tag} filled in); described so the phone does too.
    refused_when: tuple[tuple[str, str], ...] = ()
    # False: it changes nothing a phone's copy of the register holds (a meter's readings), so
    # the asset is not sent to every phone again for it; its version still counts it.
    changes_catalogue: bool = True

    def describe(self) -> dict:
        """The type as the phone learns it: label, fields, resulting status, signatures."""
        rule = states.RULES[self.name]
        entries = {name: entry | ({"required": bool(current_app.config[entry["required_by"]])}
                                  if "required_by" in entry else {})
                   for name, entry in describe(self.schema).items()}
        # JSON objects have no order, so the order its form shows the fields in goes beside
        # them as a list.
        described = {"label": self.label, "past": self.past, "fields": entries,
                     "field_order": list(entries),
                     "to": rule.to if isinstance(rule.to, str) else None,
                     "signatures": [list(s) for s in self.signatures],
                     "offered": sorted(self.offered),
                     # The state machine's refusal, with {status} left for the asset's.
                     "not_from": states.NOT_FROM.format(status="{status}", past=self.past),
                     "refused_when": dict(self.refused_when)}
        if isinstance(rule.to, states.ByData):
            cases = rule.to.cases.items()
            described["to_by"] = {"field": rule.to.field, "cases": {
                str(value).lower(): case.to for value, case in cases},
                # A case narrower than the rule: the statuses it may start from, and why not.
                "only_from": {str(value).lower(): {
                    "statuses": sorted(case.allowed_from), "refusal": f"{{tag}} {case.refusal}."}
                    for value, case in cases if case.allowed_from is not None}}
        return described


def _kind(item: fields.Field) -> str:
    """How a field is entered, when its metadata does not say: from its type and limits."""
    if isinstance(item, fields.Boolean):
        return "check"
    if isinstance(item, fields.Date):
        return "date"
    if isinstance(item, fields.Decimal):
        return "money"
    if isinstance(item, fields.Integer | fields.Float):
        return "number"
    if isinstance(item, fields.List):
        return "list"
    if _choices(item):
        return "choice"
    longest = next((v.max for v in _validators(item) if isinstance(v, validate.Length)), None)
    return "textarea" if longest is not None and longest > 2000 else "text"


def _validators(item: fields.Field) -> list:
    return list(item.validators)


def _choices(item: fields.Field) -> list | None:
    chosen = next((v for v in _validators(item) if isinstance(v, validate.OneOf)), None)
    if chosen is None:
        return None
    labels = item.metadata.get("choices", {})
    return [[value, labels.get(value, str(value).replace("_", " "))] for value in chosen.choices]


# What load() answers for a required field left out, as the phone is told it ({field}).
MISSING = "{field}: " + fields.Field.default_error_messages["required"]

HIDDEN = {"photos", "signatures"}  # the form's own photo input and signature pads


def _in_order(schema: type[Schema]) -> list[str]:
    """Field names, the schema's own first, then its parents' (a note last): marshmallow
    lists inherited fields first."""
    order = []
    for cls in (c for c in schema.__mro__ if issubclass(c, Schema) and c is not Schema):
        inherited = {n for base in cls.__bases__ for n in getattr(base, "_declared_fields", {})}
        order += [n for n in cls._declared_fields if n not in inherited and n not in order]
    return order


@cache
def describe(schema: type[Schema]) -> dict:
    """Each field a person fills in: {name: {kind, label, required, choices?, blank?, sets?,
    required_by?}}, in the order a form shows them."""
    declared = schema._declared_fields
    described = {}
    for name in _in_order(schema):
        item = declared[name]
        kind = item.metadata.get("kind") or _kind(item)
        if name in HIDDEN or kind == "internal" or item.dump_only:
            continue
        entry = {"kind": kind, "required": item.required,
                 "label": item.metadata.get("label", name.replace("_", " ").capitalize())}
        if kind == "choice":
            entry["choices"] = _choices(item)
            if not item.required:  # what choosing none of them means
                entry["blank"] = item.metadata.get("blank", "—")
        # What it changes; a setting that requires it; the refusal of a code that names no row;
        # the catalogue's flag a true answer clears.
        for key in ("sets", "required_by", "unknown", "clears"):
            if key in item.metadata:
                entry[key] = item.metadata[key]
        if item.required or "required_by" in entry:  # the refusal when it is left empty
            entry["missing"] = item.metadata.get("missing") or MISSING.format(field=name)
        described[name] = entry
    return described


_registered: dict[str, EventType] = {}
REGISTERED = MappingProxyType(_registered)  # name -> EventType, read-only


def register(*kinds: EventType) -> None:
    """Add event types to the pipeline: each must be in the state machine, and new."""
    for kind in kinds:
        if kind.name not in states.RULES:
            raise ValueError(f"Event type {kind.name!r} is not in the state machine "
                             "(app/lifecycle/states.py RULES): add its rule first.")
        if kind.name in _registered:
            raise ValueError(f"Event type {kind.name!r} is registered twice.")
        _registered[kind.name] = kind


# What other domains do once an event of a type is applied (a licence's seats freed when its
# asset is disposed of): listener(event, asset, actor), called in the event's own savepoint,
# so a listener's refusal refuses the event. Subscribed in app/events.py, as types are
# registered there: the pipeline never imports a domain.
_after: dict[str, list[Callable]] = {}


def after_applied(name: str, listener: Callable) -> None:
    if name not in states.RULES:
        raise ValueError(f"Event type {name!r} is not in the state machine.")
    _after.setdefault(name, []).append(listener)


def listeners(name: str) -> tuple[Callable, ...]:
    return tuple(_after.get(name, ()))


def get(name) -> EventType:
    """The registered type, or a refusal of the event (never an error for the batch)."""
    kind = _registered.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ValidationFailed(f"Unknown event type {name!r}.", {"type": sorted(_registered)})
    return kind


def label(name: str) -> str:
    """A type's label, or a name of another kind (an effect such as "custody") in words."""
    kind = _registered.get(name)
    return kind.label.lower() if kind else name.replace("_", " ")


def past(name: str) -> str:
    kind = _registered.get(name)
    return kind.past if kind else name.replace("_", " ")


def physical() -> tuple[str, ...]:
    return tuple(name for name, kind in _registered.items() if kind.physical)
