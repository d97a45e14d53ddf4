"""Stock-takes: the snapshot, scans from phones through /api/v1/sync, reconciliation, reports,
the pages and the phone's API."""
import csv
import io
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.assets import not_seen as unseen
from app.assets import service as assets
from app.assets.models import Asset
from app.auth.roles import Role
from app.errors import InvalidTransition
from app.extensions import db
from app.lifecycle.models import Event
from app.lifecycle.pipeline import EventIn, apply_event
from app.org.models import LocationKind
from app.stocktakes import progress, reconciliation, service
from app.stocktakes.models import StocktakeCount
from app.timeutil import utcnow
from tests.factories import (
    make_asset,
    make_location,
    make_person,
    make_token,
    make_user,
)


@pytest.fixture
def site(app):
    """SITE > ROOM-A, ROOM-B; and OTHER > ROOM-X, outside the stock-takes."""
    top = make_location("SITE", "Main site", kind=LocationKind.SITE)
    other = make_location("OTHER", "Other site", kind=LocationKind.SITE)
    return {"SITE": top, "A": make_location("ROOM-A", "Room A", top),
            "B": make_location("ROOM-B", "Room B", top),
            "X": make_location("ROOM-X", "Room X", other)}


@pytest.fixture
def manager(app):
    return make_user(Role.MANAGER)


def scan(tag, stocktake, location=None, **data):
    data = {"stocktake": stocktake.id, **({"location": location} if location else {}), **data}
    return {"id": str(uuid.uuid4()), "type": "stocktake_scan", "asset": tag, "data": data,
            "occurred_at": utcnow().isoformat() + "Z"}


@pytest.fixture
def phone(app):
    """phone(events, device, role) -> the sync reply's results."""
    tokens = {}

    def send(events, device="phone-1", role=Role.TECHNICIAN, status=200):
        if role not in tokens:
            tokens[role] = make_token(make_user(role))
        reply = app.test_client().post(
            "/api/v1/sync", json={"device_id": device, "events": events},
            headers={"Authorization": f"Bearer {tokens[role]}"})
        assert reply.status_code == status, reply.json
        return reply.json.get("results")
    return send


def assets_in(room, n, prefix, actor):
    return [make_asset(actor, tag=f"{prefix}{i:02d}", location=room.code).tag
            for i in range(1, n + 1)]


def n_counts():
    return db.session.scalar(sa.select(sa.func.count()).select_from(StocktakeCount))


def n_events():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def asset(tag) -> Asset:
    db.session.expire_all()
    return db.session.scalar(sa.select(Asset).where(Asset.tag == tag))


def test_the_snapshot_is_what_is_physically_in_the_scope(site, manager):
    make_person("P1")
    make_asset(manager, tag="STOCK", location="ROOM-A")
    make_asset(manager, tag="OUT", location="ROOM-B", status="deployed", assignee="P1")
    make_asset(manager, tag="TOP", location="SITE")
    make_asset(manager, tag="ASKED", location="ROOM-A", status="requested")
    make_asset(manager, tag="ELSEWHERE", location="ROOM-X")
    make_asset(manager, tag="GONE", location="ROOM-A")
    assets.record("GONE", "retire", {"reason": "old"}, actor=manager)
    assets.record("GONE", "dispose", {"method": "recycling"}, actor=manager)
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    assert stocktake.expected_count == 3
    assert {row.tag for row in progress.lines(stocktake)} == {"STOCK", "OUT", "TOP"}
    assert {r["tag"]: r["location"] for r in progress.phone_view(stocktake)["expected"]} == {
        "STOCK": "ROOM-A", "OUT": "ROOM-B", "TOP": "SITE"}


def test_scans_are_classified_and_change_nothing_on_the_asset(site, manager, phone):
    make_asset(manager, tag="A1", location="ROOM-A")
    make_asset(manager, tag="B1", location="ROOM-B")
    make_asset(manager, tag="X1", location="ROOM-X")
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    version = asset("B1").version
    results = phone([scan("A1", stocktake, "ROOM-A"), scan("B1", stocktake, "ROOM-A"),
                     scan("X1", stocktake, "ROOM-A"),
                     scan("A1", stocktake, "ROOM-A", how="seen", reason="label worn off")])
    assert [(r["status"], r["result"]) for r in results] == [
        ("applied", "found"), ("applied", "misplaced"), ("applied", "unexpected"),
        ("applied", "already_counted")]
    stored = db.session.scalar(sa.select(Event.data).where(Event.id == results[2]["id"]))
    assert stored["expected_at"] == "ROOM-X"
    assert n_counts() == 3
    b1 = asset("B1")
    assert (b1.location.code, b1.status, b1.version) == ("ROOM-B", "in_stock", version + 1)
    total, _ = progress.progress(stocktake)
    assert (total.expected, total.found, total.misplaced, total.unexpected) == (2, 2, 1, 1)


