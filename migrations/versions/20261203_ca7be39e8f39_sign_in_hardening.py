"""Sign-in hardening: API tokens die with their user, and SQLite never reuses a user id.

On SQLite the user table is rebuilt (batch mode) to take AUTOINCREMENT; PostgreSQL's
sequences never reuse ids, so there the table is only altered.

Revision ID: ca7be39e8f39
Revises: f5d3c8e1a2b6
"""
import sqlalchemy as sa
from alembic import op

revision = "ca7be39e8f39"
down_revision = "f5d3c8e1a2b6"
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    with op.batch_alter_table("user", recreate="always" if _sqlite() else "auto",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass
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
                              table_kwargs={"sqlite_autoincrement": False}):
        pass
