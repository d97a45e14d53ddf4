"""A licence's rules: adding and changing one, assigning and releasing seats, compliance
(seats owned against seats used: over-allocation is flagged, never blocked), renewals coming
due and the cost so far. Every change is a step of the licence in the audit trail
(documents.record), in the same transaction; the caller commits."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from app import documents, numbering
from app.api import load
from app.assets import service as assets
from app.assets.models import Asset
from app.auth.models import User
from app.dbtypes import MAX_MONEY
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.licences.models import Contract, Licence, LicenceAssignment, LicenceKind
from app.lifecycle import audit
from app.lifecycle.models import Event
from app.lifecycle.states import AssetStatus
from app.org import service as org
from app.org.models import Person
from app.timeutil import isoformat, utcnow

PREFIX = "LIC"
CENT = Decimal("0.01")
STEPS = {"licence_added": "Licence added", "licence_changed": "Licence changed",
         "licence_seat_assigned": "Licence seat assigned",
         "licence_seat_released": "Licence seat released"}  # recorded in the audit trail
EDITABLE = ("name", "kind", "contract", "seats", "cost", "term_start", "term_end",
            "notice_days", "vendor")


class LicenceIn(Schema):
    class Meta:
        unknown = RAISE

    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Str(required=True, validate=validate.OneOf(list(LicenceKind)))
    contract = fields.Str(load_default=Contract.LICENCE.value,
                          validate=validate.OneOf(list(Contract)))
    seats = fields.Int(load_default=None, allow_none=True, strict=True, validate=validate.Range(
        min=0, max=10_000_000, error="Seats are a whole number from 0 to 10,000,000, or "
                                     "null for unlimited."))
    cost = fields.Decimal(required=True, places=2, allow_nan=False, validate=validate.Range(
        min=0, max=MAX_MONEY, error=f"A cost is a number from 0 to {MAX_MONEY:,}."))
    term_start = fields.Date(required=True)
    term_end = fields.Date(required=True)
    notice_days = fields.Int(load_default=30, strict=True, validate=validate.Range(
        min=0, max=3650, error="Notice is from 0 to 3,650 days."))
    vendor = fields.Str(load_default="", validate=validate.Length(max=200))

    @validates_schema
    def _term(self, data, **_kwargs):
        start, end = data.get("term_start"), data.get("term_end")
        for name, day in (("term_start", start), ("term_end", end)):
            if day is not None and not 2000 <= day.year <= 2200:
                raise ValidationError("A term's dates are from 2000 to 2200.", name)
        if start and end and end < start:
            raise ValidationError("The term cannot end before it starts.", "term_end")


class AssignmentIn(Schema):
    class Meta:
        unknown = RAISE

    person = fields.Str(validate=validate.Length(min=1, max=254))  # a code or an e-mail
    asset = fields.Str(validate=validate.Length(min=1, max=64))  # a tag

    @validates_schema
    def _one_holder(self, data, **_kwargs):
        if bool(data.get("person")) == bool(data.get("asset")):
            raise ValidationError("Name a person or an asset, one of them.", "person")


@dataclass(frozen=True)
class Compliance:
    seats: int | None
    used: int

    @property
    def available(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.used, 0)

    @property
    def over(self) -> int:
        return 0 if self.seats is None else max(self.used - self.seats, 0)

    @property
    def status(self) -> str:
        return "over" if self.over else "ok"


def find(key) -> Licence:
    """A licence by its number (LIC-2026-000001, any case) or its id."""
    text = str(key or "").strip()[:20]
    query = sa.select(Licence).where(sa.func.upper(Licence.number) == text.upper())
    if text.isascii() and text.isdigit() and len(text) < 10:
        query = sa.select(Licence).where(Licence.id == int(text))
    found = db.session.scalar(query)
    if found is None:
        raise NotFound(f"There is no licence {text!r}.", {"licence": text})
    return found


def _clean(data: dict) -> dict:
    return load(LicenceIn(), data)


def _facts(licence: Licence) -> dict:
    """What a step records of the licence: its terms as they are now."""
    return {"name": licence.name, "kind": str(licence.kind), "contract": str(licence.contract),
            "seats": licence.seats, "cost": f"{licence.cost:.2f}",
            "term_start": licence.term_start.isoformat(),
            "term_end": licence.term_end.isoformat(), "notice_days": licence.notice_days,
            "vendor": licence.vendor}


def create(data: dict, *, actor: User) -> Licence:
    """Add a licence from `data` (LicenceIn), numbered LIC-YYYY-NNNNNN."""
    clean = _clean(data)
    audit.lock_chain()  # first: the number is taken under it
    licence = Licence(number=numbering.next_number(Licence.number, PREFIX, utcnow().year),
                      **_fields(clean))
    db.session.add(licence)
    db.session.flush()
    documents.record("licence_added", licence.number, _facts(licence), actor=actor)
    return licence


def _fields(clean: dict) -> dict:
    values = {name: clean[name] for name in EDITABLE}
    values["name"], values["vendor"] = values["name"].strip(), values["vendor"].strip()
    values["kind"], values["contract"] = LicenceKind(values["kind"]), Contract(values["contract"])
    return values


def update(licence: Licence, data: dict, *, actor: User) -> Licence:
    """Change a licence's terms; the step records what changed, before and after. A change
    of kind that its current holders would not fit (a person on a per-device licence) is
    refused."""
    clean = _fields(_clean(data))
    audit.lock_chain()
    wrong = [a for a in active(licence) if _misfit(clean["kind"], a)]
    if wrong:
        raise ValidationFailed(f"kind: {len(wrong)} of its holders would not fit a "
                               f"{clean['kind'].replace('_', ' ')} licence; release them first.",
                               {"kind": "holders do not fit"})
    before = _facts(licence)
    for name, value in clean.items():
        setattr(licence, name, value)
    after = _facts(licence)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        documents.record("licence_changed", licence.number, {"changed": changed}, actor=actor)
    return licence


def _misfit(kind: LicenceKind, assignment: LicenceAssignment) -> bool:
    return ((kind == LicenceKind.PER_USER and assignment.asset_id is not None)
            or (kind == LicenceKind.PER_DEVICE and assignment.person_id is not None))


def active(licence: Licence) -> list[LicenceAssignment]:
    return [a for a in licence.assignments if a.released_at is None]


def compliance(licence: Licence) -> Compliance:
    return Compliance(licence.seats, len(active(licence)))


def used_counts(ids: list[int]) -> dict[int, int]:
    """Seats in use per licence, for a list of them (one grouped query)."""
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(LicenceAssignment.licence_id, sa.func.count())
        .where(LicenceAssignment.licence_id.in_(ids), LicenceAssignment.released_at.is_(None))
        .group_by(LicenceAssignment.licence_id)).all())


def assign(licence: Licence, data: dict, *, actor: User) -> LicenceAssignment:
    """Give a person (per_user) or an asset (per_device) a seat; a site licence takes either.
    Past its seats it is still given, and the licence shows as over."""
    clean = load(AssignmentIn(), data)
    audit.lock_chain()
    person = asset = None
    if clean.get("person"):
        if licence.kind == LicenceKind.PER_DEVICE:
            raise ValidationFailed("person: a per-device licence is assigned to assets.",
                                   {"person": "per_device"})
        person = org.find_person(clean["person"], "person")
        if not person.active:
            raise ValidationFailed(f"person: {person.name} is no longer active.",
                                   {"person": "inactive"})
    else:
        if licence.kind == LicenceKind.PER_USER:
            raise ValidationFailed("asset: a per-user licence is assigned to people.",
                                   {"asset": "per_user"})
        try:
            asset = assets.get_by_tag(clean["asset"])
        except NotFound as exc:
            raise ValidationFailed(f"asset: {exc.message}", {"asset": "unknown asset"}) from None
        if asset.status == AssetStatus.DISPOSED:
            raise ValidationFailed(f"asset: {asset.tag} is disposed of.", {"asset": "disposed"})
    holder = person.code if person else asset.tag
    if any((a.person_id, a.asset_id) == (person and person.id, asset and asset.id)
           for a in active(licence)):
        raise ValidationFailed(f"{holder} already holds a seat of {licence.number}.",
                               {"holder": "already assigned"})
    assignment = LicenceAssignment(licence=licence, person=person, asset=asset,
                                   assigned_by=actor)
    db.session.add(assignment)
    db.session.flush()
    counts = compliance(licence)
    documents.record("licence_seat_assigned", licence.number,
                     {"assignment": assignment.id, "holder": holder, "used": counts.used,
                      "seats": licence.seats, "compliance": counts.status}, actor=actor)
    return assignment


def find_assignment(licence: Licence, assignment_id: int) -> LicenceAssignment:
    found = db.session.get(LicenceAssignment, assignment_id)
    if found is None or found.licence_id != licence.id:
        raise NotFound(f"{licence.number} has no assignment {assignment_id}.")
    return found


def release(assignment: LicenceAssignment, *, reason: str, actor: User) -> None:
    """Free the seat `assignment` holds; the row stays, with when and why."""
    if assignment.released_at is not None:
        raise ValidationFailed(f"{assignment.holder}'s seat was already released.",
                               {"assignment": "released"})
    audit.lock_chain()
    assignment.released_at, assignment.released_reason = utcnow(), reason[:200]
    db.session.flush()
    documents.record("licence_seat_released", assignment.licence.number,
                     {"assignment": assignment.id, "holder": assignment.holder,
                      "reason": assignment.released_reason}, actor=actor)


def _release_all(query, reason: str, actor: User) -> None:
    for assignment in db.session.scalars(
            query.where(LicenceAssignment.released_at.is_(None))
            .options(so.joinedload(LicenceAssignment.licence))
            .order_by(LicenceAssignment.id)).all():
        release(assignment, reason=reason, actor=actor)


def asset_disposed(event: Event, asset: Asset, actor: User) -> None:
    """A `dispose` event was applied: the asset's seats are free (a pipeline listener)."""
    _release_all(sa.select(LicenceAssignment).where(LicenceAssignment.asset_id == asset.id),
                 f"{asset.tag} disposed of", actor)