def test_a_rescan_in_the_same_batch_counts_once_however_the_tag_is_padded(site, manager, phone):
    make_asset(manager, tag="A1", location="ROOM-A")
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    results = phone([scan("A1", stocktake, "ROOM-A"), scan(" A1 ", stocktake, "ROOM-A")])
    assert [(r["status"], r["result"]) for r in results] == [
        ("applied", "found"), ("applied", "already_counted")]
    assert n_counts() == 1


def test_two_devices_scanning_the_same_assets_count_each_once(site, manager, phone):
    tags = assets_in(site["A"], 10, "A", manager)
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    first = [scan(t, stocktake, "ROOM-A") for t in tags[:6]]
    second = [scan(t, stocktake, "ROOM-A") for t in tags[3:]]
    assert {r["result"] for r in phone(first, "phone-1")} == {"found"}
    results = [r["result"] for r in phone(second, "phone-2")]
    assert results == ["already_counted"] * 3 + ["found"] * 4
    replay = phone(first, "phone-1")  # a retried batch
    assert {(r["status"], r["result"]) for r in replay} == {("duplicate", "found")}
    assert n_counts() == 10
    assert progress.progress(stocktake)[0].found == 10


@pytest.mark.parametrize("problem", ["finished", "cancelled", "unknown stocktake",
                                     "unknown tag", "seen without reason", "outside room"])
def test_scans_that_cannot_count_are_rejected_with_a_reason(site, manager, phone, problem):
    make_asset(manager, tag="A1", location="ROOM-A")
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    event = scan("A1", stocktake, "ROOM-A")
    if problem in ("finished", "cancelled"):
        (service.finish if problem == "finished" else service.cancel)(stocktake, actor=manager)
        db.session.commit()
    elif problem == "unknown stocktake":
        event["data"]["stocktake"] = stocktake.id + 99
    elif problem == "unknown tag":
        event["asset"] = "NOPE"
    elif problem == "seen without reason":
        event["data"]["how"] = "seen"
    else:
        event["data"]["location"] = "ROOM-X"
    [result] = phone([event])
    assert result["status"] == "rejected" and result["reason"]
    assert n_counts() == 0


def test_an_auditor_cannot_scan(site, manager, phone):
    make_asset(manager, tag="A1", location="ROOM-A")
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    phone([scan("A1", stocktake, "ROOM-A")], role=Role.AUDITOR, status=403)
    assert n_counts() == 0


@pytest.fixture
def walked(site, manager, phone):
    """20 expected in room A, 1 in room B; 18 of A scanned in A, B's scanned in A (misplaced),
    and two from outside the scope scanned in A (unexpected; one of them marked lost)."""
    tags = assets_in(site["A"], 20, "A", manager)
    make_asset(manager, tag="B1", location="ROOM-B")
    make_asset(manager, tag="X1", location="ROOM-X")
    make_asset(manager, tag="X2", location="ROOM-X")
    assets.record("X2", "mark_lost", {}, actor=manager)
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    phone([scan(t, stocktake, "ROOM-A") for t in tags[:18]]
          + [scan(t, stocktake, "ROOM-A") for t in ("B1", "X1", "X2")])
    return stocktake


def test_reconciliation_lists(walked, manager):
    lists = {name: [r.tag for r in progress.lines(walked, name)]
             for name in ("missing", "misplaced", "unexpected")}
    assert lists == {"missing": ["A19", "A20"], "misplaced": ["B1"], "unexpected": ["X1", "X2"]}
    total, rooms = progress.progress(walked)
    assert (total.expected, total.found, total.missing) == (21, 19, 2)
    assert round(total.accuracy, 4) == round(19 / 21, 4)
    room_a = next(r for r in rooms if r.code == "ROOM-A")
    assert (room_a.expected, room_a.found, room_a.unexpected) == (20, 18, 2)
    service.finish(walked, actor=manager)
    db.session.commit()
    assert walked.found_count == 19


def test_bulk_actions_need_a_finished_stocktake(walked, manager):
    with pytest.raises(InvalidTransition):
        reconciliation.reconcile(walked, "mark_missing_lost", actor=manager)


