"""Demo data: users, places, people, models, 600 assets with a year of history, a few work
orders, and meters with a year of readings."""
import math
import os
import random
import secrets
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.assets.models import Asset
from app.assets.series import next_tag
from app.auth import service as auth
from app.auth.models import User
from app.auth.roles import Role
from app.catalog import service as catalog
from app.catalog.models import AssetModel, Category
from app.extensions import db
from app.lifecycle.pipeline import EventIn, apply_event
from app.org import service as org
from app.org.models import Department, Location, LocationKind, Person
from app.procurement import requests
from app.timeutil import isoformat, utcnow

SEED = 20240501
COMMIT_EVERY = 500
DOMAIN = "demo.tagtrail"
LOGINS_FILE = "demo-logins.txt"  # in the instance folder; `flask serve` prints it
ROLES = [("admin", Role.ADMIN), ("manager", Role.MANAGER), ("tech", Role.TECHNICIAN),
         ("auditor", Role.AUDITOR), ("finance", Role.FINANCE)]

SITES = {  # site code: (name, {building letter: number of rooms})
    "HQ": ("Headquarters", {"A": 5, "B": 4}),
    "WH": ("Riverside warehouse", {"A": 3, "B": 4}),
}
DEPARTMENTS = [("IT", "Information technology"), ("FIN", "Finance"), ("OPS", "Operations")]
FIRST = ["Alex", "Sam", "Priya", "Jonas", "Maria", "Chen", "Fatima", "Liam", "Noor", "Olga",
         "Tom", "Aisha", "Diego", "Hannah", "Kenji", "Lea"]
LAST = ["Berg", "Okafor", "Novak", "Silva", "Kowalski", "Haddad", "Larsen", "Moreau",
        "Tanaka", "Fischer", "Reyes", "Nguyen", "Murphy", "Rossi"]

CATEGORIES = {"Laptops": True, "Monitors": False, "Servers": True, "Printers": False,
              "Vehicles": False}
# name, manufacturer, model number, category, useful life (months), price, weight in the fleet
MODELS = [
    ("Latitude 5440", "Dell", "5440", "Laptops", 36, 1150, 14),
    ("ThinkPad T14 Gen 4", "Lenovo", "21HD", "Laptops", 36, 1290, 14),
    ("MacBook Air 13 M2", "Apple", "A2681", "Laptops", 48, 1399, 6),
    ("P2423D monitor", "Dell", "P2423D", "Monitors", 60, 260, 14),
    ("27UL550 monitor", "LG", "27UL550", "Monitors", 60, 310, 8),
    ("PowerEdge R650", "Dell", "R650", "Servers", 60, 8900, 3),
    ("ProLiant DL380 Gen10", "HPE", "868703-B21", "Servers", 60, 9600, 3),
    ("LaserJet Pro M404dn", "HP", "W1A53A", "Printers", 60, 340, 4),
    ("HL-L6210DW", "Brother", "HLL6210DW", "Printers", 60, 420, 3),
    ("Transit Custom", "Ford", "V362", "Vehicles", 96, 38500, 1),
    ("Hilux", "Toyota", "AN120", "Vehicles", 96, 41200, 1),
    ("Kangoo E-Tech", "Renault", "XFK", "Vehicles", 96, 33900, 1),
]
SUPPLIERS = {"Laptops": "Northwind IT", "Monitors": "Northwind IT", "Servers": "Contoso Systems",
             "Printers": "Office Depot", "Vehicles": "City Fleet Leasing"}
# How many of the 600 assets end in each status, roughly as in a real register.
STATUS_SHARES = {"requested": 12, "approved": 10, "ordered": 14, "in_stock": 110,
                 "deployed": 290, "in_repair": 20, "missing": 14, "retired": 30, "wiped": 20,
                 "disposed": 80}
SYMPTOMS = ["Cracked screen", "Does not power on", "Battery swells", "Keyboard keys stick",
            "Fan noise", "Paper jam every page", "Dead pixels", "Brake warning light"]
PLANNED = ("requested", "approved", "ordered")
MANAGER_EVENTS = ("create", "approve", "order", "update", "warranty")  # the rest a technician does