def person_left(person: Person, actor: User) -> None:
    """A person was made inactive: their seats are free (an org listener)."""
    _release_all(sa.select(LicenceAssignment).where(LicenceAssignment.person_id == person.id),
                 f"{person.code} no longer active", actor)


def notice_date(licence: Licence) -> date:
    """The last day to give notice before the term ends (and, usually, renews)."""
    return licence.term_end - timedelta(days=licence.notice_days)


def renewals_due(within: int, today: date | None = None) -> list[Licence]:
    """Licences still running whose notice date falls within `within` days from today (or
    has passed), soonest first."""
    today = today or utcnow().date()
    running = db.session.scalars(sa.select(Licence).where(Licence.term_end >= today)).all()
    due = [lic for lic in running if notice_date(lic) <= today + timedelta(days=within)]
    return sorted(due, key=lambda lic: (notice_date(lic), lic.number))


def cost_to_date(licence: Licence, today: date | None = None) -> Decimal:
    """The term's cost pro rata over the days of it so far (the first day counts whole)."""
    today = today or utcnow().date()
    days = (licence.term_end - licence.term_start).days + 1
    so_far = min(max((today - licence.term_start).days + 1, 0), days)
    return (licence.cost * so_far / days).quantize(CENT, ROUND_HALF_UP)