def test_each_bulk_action_applied_twice_changes_nothing_the_second_time(walked, manager):
    service.finish(walked, actor=manager)
    db.session.commit()
    for action in reconciliation.ACTIONS:
        summary = reconciliation.reconcile(walked, action, actor=manager)
        db.session.commit()
        events, versions = n_events(), db.session.execute(
            sa.select(Asset.tag, Asset.version).order_by(Asset.tag)).all()
        again = reconciliation.reconcile(walked, action, actor=manager)
        db.session.commit()
        assert again.applied == 0 and again.already == summary.applied, str(again)
        assert n_events() == events
        assert db.session.execute(
            sa.select(Asset.tag, Asset.version).order_by(Asset.tag)).all() == versions
    assert [asset(t).status for t in ("A19", "A20")] == ["missing", "missing"]
    assert asset("B1").location.code == "ROOM-A"
    x1, x2 = asset("X1"), asset("X2")
    assert (x1.location.code, x1.status) == ("ROOM-A", "in_stock")
    assert (x2.location.code, x2.status) == ("ROOM-A", "in_stock")  # found where it was seen
    assert db.session.scalar(sa.select(Event.type).where(
        Event.asset_id == x2.id).order_by(Event.seq.desc()).limit(1)) == "mark_found"


def test_marking_lost_skips_what_cannot_be_lost_and_says_why(site, manager):
    make_asset(manager, tag="A1", location="ROOM-A")
    make_asset(manager, tag="A2", location="ROOM-A")
    stocktake = service.start(site["SITE"], actor=manager)
    assets.record("A2", "retire", {"reason": "old"}, actor=manager)
    service.finish(stocktake, actor=manager)
    summary = reconciliation.reconcile(stocktake, "mark_missing_lost", actor=manager)
    assert summary.applied == 1
    assert [tag for tag, _ in summary.skipped] == ["A2"]
    assert "retired" in summary.skipped[0][1] and "skipped" in str(summary)


def test_report_pdf_has_the_figures(walked, manager, login):
    service.finish(walked, actor=manager)
    db.session.commit()
    reply = login(Role.AUDITOR).get(f"/api/v1/stocktakes/{walked.id}/report.pdf")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.data)).pages)
    text = " ".join(text.split())
    for expected in ("Main site", "Expected 21", "Found (misplaced included) 19", "Missing 2",
                     "Misplaced 1", "Unexpected 2", "Accuracy 90.5%", "A19", "A20", "B1", "X1"):
        assert expected in text, expected


def test_report_csv_has_a_row_per_asset(walked, login):
    reply = login(Role.AUDITOR).get(f"/admin/stocktakes/{walked.id}/report.csv")
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert len(rows) == 23
    by_tag = {r["tag"]: r for r in rows}
    assert by_tag["B1"]["expected location"] == "ROOM-B"
    assert by_tag["B1"]["seen location"] == "ROOM-A" and by_tag["B1"]["result"] == "misplaced"
    assert by_tag["A20"]["result"] == "missing" and by_tag["A20"]["counted by"] == ""
    assert by_tag["X1"]["result"] == "unexpected" and by_tag["X1"]["counted at"]
    assert {r["result"] for r in rows} == {"found", "missing", "misplaced", "unexpected"}


def test_not_seen_lists_assets_without_a_recent_physical_event(site, manager, login):
    for tag in ("OLD", "RECENT", "NEVER"):
        make_asset(manager, tag=tag, location="ROOM-A")
    long_ago = utcnow() - timedelta(days=400)
    for tag, when in (("OLD", long_ago), ("RECENT", utcnow() - timedelta(days=3))):
        apply_event(EventIn("transfer", tag, {"to_location": "ROOM-B"}, occurred_at=when),
                    actor=manager)
    db.session.commit()
    page = login(Role.AUDITOR).get("/admin/stocktakes/not-seen?days=180")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "OLD" in html and "NEVER" in html and "RECENT" not in html
    assert [r.tag for r in unseen.not_seen(180).rows] == ["NEVER", "OLD"]
    assert [r.tag for r in unseen.not_seen(1).rows] == ["NEVER", "OLD", "RECENT"]


