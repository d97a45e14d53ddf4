"""Steps of documents that are not assets (a purchase request approved) in the audit trail:
an event may name a document instead of an asset.

Revision ID: b5d7f9a1c3e5
Revises: a7c3e9f1b5d8
"""

import sqlalchemy as sa
from alembic import op

revision = "b5d7f9a1c3e5"
down_revision = "a7c3e9f1b5d8"
branch_labels = None
depends_on = None


# resolve_fks=False: the asset table its keys refer to is not reflected, nor so its index on
# upper(tag), which SQLAlchemy cannot reflect.
def upgrade():
    with op.batch_alter_table("event", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.alter_column("asset_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("document", sa.String(length=40), nullable=True))
        batch.create_index("ix_event_document", ["document"], unique=False)


def downgrade():
    op.execute("DELETE FROM event WHERE asset_id IS NULL")  # documents' steps have no asset
    with op.batch_alter_table("event", reflect_kwargs={"resolve_fks": False}) as batch:
        batch.drop_index("ix_event_document")
        batch.drop_column("document")
        batch.alter_column("asset_id", existing_type=sa.Integer(), nullable=False)
