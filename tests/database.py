"""The test database: a migrated SQLite file, or a PostgreSQL database made for this run when
TEST_DATABASE_URL is set; emptied between tests."""
import os
import uuid
from contextlib import contextmanager

import sqlalchemy as sa

from app.config import database_url


@contextmanager
def test_database(tmp_dir):
    """Yield a database URL that exists for the duration of the block."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_dir / 'test.db'}"
        return
    server = sa.make_url(database_url(server))
    name = f"tagtrail_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def empty_tables(db) -> None:
    """Delete every row, keeping the schema the migrations made; reset the chain head."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                 + " RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
        conn.exec_driver_sql("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '"
                             + "0" * 64 + "')")