def test_the_phone_api(site, manager, app, phone):
    make_asset(manager, tag="A1", location="ROOM-A")
    make_asset(manager, tag="B1", location="ROOM-B")
    tech = app.test_client(user=make_user(Role.TECHNICIAN))
    started = tech.post("/api/v1/stocktakes", json={"location": "SITE", "note": "Q4"})
    assert started.status_code == 201
    item = started.json
    assert item == {"id": item["id"], "location": "SITE", "location_name": "Main site",
                    "status": "open", "started_at": item["started_at"], "expected_count": 2,
                    "counted_count": 0}
    again = tech.post("/api/v1/stocktakes", json={"location": "SITE"})
    assert again.status_code == 409 and again.json["error"]["code"] == "duplicate"
    stocktake = service.get(item["id"])
    phone([scan("B1", stocktake, "ROOM-A")])
    listed = tech.get("/api/v1/stocktakes?status=open").json["items"]
    assert [(s["id"], s["counted_count"]) for s in listed] == [(item["id"], 1)]
    body = tech.get(f"/api/v1/stocktakes/{item['id']}").json
    assert set(body) == {"id", "location", "location_name", "status", "started_at", "rooms",
                         "expected", "counted"}
    assert body["rooms"] == [{"code": "SITE", "name": "Main site", "expected": 0},
                             {"code": "ROOM-A", "name": "Room A", "expected": 1},
                             {"code": "ROOM-B", "name": "Room B", "expected": 1}]
    assert sorted(body["expected"], key=lambda e: e["tag"]) == [
        {"tag": "A1", "location": "ROOM-A"}, {"tag": "B1", "location": "ROOM-B"}]
    assert body["counted"] == [{"tag": "B1", "location": "ROOM-A", "result": "misplaced",
                                "how": "scanned"}]
    assert tech.post(f"/api/v1/stocktakes/{item['id']}/finish").status_code == 403
    finished = app.test_client(user=manager).post(f"/api/v1/stocktakes/{item['id']}/finish")
    assert finished.status_code == 200 and finished.json["status"] == "finished"
    assert tech.get("/api/v1/stocktakes?status=open").json["items"] == []


def test_roles(site, manager, login):
    auditor = login(Role.AUDITOR)
    assert auditor.post("/api/v1/stocktakes", json={"location": "SITE"}).status_code == 403
    assert auditor.post("/admin/stocktakes/new", data={"location": "SITE"}).status_code == 403
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    assert auditor.post(f"/api/v1/stocktakes/{stocktake.id}/finish").status_code == 403
    assert auditor.post(f"/admin/stocktakes/{stocktake.id}/finish").status_code == 403
    assert login(Role.TECHNICIAN).post(
        f"/admin/stocktakes/{stocktake.id}/reconcile",
        data={"action": "move_misplaced"}).status_code == 403
    assert auditor.get(f"/admin/stocktakes/{stocktake.id}").status_code == 200


