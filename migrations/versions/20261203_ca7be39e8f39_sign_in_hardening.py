"""Sign-in hardening: per-user session tokens, API tokens that die with their user, and
user ids SQLite never reuses.

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
