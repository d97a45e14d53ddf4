"""A disposal batch's certificate no longer names its first asset and that asset's dispose
event: it is of every asset in the batch, and the batch names it (disposal_batch.
certificate_id). asset_id and event_id may be NULL, and only for a batch's certificate (a
CHECK); the existing batch certificates lose both and are sealed again under the audit key,
since a row's seal covers its asset_id. A row whose seal no longer holds is not sealed over:
the upgrade stops and names it. The downgrade puts the first asset and its event back.

The seal is copied here as it is at this revision: later code may change. On SQLite the
certificate table is rebuilt (batch mode) to change its columns; the tables its foreign keys
name are not reflected with it (resolve_fks=False), so the asset table's expression index is
never read.

Revision ID: d1edf19bc173
Revises: c2e8f4a6d0b1
"""
import hmac
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "d1edf19bc173"
down_revision = "c2e8f4a6d0b1"
branch_labels = None
depends_on = None

BATCH = "disposal_batch"
CHECK = "kind = 'disposal_batch' OR (asset_id IS NOT NULL AND event_id IS NOT NULL)"
CERTIFICATE = sa.table(
    "certificate", sa.column("id", sa.Integer), sa.column("number", sa.String),
    sa.column("kind", sa.String), sa.column("asset_id", sa.Integer),
    sa.column("event_id", sa.String), sa.column("sha256", sa.String),
    sa.column("issued_at", sa.DateTime), sa.column("supersedes_id", sa.Integer),
    sa.column("facts", sa.JSON), sa.column("verify_key", sa.String),
    sa.column("seal", sa.String))
DISPOSAL_BATCH = sa.table("disposal_batch", sa.column("number", sa.String),
                          sa.column("certificate_id", sa.Integer))
EVENT = sa.table("event", sa.column("seq", sa.Integer), sa.column("id", sa.String),
                 sa.column("type", sa.String), sa.column("asset_id", sa.Integer),
                 sa.column("data", sa.JSON), sa.column("outcome", sa.String))


def _seal(key: bytes, cert, asset_id) -> str:
    values = [cert.number, cert.kind, asset_id, cert.sha256, cert.issued_at.isoformat(),
              cert.supersedes_id, cert.verify_key, cert.facts]
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode(), "sha256").hexdigest()


def _batch_certificates(conn, key: bytes) -> list:
    """The batch certificates, each checked against its seal as it stands."""
    certs = conn.execute(sa.select(CERTIFICATE).where(CERTIFICATE.c.kind == BATCH)
                         .order_by(CERTIFICATE.c.id)).all()
    for cert in certs:
        if not hmac.compare_digest(cert.seal, _seal(key, cert, cert.asset_id)):
            raise RuntimeError(f"Certificate {cert.number} was changed after it was issued: it "
                               "cannot be sealed again. Find out what changed it first.")
    return certs


def _reseal(conn, key: bytes, cert, asset_id, event_id) -> None:
    conn.execute(sa.update(CERTIFICATE).where(CERTIFICATE.c.id == cert.id).values(
        asset_id=asset_id, event_id=event_id, seal=_seal(key, cert, asset_id)))


def upgrade():
    key = current_app.config["AUDIT_KEY"].encode()
    conn = op.get_bind()
    certs = _batch_certificates(conn, key)  # before anything changes
    with op.batch_alter_table("certificate",
                              reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.alter_column("asset_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("event_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.create_check_constraint(op.f("ck_certificate_asset_unless_batch"), CHECK)
    for cert in certs:
        _reseal(conn, key, cert, None, None)


def downgrade():
    key = current_app.config["AUDIT_KEY"].encode()
    conn = op.get_bind()
    first_event = {}  # batch number -> (asset_id, event id) of its first dispose event
    for event in conn.execute(sa.select(EVENT.c.id, EVENT.c.asset_id, EVENT.c.data).where(
            EVENT.c.type == "dispose", EVENT.c.outcome == "applied").order_by(EVENT.c.seq)):
        if (event.data or {}).get("batch"):
            first_event.setdefault(event.data["batch"], (event.asset_id, event.id))
    batch_of = dict(conn.execute(sa.select(DISPOSAL_BATCH.c.certificate_id,
                                           DISPOSAL_BATCH.c.number)).all())
    certs = _batch_certificates(conn, key)
    supersedes = {cert.id: cert.supersedes_id for cert in certs}
    for cert in certs:
        first = cert.id
        while supersedes.get(first) is not None:  # a correction: its batch names the first
            first = supersedes[first]
        if batch_of.get(first) not in first_event:
            raise RuntimeError(f"Certificate {cert.number} belongs to no disposal batch with a "
                               "dispose event: there is no asset to name in its row.")
        _reseal(conn, key, cert, *first_event[batch_of[first]])
    with op.batch_alter_table("certificate",
                              reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_constraint(op.f("ck_certificate_asset_unless_batch"), type_="check")
        batch_op.alter_column("asset_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("event_id", existing_type=sa.String(length=36), nullable=False)
