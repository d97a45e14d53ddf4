"""A keyed audit trail, and certificates whose public page needs the key they print.

The event chain was SHA-256 over each row: anyone who could write the database could edit a
row and recompute every hash after it. It becomes HMAC-SHA256 under AUDIT_KEY, which lives
outside the database (TAGTRAIL_AUDIT_KEY, or the instance folder's audit_key). This revision
checks the chain as it stands and seals it again under the key; a chain already broken is
not sealed over: the upgrade stops and names the entry.

Certificates get a verify_key (in the link they print; existing ones, printed without it,
show their facts to signed-in users only) and a seal (the row's HMAC), so a direct edit of
their facts shows in `audit verify`.

The hash functions are copied here as they are at this revision: later code may change.

Revision ID: a4e9c2f7b1d3
Revises: ca7be39e8f39
"""
import hashlib
import hmac
import json
import secrets

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "a4e9c2f7b1d3"
down_revision = "ca7be39e8f39"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
EVENT = sa.table(
    "event", sa.column("seq", sa.Integer), sa.column("id", sa.String),
    sa.column("type", sa.String), sa.column("asset_id", sa.Integer),
    sa.column("actor_id", sa.Integer), sa.column("device", sa.String),
    sa.column("occurred_at", sa.DateTime), sa.column("received_at", sa.DateTime),
    sa.column("base_version", sa.Integer), sa.column("version", sa.Integer),
    sa.column("data", sa.JSON), sa.column("outcome", sa.String), sa.column("reason", sa.Text),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
HEAD = sa.table("chain_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer),
                sa.column("hash", sa.String))
CERTIFICATE = sa.table(
    "certificate", sa.column("id", sa.Integer), sa.column("number", sa.String),
    sa.column("kind", sa.String), sa.column("asset_id", sa.Integer),
    sa.column("sha256", sa.String), sa.column("issued_at", sa.DateTime),
    sa.column("supersedes_id", sa.Integer), sa.column("facts", sa.JSON),
    sa.column("verify_key", sa.String), sa.column("seal", sa.String))


def _canonical(values) -> bytes:
    return json.dumps(values, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def _fields(row, prev_hash: str) -> list:
    return [row.seq, row.id, row.type, row.asset_id, row.actor_id, row.device,
            row.occurred_at.isoformat(), row.received_at.isoformat(), row.base_version,
            row.version, row.data, row.outcome, row.reason, prev_hash]


def upgrade():
    # NOT NULL with a default of '' for the rows there: SQLite adds such a column in place,
    # where changing it to NOT NULL afterwards would rebuild the table. Every row is filled
    # below; PostgreSQL drops the default after.
    for name, length in (("verify_key", 32), ("seal", 64)):
        op.add_column("certificate", sa.Column(name, sa.String(length=length), nullable=False,
                                               server_default=""))
    key = current_app.config["AUDIT_KEY"].encode()
    conn = op.get_bind()
    _seal_chain(conn, key)
    for cert in conn.execute(sa.select(CERTIFICATE)).all():
        verify_key = secrets.token_urlsafe(16)
        sealed = [cert.number, cert.kind, cert.asset_id, cert.sha256, cert.issued_at.isoformat(),
                  cert.supersedes_id, verify_key, cert.facts]
        conn.execute(sa.update(CERTIFICATE).where(CERTIFICATE.c.id == cert.id).values(
            verify_key=verify_key, seal=hmac.new(key, _canonical(sealed), "sha256").hexdigest()))
    if conn.dialect.name != "sqlite":
        for name in ("verify_key", "seal"):
            op.alter_column("certificate", name, server_default=None)


def _seal_chain(conn, key: bytes) -> None:
    """Check each row's SHA-256 link, then write its HMAC link in its place."""
    old_prev = new_prev = GENESIS
    expected = 1
    rows = conn.execute(sa.select(EVENT).order_by(EVENT.c.seq)).all()
    for row in rows:
        plain = hashlib.sha256(_canonical(_fields(row, old_prev))).hexdigest()
        if row.seq != expected or row.prev_hash != old_prev or row.hash != plain:
            raise RuntimeError(f"The audit chain is broken at event #{expected}: it cannot be "
                               "sealed under the audit key. Find out what changed it first.")
        keyed = hmac.new(key, _canonical(_fields(row, new_prev)), "sha256").hexdigest()
        conn.execute(sa.update(EVENT).where(EVENT.c.seq == row.seq).values(
            prev_hash=new_prev, hash=keyed))
        old_prev, new_prev, expected = plain, keyed, expected + 1
    conn.execute(sa.update(HEAD).values(hash=new_prev))


def downgrade():
    key = current_app.config["AUDIT_KEY"].encode()
    conn = op.get_bind()
    old_prev = new_prev = GENESIS
    for row in conn.execute(sa.select(EVENT).order_by(EVENT.c.seq)).all():
        keyed = hmac.new(key, _canonical(_fields(row, old_prev)), "sha256").hexdigest()
        if row.hash != keyed:
            raise RuntimeError(f"The audit chain is broken at event #{row.seq}.")
        plain = hashlib.sha256(_canonical(_fields(row, new_prev))).hexdigest()
        conn.execute(sa.update(EVENT).where(EVENT.c.seq == row.seq).values(
            prev_hash=new_prev, hash=plain))
        old_prev, new_prev = keyed, plain
    conn.execute(sa.update(HEAD).values(hash=new_prev))
    for name in ("seal", "verify_key"):  # SQLite 3.35+ drops a plain column in place
        op.drop_column("certificate", name)
