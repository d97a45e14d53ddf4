"""A work order's repair estimate, which the repair-or-replace decision weighs.

Revision ID: a4c6e8b0d2f4
Revises: f8b2d4a6c1e3
"""

import sqlalchemy as sa
from alembic import op

revision = "a4c6e8b0d2f4"
down_revision = "f8b2d4a6c1e3"
branch_labels = None
depends_on = None


# resolve_fks=False: the asset table its keys refer to is not reflected, nor so its index on
# upper(tag), which SQLAlchemy cannot reflect.
def upgrade():
    with op.batch_alter_table("work_order", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.add_column(sa.Column("estimate", sa.Numeric(12, 2), nullable=True))


def downgrade():
    with op.batch_alter_table("work_order", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.drop_column("estimate")