def seed_demo(only_if_empty: bool) -> list[str]:
    """Fill the database with demo data and return the lines to print (the demo logins).

    With only_if_empty and assets already present, change nothing and return the stored logins."""
    if only_if_empty and db.session.scalar(sa.select(Asset.id).limit(1)) is not None:
        return stored_logins()
    rng = random.Random(SEED)
    lines = _users()
    places, people = _places(), _people(rng)
    _models()
    db.session.commit()
    _write_logins(lines)
    _assets(rng, places, people)
    _work_orders(rng)
    _meters(rng)
    _claim()
    _schedules()
    _requests()
    db.session.commit()
    return lines


def logins_path() -> Path:
    return Path(current_app.instance_path, LOGINS_FILE)


def stored_logins() -> list[str]:
    path = logins_path()
    return path.read_text().splitlines() if path.exists() else []


def _write_logins(lines: list[str]) -> None:
    path = logins_path()
    path.unlink(missing_ok=True)
    # Created private (0600) from the start: the file holds passwords.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write("\n".join(lines) + "\n")


def _users() -> list[str]:
    lines = ["Demo logins:"]
    for short, role in ROLES:
        email, password = f"{short}@{DOMAIN}", secrets.token_urlsafe(9)
        user = _one(User, email=email)
        if user is None:
            auth.create_user(email, role=role, password=password, name=f"Demo {short}")
        else:  # seeding again: a fresh password, so the stored logins stay true
            user.set_password(password)
        lines.append(f"  {short:<8} {email:<22} {password}")
    db.session.flush()
    return lines


def _one(model, **key):
    return db.session.scalar(sa.select(model).filter_by(**key))


def _location(code, name, kind, parent=None) -> Location:
    return _one(Location, code=code) or org.create_location(code=code, name=name, kind=kind,
                                                           parent=parent)


def _places() -> dict[str, list[str]]:
    """Room codes by purpose: "store" rooms hold stock, "office" rooms deployed assets."""
    places = {"store": [], "office": []}
    for site_code, (site_name, buildings) in SITES.items():
        site = _location(site_code, site_name, LocationKind.SITE)
        for letter, rooms in buildings.items():
            building = _location(f"{site_code}-{letter}", f"{site_name} building {letter}",
                                 LocationKind.BUILDING, site)
            for n in range(1, rooms + 1):
                code = f"{building.code}-{100 + n}"
                purpose = "store" if n == 1 else "office"
                name = "Store room" if n == 1 else f"Room {code.rsplit('-', 1)[1]}"
                _location(code, f"{building.name}, {name}", LocationKind.ROOM, building)
                places[purpose].append(code)
    return places


def _people(rng: random.Random) -> list[str]:
    departments = [_one(Department, code=code) or org.create_department(code=code, name=name)
                   for code, name in DEPARTMENTS]
    names = rng.sample([(f, last) for f in FIRST for last in LAST], 40)
    codes = []
    for n, (first, last) in enumerate(names, 1):
        code = f"P{n:03d}"
        if _one(Person, code=code) is None:
            org.create_person(code=code, name=f"{first} {last}",
                              email=f"{first}.{last}@{DOMAIN}".lower(),
                              department=departments[n % len(departments)])
        codes.append(code)
    return codes


def _models() -> None:
    categories = {name: _one(Category, name=name)
                  or catalog.create_category(name=name, holds_data=holds)
                  for name, holds in CATEGORIES.items()}
    for name, maker, number, category, life, price, _ in MODELS:
        if _one(AssetModel, name=name) is None:
            # Vehicles come with the maker's warranty: three years or 100,000 km.
            warranty = {"warranty_months": 36, "warranty_usage_limit": 100_000,
                        "warranty_usage_meter": "odometer"} if category == "Vehicles" else {}
            catalog.create_model(name=name, manufacturer=maker, model_number=number,
                                 category=categories[category], useful_life_months=life,
                                 replacement_cost=price, **warranty)


def _assets(rng, places, people) -> None:
    actors = {role: _one(User, email=f"{short}@{DOMAIN}") for short, role in ROLES}
    prefix, width = current_app.config["TAG_PREFIX"], current_app.config["TAG_WIDTH"]
    first = int(next_tag()[len(prefix):])
    targets = [s for s, share in STATUS_SHARES.items() for _ in range(share)]
    rng.shuffle(targets)
    now = utcnow().replace(microsecond=0)
    timeline = []
    for n, target in enumerate(targets):
        tag = f"{prefix}{first + n:0{width}d}"
        story = _Story(rng, tag, target, places, people, now)
        timeline += [(when, n, i, event) for i, (when, event) in enumerate(story.events())]
    timeline.sort(key=lambda item: item[:3])  # the chain then runs in time order
    for count, (when, _, _, (kind, tag, data)) in enumerate(timeline, 1):
        actor = actors[Role.MANAGER if kind in MANAGER_EVENTS else Role.TECHNICIAN]
        outcome = apply_event(EventIn(kind, tag, data, occurred_at=when, device="demo"),
                              actor=actor)
        if outcome.status != "applied":
            raise RuntimeError(f"demo seed: {kind} on {tag} was {outcome.status}: "
                               f"{outcome.reason}")
        if count % COMMIT_EVERY == 0:
            db.session.commit()
    db.session.commit()


