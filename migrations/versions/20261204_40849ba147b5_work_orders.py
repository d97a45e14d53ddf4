"""Work orders: work_order (the document, numbered WO-YYYY-NNNNNN, its id made where it was
opened), work_order_item (its checklist and what was found) and work_order_part (parts used,
each from the update event that recorded it).

Revision ID: 40849ba147b5
Revises: e5f7a9c1b3d2
"""
import sqlalchemy as sa
from alembic import op

revision = "40849ba147b5"
down_revision = "e5f7a9c1b3d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('work_order',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('corrective', 'preventive', 'predictive', name='workorderkind', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('priority', sa.Enum('low', 'normal', 'high', 'urgent', name='priority', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'waiting_parts', 'done', 'cancelled', name='workorderstatus', native_enum=False, length=32), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('out_of_service', sa.Boolean(), nullable=False),
    sa.Column('return_status', sa.String(length=32), nullable=True),
    sa.Column('follow_up_of_id', sa.String(length=36), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('labour_minutes', sa.Integer(), nullable=False),
    sa.Column('downtime_minutes', sa.Integer(), nullable=True),
    sa.Column('downtime_reason', sa.Text(), nullable=False),
    sa.Column('work_done', sa.Text(), nullable=False),
    sa.Column('failure', sa.Boolean(), nullable=True),
    sa.Column('cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('signature', sa.String(length=64), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_work_order_asset_id_asset')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_work_order_assignee_id_user')),
    sa.ForeignKeyConstraint(['follow_up_of_id'], ['work_order.id'], name=op.f('fk_work_order_follow_up_of_id_work_order')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_work_order_opened_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order')),
    sa.UniqueConstraint('number', name=op.f('uq_work_order_number'))
    )
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.create_index('ix_work_order_asset_status', ['asset_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_order_status'), ['status'], unique=False)

    op.create_table('work_order_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('result', sa.Enum('pass', 'fail', 'na', name='checkresult', native_enum=False, length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_work_order_item_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_item')),
    sa.UniqueConstraint('work_order_id', 'position', name=op.f('uq_work_order_item_work_order_id'))
    )
    op.create_table('work_order_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_order_id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_work_order_part_event_id_event')),
    sa.ForeignKeyConstraint(['work_order_id'], ['work_order.id'], name=op.f('fk_work_order_part_work_order_id_work_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_order_part'))
    )
    with op.batch_alter_table('work_order_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_order_part_work_order_id'), ['work_order_id'], unique=False)



def downgrade():
    with op.batch_alter_table('work_order_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_part_work_order_id'))

    op.drop_table('work_order_part')
    op.drop_table('work_order_item')
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_order_status'))
        batch_op.drop_index(batch_op.f('ix_work_order_kind'))
        batch_op.drop_index(batch_op.f('ix_work_order_assignee_id'))
        batch_op.drop_index('ix_work_order_asset_status')

    op.drop_table('work_order')
