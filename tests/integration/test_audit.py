"""`flask audit verify` against someone who can write the database but holds no key: a row
edited and every hash after it recomputed, the tail cut off and the head rewound, an asset's
status or a certificate's facts edited in place."""
import hashlib
import io
import json

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader

from app import create_app
from app.assets.models import Asset
from app.auth.roles import Role
from app.certificates.models import Certificate
from app.extensions import db
from app.files import store
from app.lifecycle import audit
from app.lifecycle.models import ChainHead, Event
from app.lifecycle.pipeline import EventIn, apply_event
from tests import database
from tests.factories import make_asset, make_location, make_model, make_person, make_user


def apply(event_type, tag, data=None, actor=None):
    outcome = apply_event(EventIn(event_type, tag, data or {}), actor=actor or make_user())
    db.session.commit()
    assert outcome.status == "applied", outcome.reason
    return outcome.event


def verify(app, *args):
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


@pytest.fixture
def history(app):
    """An asset with five events: created, moved twice, out, in."""
    make_location("R1"), make_location("R2"), make_person("P1")
    asset = make_asset(tag="A1", location="R1")
    apply("transfer", "A1", {"to_location": "R2"})
    apply("transfer", "A1", {"to_location": "R1"})
    apply("check_out", "A1", {"assignee": "P1"})
    apply("check_in", "A1", {"location": "R2"})
    return asset


def unkeyed(event: Event) -> str:
    """The chain's hash as it used to be, which anyone with the database could recompute."""
    fields = [event.seq, event.id, event.type, event.asset_id, event.actor_id, event.device,
              event.occurred_at.isoformat(), event.received_at.isoformat(),
              event.base_version, event.version, event.data, event.outcome, event.reason,
              event.prev_hash]
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_an_intact_history_verifies(app, history):
    code, output = verify(app)
    assert code == 0 and "Audit trail intact: 5 events" in output


@pytest.mark.parametrize("recompute", [unkeyed, lambda event: hashlib.sha256(
    b"a guessed key" + event.id.encode()).hexdigest()])
def test_a_rewritten_row_with_every_hash_after_it_recomputed_is_found(app, history, recompute):
    events = db.session.scalars(sa.select(Event).order_by(Event.seq)).all()
    events[2].data = events[2].data | {"note": "never happened"}
    prev = events[1].hash
    for event in events[2:]:
        event.prev_hash = prev
        event.hash = prev = recompute(event)
    db.session.get(ChainHead, audit.HEAD_ID).hash = prev
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "event #3" in output


def test_a_cut_tail_with_its_head_rewound_is_found_by_an_anchor(app, history):
    anchored = app.test_cli_runner().invoke(args=["audit", "anchor"])
    assert anchored.exit_code == 0 and "seq=5" in anchored.output
    assert verify(app) == (0, verify(app)[1])
    third = db.session.scalar(sa.select(Event).where(Event.seq == 3))
    db.session.execute(sa.delete(Event).where(Event.seq > 3))
    db.session.execute(sa.update(ChainHead).values(seq=3, hash=third.hash))
    db.session.execute(sa.update(Asset).values(version=3))
    db.session.commit()
    assert audit.verify().ok  # the chain alone cannot tell
    code, output = verify(app)
    assert code == 1 and "event #5 is gone" in output


def test_an_anchor_kept_elsewhere_is_checked_too(app, history, tmp_path):
    elsewhere = tmp_path / "external.log"
    app.test_cli_runner().invoke(args=["audit", "anchor", "--append", str(elsewhere)])
    (tmp_path / "audit-anchors.log").unlink()  # the instance's own copy is gone as well
    db.session.execute(sa.update(Event).where(Event.seq == 5).values(hash="0" * 64))
    db.session.commit()
    code, output = verify(app, "--anchors", str(elsewhere))
    assert code == 1 and "not the one the anchor saw" in output


@pytest.mark.parametrize(("column", "value"), [
    ("status", "disposed"), ("version", 9), ("location_id", None), ("assignee_id", 1),
    ("name", "Another name"), ("purchase_cost", 1)])
def test_a_direct_edit_of_an_asset_is_found(app, history, column, value):
    db.session.execute(sa.update(Asset).where(Asset.tag == "A1").values({column: value}))
    db.session.commit()
    assert audit.verify().ok  # no event row changed
    code, output = verify(app)
    assert code == 1 and "A1:" in output, output


def test_every_event_type_leaves_its_asset_as_its_events_say(app):
    """The demo's year of history, every lifecycle state, through the pipeline."""
    from app.demo import seed_demo
    seed_demo(only_if_empty=False)
    db.session.commit()
    code, output = verify(app)
    assert code == 0, output