# title, kind, checklist, parts used when done ([name, quantity, cost]), failure
JOBS = [
    ("Fan noise on start-up", "corrective", [], [["Fan 80 mm", 1, "14.90"]], True),
    ("Yearly service", "preventive", ["Clean filters", "Check cables", "Update firmware"],
     [["Filter set", 1, "22.00"]], False),
    ("Battery health below 70 %", "predictive", ["Run battery report"],
     [["Battery", 1, "89.00"]], True),
    ("Screen flickers", "corrective", [], [], True),
    ("Quarterly inspection", "preventive", ["Visual check", "Test the alarm"], [], False),
]


def _work_orders(rng) -> None:
    """A few work orders, open and done, on assets in use and in stock."""
    tech, manager = (_one(User, email=f"{short}@{DOMAIN}") for short in ("tech", "manager"))
    candidates = db.session.scalars(sa.select(Asset.tag).where(
        Asset.status.in_(["deployed", "in_stock"])).order_by(Asset.tag)).all()
    now = utcnow().replace(microsecond=0)
    for n, tag in enumerate(rng.sample(candidates, 10)):
        title, kind, checklist, parts, failure = JOBS[n % len(JOBS)]
        order, when = str(uuid.UUID(int=rng.getrandbits(128), version=4)), now - timedelta(
            days=20 - n * 2)
        steps = [("work_order_open", {"kind": kind, "title": title, "checklist": checklist,
                                      "assignee": tech.email,
                                      "due": (when + timedelta(days=7)).date().isoformat(),
                                      "out_of_service": n in (0, 7)}, manager)]
        if n % 3 != 2:  # two in three are started
            steps.append(("work_order_start", {}, tech))
            steps.append(("work_order_update", {
                "labour_minutes": 20 + 10 * n,
                "parts": [{"name": p, "quantity": q, "cost": c} for p, q, c in parts],
                "checklist": [{"item": i, "result": "fail" if n == 4 and i == 2 else "pass"}
                              for i in range(1, len(checklist) + 1)]}, tech))
        if n < 6 and n % 3 != 2:  # of the first six, those started are finished
            steps.append(("work_order_complete", {
                "work_done": "Done: " + title.lower(), "failure": failure,
                "downtime_minutes": 60 if failure else 0}, tech))
        for hours, (kind_, data, actor) in enumerate(steps):
            outcome = apply_event(EventIn(kind_, tag, {"work_order": order} | data,
                                          occurred_at=when + timedelta(hours=hours),
                                          device="demo"), actor=actor)
            if outcome.status != "applied":
                raise RuntimeError(f"demo seed: {kind_} on {tag}: {outcome.reason}")


def _requests() -> None:
    """Purchase requests: one approved, one waiting for finance, one just raised."""
    tech, manager = (_one(User, email=f"{short}@{DOMAIN}") for short in ("tech", "manager"))
    raised = [requests.submit(data, actor=tech)[0] for data in (
        {"title": "Monitors for the new desks", "justification": "Four desks in room B-2",
         "model": "P2423D monitor", "quantity": 4, "department": "IT"},
        {"title": "A second server for the backups", "model": "PowerEdge R650", "quantity": 1,
         "justification": "The backup window no longer fits in the night",
         "department": "IT", "needed_by": (utcnow() + timedelta(days=60)).date().isoformat()},
        {"title": "Van for the riverside site", "justification": "Deliveries between sites",
         "model": "Transit Custom", "quantity": 1, "buy_or_lease": "lease"})]
    requests.decide(raised[0], approve=True, comment="In this year's budget", actor=manager)
    # Over APPROVAL_FINANCE_ABOVE: it waits for the finance login's approval.
    requests.decide(raised[1], approve=True, comment="Agreed; over the limit", actor=manager)


