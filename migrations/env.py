"""Alembic environment: runs the revisions against the app's database (Flask-Migrate)."""
import logging

from alembic import context
from flask import current_app

log = logging.getLogger("alembic.env")
config = context.config
db = current_app.extensions["migrate"].db


def _skip_empty(context_, revision, directives):
    # `flask db migrate` with no model change should not write an empty revision.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


# Search indexes live outside the models (FTS5 tables, a pg_trgm index): never diff them.
UNMODELLED = ("asset_search", "ix_asset_search_trgm")


def include_name(name, type_, parent_names) -> bool:
    return not (name or "").startswith(UNMODELLED)


def run_offline() -> None:
    context.configure(url=str(db.engine.url).replace("%", "%%"), target_metadata=db.metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", _skip_empty)
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy and drop tables; with foreign keys enforced that would
            # fail or cascade. The pragma only works outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=db.metadata,
                          include_name=include_name, **args)
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")  # back to what the app expects


if context.is_offline_mode():
    run_offline()
else:
    run_online()
