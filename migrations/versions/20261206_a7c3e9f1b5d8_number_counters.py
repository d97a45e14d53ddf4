"""Number counters: the last document number taken per prefix and year, so the next one is
one row's update rather than a scan of every number that year. No rows are added here: the
first number of a prefix and year seeds its counter from the highest number already stored.

Revision ID: a7c3e9f1b5d8
Revises: a4c6e8b0d2f4
"""
import sqlalchemy as sa
from alembic import op

revision = "a7c3e9f1b5d8"
down_revision = "a4c6e8b0d2f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "number_counter",
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_number_counter")),
    )


def downgrade():
    op.drop_table("number_counter")