def _claim() -> None:
    """A warranty claim, submitted, for the first failure mended on an asset still covered."""
    from app.maintenance.models import WorkOrder, WorkOrderStatus
    from app.warranty import coverage

    manager = _one(User, email=f"manager@{DOMAIN}")
    for order in db.session.scalars(sa.select(WorkOrder).where(
            WorkOrder.status == WorkOrderStatus.DONE, WorkOrder.failure.is_(True))
            .order_by(WorkOrder.number)):
        if coverage.standing(order.asset, order.opened_at.date()).covered:
            break
    else:
        return
    claim = None
    for kind, data in [("warranty_claim", {"work_order": order.id, "fault": order.title,
                                           "amount_claimed": str(order.total_cost)}),
                       ("warranty_claim_update", {"status": "submitted"})]:
        data = data | ({"claim": claim} if claim else {})
        outcome = apply_event(EventIn(kind, order.asset.tag, data, device="demo"),
                              actor=manager)
        if outcome.status != "applied":
            raise RuntimeError(f"demo seed: {kind} on {order.asset.tag}: {outcome.reason}")
        claim = outcome.event.data["claim"]


def _meters(rng) -> None:
    """A van's odometer (a counter with a service due) and a server's inlet temperature (a
    gauge), each with a year of readings, sent as a feed would send them."""
    from app.meters import service as meters  # after the assets: the meters hang on them

    actor = _one(User, email=f"manager@{DOMAIN}")
    now = utcnow().replace(microsecond=0, second=0, minute=0)
    picks = {}
    for category in ("Vehicles", "Servers"):
        picks[category] = db.session.scalar(
            sa.select(Asset).join(AssetModel, Asset.model_id == AssetModel.id)
            .join(Category, AssetModel.category_id == Category.id)
            .where(Category.name == category, Asset.status == "deployed")
            .order_by(Asset.tag).limit(1))
    readings, van, server = [], picks["Vehicles"], picks["Servers"]
    if van is not None:
        km = 18_000.0 + rng.uniform(0, 2000)
        for day in range(365, 0, -1):
            if rng.random() < 0.85:  # not driven every day
                km += rng.uniform(20, 110)
            readings.append({"asset": van.tag, "meter": "odometer", "value": round(km, 1),
                             "at": isoformat(now - timedelta(days=day))})
        meters.create_meter(van, name="odometer", kind="counter", unit="km",
                            target=(km // 15_000 + 1) * 15_000)  # the next 15,000 km service
    if server is not None:
        for step in range(365 * 4, 0, -1):  # every six hours
            when = now - timedelta(hours=6 * step)
            warm = 22 + 2.5 * math.sin(when.timetuple().tm_yday / 365 * 2 * math.pi)
            readings.append({"asset": server.tag, "meter": "inlet temperature",
                             "value": round(warm + rng.gauss(0, 0.6), 1),
                             "at": isoformat(when)})
        meters.create_meter(server, name="inlet temperature", kind="gauge", unit="°C")
    results = meters.store_batch(readings, actor=actor, device="demo")
    refused = [r for r in results if r["status"] != "stored"]
    if refused:
        raise RuntimeError(f"demo seed: a reading was {refused[0]['status']}: {refused[0]}")
    db.session.commit()


def _schedules() -> None:
    """A quarterly check on every server model's assets, the van's service by its odometer
    or a year (whichever first) and a threshold on the server's inlet temperature; then one
    planner run, so the calendar and the backlog show something."""
    from app.maintenance import planner, schedules
    from app.meters.models import Meter

    actor = _one(User, email=f"manager@{DOMAIN}")
    today = utcnow().date()
    bodies = [{"model": "PowerEdge R650", "title": "Quarterly server check", "every_months": 3,
               "start": (today - timedelta(days=85)).isoformat(), "lead_days": 7,
               "checklist": ["Fans and filters clean", "Firmware current", "RAID healthy"]}]
    for meter, body in (("odometer", {"title": "15,000 km service", "every_units": 15_000,
                                      "every_months": 12, "lead_days": 14,
                                      "checklist": ["Oil and filter", "Brakes", "Tyres"]}),
                        ("inlet temperature", {"title": "Inlet too warm: check cooling",
                                               "above": 30, "checklist": ["Air flow",
                                                                          "Blanking panels"]})):
        tag = db.session.scalar(sa.select(Asset.tag).join(Meter, Meter.asset_id == Asset.id)
                                .where(Meter.name == meter))
        if tag:
            bodies.append(body | {"asset": tag, "meter": meter})
    for body in bodies:
        schedules.create(schedules.ScheduleIn().load(body), actor=actor)
    db.session.commit()
    planner.run(14)
    db.session.commit()


class _Story:
    """One asset's plausible history, ending in its target status (see lifecycle/states.py)."""

    def __init__(self, rng, tag, target, places, people, now):
        self.rng, self.tag, self.target = rng, tag, target
        self.places, self.people, self.now = places, people, now
        self.model = self._pick_model(MODELS)
        self.status, self.location, self.assignee = None, None, None
        self.steps: list[tuple[str, dict]] = []

    def _pick_model(self, models):
        if self.target == "wiped" or (self.target == "disposed" and self.rng.random() < 0.7):
            models = [m for m in models if CATEGORIES[m[3]]]  # kit that holds data
        return self.rng.choices(models, weights=[m[6] for m in models])[0]

    def events(self) -> list[tuple[datetime, tuple[str, str, dict]]]:
        self._plan()
        recent = self.target in PLANNED
        span = timedelta(days=60 if recent else 365)
        start = self.now - span * self.rng.uniform(0.3 if recent else 0.5, 1)
        gaps = sorted(self.rng.uniform(0, 1) for _ in self.steps)
        times = [start + (self.now - timedelta(hours=2) - start) * g for g in gaps]
        times[0] = start
        events = []
        for when, (kind, data) in zip(times, self.steps, strict=True):
            when = when.replace(microsecond=0)
            events.append((when, (kind, self.tag, data(when) if callable(data) else data)))
        return events

    def _plan(self) -> None:
        if self.target in PLANNED:
            self._purchase(until=self.target)
            return
        if self.rng.random() < 0.15:
            self._purchase(until="in_stock")
        else:
            self._register()
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3, 4])):
            self._wander()
        getattr(self, "_to_" + self.target)()

    # Beginnings

    def _purchase(self, until: str) -> None:
        name, maker, _, category, _, price, _ = self.model
        self._step("create", {"name": f"{maker} {name}", "model": name, "status": "requested",
                              "purchase_cost": f"{price:.2f}",
                              "supplier": SUPPLIERS[category], "department": self._dept(),
                              "criticality": self._criticality()}, "requested")
        for kind, status in (("approve", "approved"), ("order", "ordered")):
            if until == self.status:
                return
            self._step(kind, {}, status)
        if until == "ordered":
            return
        self.location = self.rng.choice(self.places["store"])
        self._step("receive", {"location": self.location}, "in_stock")
        self._step("update", lambda when: {
            "serial": self._serial(), "purchase_date": when.date().isoformat(),
            "warranty_end": self._warranty(when.date())})

    def _register(self) -> None:
        """An asset of the existing fleet, bought up to four years ago."""
        name, maker, _, category, _, price, _ = self.model
        bought = (self.now - timedelta(days=self.rng.randint(400, 4 * 365))).date()
        deployed = self.rng.random() < 0.6
        self.location = self.rng.choice(self.places["office" if deployed else "store"])
        data = {"name": f"{maker} {name}", "model": name, "serial": self._serial(),
                "location": self.location, "department": self._dept(),
                "criticality": self._criticality(),
                "purchase_date": bought.isoformat(), "warranty_end": self._warranty(bought),
                "purchase_cost": f"{price * self.rng.uniform(0.9, 1.1):.2f}",
                "supplier": SUPPLIERS[category], "status": "in_stock"}
        if deployed:
            self.assignee = self.rng.choice(self.people)
            data |= {"status": "deployed", "assignee": self.assignee}
        self._step("create", data, data["status"])
        if category == "Vehicles":  # the fleet's contract, with its mileage limit
            self._step("warranty", {
                "provider": f"{maker} Fleet Warranty", "starts": bought.isoformat(),
                "ends": data["warranty_end"], "usage_limit": "100000", "usage_meter": "odometer",
                "reference": f"FW-{data['serial'][:8]}"})

    # A random step among the on-hand statuses

    def _wander(self) -> None:
        choice = self.rng.random()
        if self.status == "missing":
            self._found()
        elif self.status == "in_repair":
            self._close_repair() if choice < 0.8 else self._check_in()
        elif choice < 0.35:
            self._check_out()
        elif choice < 0.6:
            self._transfer()
        elif choice < 0.75 and self.status == "deployed":
            self._check_in()
        elif choice < 0.9:
            self._open_repair()
        elif choice < 0.95:
            self._step("repair", {"symptom": "Routine inspection", "work_done": "Checked, OK",
                                  "minutes": 15})
        else:
            self._step("mark_lost", {"note": "Not where the register says"}, "missing")

    # Endings

    def _to_in_stock(self) -> None:
        if self.status == "deployed":
            self._check_in()
        elif self.status == "in_repair":
            self._close_repair()
        elif self.status == "missing":
            self._found()

    def _to_deployed(self) -> None:
        self._to_in_stock()
        if self.status != "deployed":
            self._check_out()

    def _to_in_repair(self) -> None:
        if self.status == "missing":
            self._found()
        if self.status != "in_repair":
            self._open_repair()

    def _to_missing(self) -> None:
        if self.status == "missing":
            return
        self._step("mark_lost", {"note": "Not found in the quarterly stock-take"}, "missing")

    def _to_retired(self) -> None:
        reason = self.rng.choice(["End of life", "Beyond economical repair", "Replaced",
                                  "Lost for more than 90 days" if self.status == "missing"
                                  else "Obsolete"])
        self._step("retire", {"reason": reason}, "retired")
        self.assignee = None
        disposal = self.places["store"][-1]
        if self.location != disposal:
            self.location = disposal
            self._step("transfer", {"to_location": disposal, "note": "To the disposal cage"})

    def _to_wiped(self) -> None:
        self._to_retired()
        self._step("wipe", {"method": self.rng.choice(["clear", "purge", "purge", "destroy"]),
                            "technique": "NIST 800-88 overwrite, one pass",
                            "tool": "Blancco Drive Eraser", "verified": True,
                            "operator": self.rng.choice(self.people),
                            "witness": self.rng.choice(self.people),
                            "media_serials": [f"S{self.rng.randrange(10**9):09d}"]}, "wiped")

    def _to_disposed(self) -> None:
        if CATEGORIES[self.model[3]]:
            self._to_wiped()
        else:
            self._to_retired()
        method = self.rng.choice(["recycling", "recycling", "resale", "donation",
                                  "return_to_lessor"])
        self._step("dispose", {"method": method, "vendor": "GreenCycle Ltd",
                               "residual_value": f"{self.rng.uniform(0, 150):.2f}"
                               if method == "resale" else "0.00",
                               "weight_kg": round(self.rng.uniform(1, 25), 1)}, "disposed")

    # Single events, keeping track of where the asset is and who has it

    def _step(self, kind: str, data, status: str | None = None) -> None:
        self.steps.append((kind, data))
        self.status = status or self.status

    def _check_out(self) -> None:
        others = [p for p in self.people if p != self.assignee]
        self.assignee = self.rng.choice(others)
        data = {"assignee": self.assignee}
        if self.rng.random() < 0.5:
            self.location = self.rng.choice(self.places["office"])
            data["location"] = self.location
        self._step("check_out", data, "deployed")

    def _check_in(self) -> None:
        self.location, self.assignee = self.rng.choice(self.places["store"]), None
        self._step("check_in", {"location": self.location}, "in_stock")

    def _transfer(self) -> None:
        rooms = self.places["office" if self.status == "deployed" else "store"]
        self.location = self.rng.choice([r for r in rooms if r != self.location])
        self._step("transfer", {"to_location": self.location})

    def _open_repair(self) -> None:
        self._step("repair", {"symptom": self.rng.choice(SYMPTOMS), "status": "open"},
                   "in_repair")

    def _close_repair(self) -> None:
        self._step("repair", {"symptom": "See the opening entry", "status": "closed",
                              "work_done": "Part replaced and tested",
                              "cost": f"{self.rng.uniform(20, 400):.2f}",
                              "minutes": self.rng.randint(15, 240)}, "in_stock")

    def _found(self) -> None:
        self.location = self.rng.choice(self.places["store"])
        self._step("mark_found", {"location": self.location}, "in_stock")

    # Field values

    def _serial(self) -> str:
        alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        length = 17 if self.model[3] == "Vehicles" else 10
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def _warranty(self, bought: date) -> str:
        years = 3 if self.model[3] in ("Servers", "Vehicles") else self.rng.choice([1, 2, 3])
        return bought.replace(year=bought.year + years, day=min(bought.day, 28)).isoformat()

    def _dept(self) -> str:
        return self.rng.choice(DEPARTMENTS)[0]

    def _criticality(self) -> str:
        kinds = {"Servers": "critical", "Vehicles": "high"}
        return kinds.get(self.model[3]) or self.rng.choice(["medium", "medium", "low", "high"])