def query(name: str = "", kind: str = "", contract: str = "") -> sa.Select:
    """Licences by term end, soonest first; those whose name contains `name`, of a kind,
    of a contract, when given."""
    found = sa.select(Licence).order_by(Licence.term_end, Licence.number)
    if name.strip():
        found = found.where(Licence.name.icontains(name.strip(), autoescape=True))
    if kind in set(LicenceKind):
        found = found.where(Licence.kind == LicenceKind(kind))
    if contract in set(Contract):
        found = found.where(Licence.contract == Contract(contract))
    return found


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def as_json(licence: Licence, used: int | None = None, *, details: bool = False,
            today: date | None = None) -> dict:
    counts = Compliance(licence.seats, len(active(licence)) if used is None else used)
    today = today or utcnow().date()
    out = {"id": licence.id, "number": licence.number, "name": licence.name,
           "kind": str(licence.kind), "contract": str(licence.contract),
           "seats": licence.seats, "used": counts.used, "available": counts.available,
           "compliance": counts.status, "over_by": counts.over,
           "cost": _money(licence.cost), "cost_to_date": _money(cost_to_date(licence, today)),
           "term_start": licence.term_start.isoformat(),
           "term_end": licence.term_end.isoformat(), "notice_days": licence.notice_days,
           "notice_date": notice_date(licence).isoformat(), "vendor": licence.vendor}
    if details:
        out["assignments"] = [assignment_json(a) for a in licence.assignments]
    return out


def assignment_json(assignment: LicenceAssignment) -> dict:
    return {"id": assignment.id,
            "person": assignment.person.code if assignment.person else None,
            "asset": assignment.asset.tag if assignment.asset else None,
            "assigned_at": isoformat(assignment.assigned_at),
            "assigned_by": assignment.assigned_by.email,
            "released_at": isoformat(assignment.released_at),
            "released_reason": assignment.released_reason}