def certificate(app):
    model = make_model("Shredder", category="Furniture")
    db.session.execute(sa.text("UPDATE category SET holds_data = false"))
    asset = make_asset(tag="D1", model=model.name)
    apply("retire", "D1", {"reason": "old"})
    apply("dispose", "D1", {"method": "recycling", "weight_kg": 12.5})
    return asset, db.session.scalar(sa.select(Certificate))


def test_a_direct_edit_of_a_certificates_facts_is_found(app):
    _, cert = certificate(app)
    assert verify(app)[0] == 0
    cert.facts = cert.facts | {"weight_kg": 1250.0}
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and f"certificate {cert.number} was changed" in output


def test_a_removed_certificate_is_found(app):
    _, cert = certificate(app)
    db.session.delete(cert)
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and f"issued certificate {cert.number}, which is gone" in output


def test_a_certificate_prints_the_chain_it_was_issued_on(app):
    _, cert = certificate(app)
    anchor = cert.facts["audit_anchor"]
    issuing = db.session.scalar(sa.select(Event).where(Event.id == cert.event_id))
    assert anchor["seq"] == issuing.seq - 1
    assert anchor["hash"] == db.session.scalar(sa.select(Event.hash).where(
        Event.seq == anchor["seq"]))
    text = "".join(PdfReader(io.BytesIO(store.read(cert.sha256))).pages[0].extract_text().split())
    assert anchor["hash"] in text
    # Even someone who stole the key and sealed a rewritten chain again is caught by it.
    events = db.session.scalars(sa.select(Event).order_by(Event.seq)).all()
    events[0].data = events[0].data | {"name": "Rewritten"}
    prev = events[0].prev_hash
    for event in events:
        event.prev_hash = prev
        event.hash = prev = audit.event_hash(event)
    db.session.get(ChainHead, audit.HEAD_ID).hash = prev
    db.session.execute(sa.update(Asset).values(name="Rewritten"))
    db.session.commit()
    assert audit.verify().ok
    code, output = verify(app)
    assert code == 1 and f"certificate {cert.number} printed an entry" in output


def test_the_key_is_nowhere_in_the_database(app, history):
    key = app.config["AUDIT_KEY"]
    assert len(key) >= 32 and key != app.config["SECRET_KEY"]
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                assert key not in str(tuple(row)), table.name


def test_production_refuses_to_start_without_an_audit_key(config, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    settings = {k: v for k, v in config.items() if k != "SECRET_KEY"}
    with pytest.raises(RuntimeError, match="TAGTRAIL_AUDIT_KEY"):
        create_app(settings | {"ENV_NAME": "production"})
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 48)
    monkeypatch.setenv("TAGTRAIL_AUDIT_KEY_FILE", str(key_file))
    monkeypatch.setenv("TAGTRAIL_ENV", "production")
    assert create_app(settings).config["AUDIT_KEY"] == "k" * 48


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_upgrade_seals_an_existing_chain_under_the_key(tmp_path):
    with database.test_database(tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance")})
        with app.app_context():
            upgrade()
            make_location("R1")
            make_asset(tag="A1", location="R1")
            apply("repair", "A1", {"symptom": "fan"})
            downgrade(revision="ca7be39e8f39")  # the chain as it was: plain SHA-256
            # The columns the chain had then (not the document a later revision adds).
            columns = [getattr(Event, name) for name in (
                "seq", "id", "type", "asset_id", "actor_id", "device", "occurred_at",
                "received_at", "base_version", "version", "data", "outcome", "reason",
                "prev_hash", "hash")]
            events = db.session.execute(sa.select(*columns).order_by(Event.seq)).all()
            assert [e.hash for e in events] == [unkeyed(e) for e in events]
            db.session.remove()
            upgrade()
            assert audit.verify().ok and audit.verify().checked == 2
            assert db.session.scalar(sa.select(Event.hash).where(Event.seq == 2)) != \
                events[1].hash
            db.session.remove()
            db.engine.dispose()


def test_the_audit_page_searches_events_and_checks_the_trail(app, history, login):
    auditor = login(Role.AUDITOR)
    page = auditor.get("/admin/audit/").get_data(as_text=True)
    assert "5 events" in page and "seq=5" in page
    assert "1 events" in auditor.get("/admin/audit/?type=check_out").get_data(as_text=True)
    assert "0 events" in auditor.get("/admin/audit/?asset=NOPE").get_data(as_text=True)
    assert "5 events" in auditor.get("/admin/audit/?asset=a1&from=2000-01-01&to=bad"
                                     ).get_data(as_text=True)
    assert "<strong>Intact</strong>" in auditor.get("/admin/audit/?verify=1").get_data(
        as_text=True)
    db.session.execute(sa.update(Asset).values(status="disposed"))
    db.session.commit()
    broken = auditor.get("/admin/audit/?verify=1").get_data(as_text=True)
    assert "<strong>Broken</strong>" in broken and "A1: its status is" in broken
