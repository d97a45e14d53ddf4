"""Sign-in hardening: throttling counted before the password check, per-user session
tokens, API tokens that die with their user, and user ids SQLite never reuses.

login_throttle replaces login_failure (recent failures only: nothing worth keeping).

Every user gets a random session token, so sessions and remember-me cookies from before
this revision (which hold only the id) no longer sign in: everyone signs in again once.
On SQLite the user table is rebuilt (batch mode) to take AUTOINCREMENT; PostgreSQL's
sequences never reuse ids, so there the table is only altered.

Revision ID: ca7be39e8f39
Revises: f5d3c8e1a2b6
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "ca7be39e8f39"
down_revision = "f5d3c8e1a2b6"
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    with op.batch_alter_table("login_failure") as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_email"))
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))
        batch_op.drop_index(batch_op.f("ix_login_failure_address"))
    op.drop_table("login_failure")
    op.create_table(
        "login_throttle",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("email", "address", "scope", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_last_at"), "login_throttle", ["last_at"])

    op.add_column("user", sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("user", sa.column("id", sa.Integer()), sa.column("session_token"))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table("user", recreate="always" if _sqlite() else "auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64),
                              nullable=False)
    # Foreign keys are off while SQLite migrates: drop tokens whose user is already gone.
    op.execute('DELETE FROM api_token WHERE user_id NOT IN (SELECT id FROM "user")')
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_constraint("fk_api_token_user_id_user", type_="foreignkey")
        batch_op.create_foreign_key("fk_api_token_user_id_user", "user", ["user_id"], ["id"],
                                    ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_constraint("fk_api_token_user_id_user", type_="foreignkey")
        batch_op.create_foreign_key("fk_api_token_user_id_user", "user", ["user_id"], ["id"])
    with op.batch_alter_table("user", recreate="always" if _sqlite() else "auto",
                              table_kwargs={"sqlite_autoincrement": False}) as batch_op:
        batch_op.drop_column("session_token")
    op.drop_index(op.f("ix_login_throttle_last_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure") as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_email"), ["email"], unique=False)
