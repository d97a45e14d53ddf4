"""The databases benchmarks run on: a temporary SQLite file, then a PostgreSQL database of
their own on the server in TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test;
skipped with a note when that default is not reachable), and the table of figures they print."""
import os
import tempfile
import uuid
from contextlib import contextmanager

import sqlalchemy as sa

from app import create_app
from app.config import database_url

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def make_app(url: str, folder: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": folder,
                       "SECRET_KEY": "bench"})


def on_each(prefix: str, run, figures: list) -> None:
    """Call run(backend, url, folder) on SQLite, then on PostgreSQL, each with a fresh
    database and instance folder, adding what it returns to `figures` as it goes (so that a
    failure on PostgreSQL still leaves SQLite's figures to print)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        figures += run("sqlite", f"sqlite:///{folder}/bench.db", folder)
    server = os.environ.get("TEST_DATABASE_URL")
    with postgres_database(server or DEFAULT_PG, required=bool(server)) as url:
        if url:
            with tempfile.TemporaryDirectory(prefix=prefix) as folder:
                figures += run("postgresql", url, folder)


def print_figures(figures: list[tuple[str, str, str]]) -> None:
    """(backend, what, figure) rows as a table."""
    width = max((len(what) for _, what, _ in figures), default=4) + 2
    print(f"\n{'backend':<13}{'what':<{width}}figure")
    for backend, what, figure in figures:
        print(f"{backend:<13}{what:<{width}}{figure}")


@contextmanager
def postgres_database(server: str, required: bool):
    """A PostgreSQL database of our own on `server`, dropped afterwards; None (and a note)
    when the default server is not there."""
    server_url = sa.make_url(database_url(server))
    name = f"tagtrail_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if required:
            raise
        print(f"\nPostgreSQL skipped: TEST_DATABASE_URL is not set and {server} is not "
              f"reachable ({str(exc.orig).strip().splitlines()[0]}).", flush=True)
        yield None
        return
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