def test_the_pages(site, manager, login, phone):
    make_asset(manager, tag="A1", location="ROOM-A")
    make_asset(manager, tag="B1", location="ROOM-B")
    client = login(Role.MANAGER)
    assert client.get("/admin/stocktakes/new").status_code == 200
    reply = client.post("/admin/stocktakes/new", data={"location": "SITE", "note": "Q4"})
    assert reply.status_code == 302
    stocktake_id = int(reply.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    phone([scan("A1", service.get(stocktake_id), "ROOM-A")])
    detail = client.get(f"/admin/stocktakes/{stocktake_id}").get_data(as_text=True)
    assert "1 of 2 found" in detail and "B1" in detail
    client.post(f"/admin/stocktakes/{stocktake_id}/finish")
    reply = client.post(f"/admin/stocktakes/{stocktake_id}/reconcile",
                        data={"action": "mark_missing_lost"}, follow_redirects=True)
    assert "1 done" in reply.get_data(as_text=True)
    assert asset("B1").status == "missing"
    listing = client.get(f"/admin/stocktakes/?location={site['SITE'].id}")
    assert "50.0%" in listing.get_data(as_text=True)


def test_assets_missing_in_the_register_but_counted_are_marked_found(site, manager, phone):
    make_asset(manager, tag="A1", location="ROOM-A")
    make_asset(manager, tag="A2", location="ROOM-A")
    assets.record("A1", "mark_lost", {}, actor=manager)
    db.session.commit()
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    assert [r["status"] for r in phone([scan("A1", stocktake, "ROOM-A"),
                                        scan("A2", stocktake, "ROOM-A")])] == ["applied"] * 2
    service.finish(service.get(stocktake.id), actor=manager)
    summary = reconciliation.reconcile(stocktake, "mark_found", actor=manager)
    db.session.commit()
    assert summary.applied == 1 and asset("A1").status == "in_stock"
    events = n_events()
    again = reconciliation.reconcile(stocktake, "mark_found", actor=manager)
    db.session.commit()
    assert again.applied == 0 and n_events() == events


def test_a_technician_cannot_claim_the_ids_of_a_reconciliation_beforehand(walked, manager,
                                                                          phone):
    # The ids used to come from a fixed namespace and the asset ids, which anyone could work
    # out; harmless events sent under them first made the bulk action answer "already done".
    old_namespace = uuid.UUID("5f0c8d53-2b8e-4a3c-9d55-6a3c1f2e7b10")
    guessed = [{**scan("X1", walked), "type": "stocktake_scan",
                "id": str(uuid.uuid5(old_namespace, f"{walked.id}/mark_missing_lost/{a.id}"))}
               for a in (asset("A19"), asset("A20"))]
    assert [r["status"] for r in phone(guessed)] == ["applied", "applied"]
    service.finish(walked, actor=manager)
    summary = reconciliation.reconcile(walked, "mark_missing_lost", actor=manager)
    db.session.commit()
    assert (summary.applied, summary.already) == (2, 0), str(summary)
    assert [asset(t).status for t in ("A19", "A20")] == ["missing", "missing"]


def test_a_reconciliation_rerun_by_another_manager_is_already_done(walked, manager):
    service.finish(walked, actor=manager)
    first = reconciliation.reconcile(walked, "move_misplaced", actor=manager)
    again = reconciliation.reconcile(walked, "move_misplaced", actor=make_user(Role.MANAGER))
    assert (first.applied, again.applied, again.already) == (1, 0, 1), str(again)


def test_the_report_keeps_where_the_register_had_an_unexpected_asset(walked, manager, login):
    service.finish(walked, actor=manager)
    reconciliation.reconcile(walked, "take_unexpected", actor=manager)  # moves X1 into ROOM-A
    db.session.commit()
    assert asset("X1").location.code == "ROOM-A"
    rows = list(csv.DictReader(io.StringIO(login(Role.AUDITOR).get(
        f"/admin/stocktakes/{walked.id}/report.csv").get_data(as_text=True))))
    x1 = next(r for r in rows if r["tag"] == "X1")
    assert (x1["expected location"], x1["seen location"]) == ("ROOM-X", "ROOM-A")


def test_seen_reasons_photos_and_unknown_codes_reach_the_report(site, manager, phone, app,
                                                                 login):
    import hashlib

    from PIL import Image

    from app.files import store
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "PNG")
    photo = store.put(out.getvalue(), hashlib.sha256(out.getvalue()).hexdigest()).sha256
    tags = assets_in(site["A"], 2, "A", manager)
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    phone([scan(tags[0], stocktake, "ROOM-A", how="seen", reason="label worn off",
                photos=[photo])])
    token = make_token(make_user(Role.TECHNICIAN))
    headers = {"Authorization": f"Bearer {token}"}
    sighting = {"id": str(uuid.uuid4()), "code": "FOREIGN-77", "location": "ROOM-A",
                "occurred_at": "2026-11-30T10:00:00Z"}
    client = app.test_client()
    url = f"/api/v1/stocktakes/{stocktake.id}/unknown"
    assert client.post(url, json=sighting, headers=headers).status_code == 201
    again = client.post(url, json=sighting, headers=headers)
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    reused = client.post(url, json=sighting | {"code": "OTHER"}, headers=headers)
    assert reused.status_code == 422
    outside = client.post(url, json=sighting | {"id": str(uuid.uuid4()), "location": "ROOM-X"},
                          headers=headers)
    assert outside.status_code == 422 and "not inside" in outside.json["error"]["message"]
    rows = list(csv.DictReader(io.StringIO(login(Role.AUDITOR).get(
        f"/admin/stocktakes/{stocktake.id}/report.csv").get_data(as_text=True))))
    seen = next(r for r in rows if r["tag"] == tags[0])
    assert (seen["how counted"], seen["why not scanned"], seen["photos"]) == (
        "seen", "label worn off", "1")
    unknown = next(r for r in rows if r["result"] == "unknown")
    assert (unknown["tag"], unknown["seen location"]) == ("FOREIGN-77", "ROOM-A")
    pdf = login(Role.AUDITOR).get(f"/api/v1/stocktakes/{stocktake.id}/report.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
                    .split())
    assert "label worn off" in text and "FOREIGN-77" in text
    service.finish(stocktake, actor=manager)
    db.session.commit()
    late = client.post(url, json=sighting | {"id": str(uuid.uuid4())}, headers=headers)
    assert late.status_code == 422 and "finished" in late.json["error"]["message"]


def test_finishing_and_cancelling_ask_first(site, manager, login):
    stocktake = service.start(site["SITE"], actor=manager)
    db.session.commit()
    page = login(Role.MANAGER).get(f"/admin/stocktakes/{stocktake.id}").get_data(as_text=True)
    finish = page[page.index("Finish…"):page.index("Cancel the stock-take…")]
    assert "later scans are refused" in finish and "Yes, finish it" in finish
    assert "Yes, cancel it" in page[page.index("Cancel the stock-take…"):]
