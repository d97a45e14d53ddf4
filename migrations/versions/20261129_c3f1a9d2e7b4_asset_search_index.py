"""Substring search over assets: an FTS5 trigram index on SQLite, pg_trgm GIN on PostgreSQL.

SQLite keeps the index in step with triggers. A later batch migration that rebuilds the
asset table on SQLite drops those triggers: such a migration must run SQLITE_TRIGGERS again.

Revision ID: c3f1a9d2e7b4
Revises: b9422478b2a8
"""
from alembic import op

revision = "c3f1a9d2e7b4"
down_revision = "b9422478b2a8"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER asset_search_insert AFTER INSERT ON asset BEGIN
         INSERT INTO asset_search (rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER asset_search_delete AFTER DELETE ON asset BEGIN
         INSERT INTO asset_search (asset_search, rowid, search_text)
         VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER asset_search_update AFTER UPDATE OF search_text ON asset BEGIN
         INSERT INTO asset_search (asset_search, rowid, search_text)
         VALUES ('delete', old.id, old.search_text);
         INSERT INTO asset_search (rowid, search_text) VALUES (new.id, new.search_text);
       END""",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_asset_search_trgm ON asset "
                   "USING gin (search_text gin_trgm_ops)")
        return
    op.execute("CREATE VIRTUAL TABLE asset_search USING fts5("
               "search_text, content='asset', content_rowid='id', tokenize='trigram')")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO asset_search (asset_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_asset_search_trgm")
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS asset_search_{name}")
    op.execute("DROP TABLE IF EXISTS asset_search")
