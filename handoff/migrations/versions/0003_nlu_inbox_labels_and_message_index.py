"""NLU inbox: reviewers' labels of logged messages (nlu_labels) and an index of the tracker store's
user messages for filtering and paging (nlu_inbox_messages; no message text).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 22:49:53.300397
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('nlu_inbox_messages',
    sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('message_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('predicted_intent', sa.String(length=64), nullable=True),
    sa.Column('predicted_topic', sa.String(length=64), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('ranking', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('nlu_inbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_nlu_inbox_messages_confidence', ['confidence'], unique=False)
        batch_op.create_index('ix_nlu_inbox_messages_message_at', ['message_at'], unique=False)
        batch_op.create_index('ix_nlu_inbox_messages_predicted_topic', ['predicted_topic'], unique=False)

    op.create_table('nlu_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('message_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('predicted_intent', sa.String(length=64), nullable=True),
    sa.Column('predicted_topic', sa.String(length=64), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('label', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewer', sa.String(length=254), nullable=False),
    sa.Column('labelled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('redactions', sa.JSON(), nullable=False),
    sa.CheckConstraint("status = 'skipped' or label is not null", name='ck_nlu_labels_label_present'),
    sa.CheckConstraint("status in ('confirmed', 'relabelled', 'out_of_scope', 'skipped')", name='ck_nlu_labels_status'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['staff_users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', name='uq_nlu_labels_event_id')
    )
    with op.batch_alter_table('nlu_labels', schema=None) as batch_op:
        batch_op.create_index('ix_nlu_labels_labelled_at', ['labelled_at'], unique=False)
        batch_op.create_index('ix_nlu_labels_status', ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('nlu_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_nlu_labels_status')
        batch_op.drop_index('ix_nlu_labels_labelled_at')

    op.drop_table('nlu_labels')
    with op.batch_alter_table('nlu_inbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_nlu_inbox_messages_predicted_topic')
        batch_op.drop_index('ix_nlu_inbox_messages_message_at')
        batch_op.drop_index('ix_nlu_inbox_messages_confidence')

    op.drop_table('nlu_inbox_messages')
