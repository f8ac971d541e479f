"""Referral service tables: lawyers (+ practice areas, licences), leads, lead history, lead notes.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 22:35:15.296094
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lawyers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('firm', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('reduced_fee', sa.Boolean(), nullable=False),
    sa.Column('is_legal_aid', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0', name='ck_lawyers_capacity_nonnegative'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email', name='uq_lawyers_email')
    )
    op.create_table('lawyer_licenses',
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lawyer_id', 'state')
    )
    with op.batch_alter_table('lawyer_licenses', schema=None) as batch_op:
        batch_op.create_index('ix_lawyer_licenses_state', ['state'], unique=False)

    op.create_table('lawyer_practice_areas',
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lawyer_id', 'topic')
    )
    with op.batch_alter_table('lawyer_practice_areas', schema=None) as batch_op:
        batch_op.create_index('ix_lawyer_practice_areas_topic', ['topic'], unique=False)

    op.create_table('leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('nlu_confidence', sa.Float(), nullable=True),
    sa.Column('handoff_reason', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('opposing_party', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('zip', sa.String(length=5), nullable=True),
    sa.Column('preferred_contact', sa.String(length=8), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('consent_version', sa.String(length=32), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('queue', sa.String(length=16), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('lost_reason', sa.String(length=500), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pii_deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key', name='uq_leads_idempotency_key')
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leads_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_handoff_reason'), ['handoff_reason'], unique=False)
        batch_op.create_index('ix_leads_lawyer_status', ['lawyer_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_queue'), ['queue'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_state'), ['state'], unique=False)
        batch_op.create_index('ix_leads_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_leads_topic'), ['topic'], unique=False)

    op.create_table('lead_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=True),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lead_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_history_lead_id'), ['lead_id'], unique=False)

    op.create_table('lead_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('lead_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_notes_lead_id'), ['lead_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lead_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_notes_lead_id'))

    op.drop_table('lead_notes')
    with op.batch_alter_table('lead_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_history_lead_id'))

    op.drop_table('lead_history')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_topic'))
        batch_op.drop_index('ix_leads_status_created_at')
        batch_op.drop_index(batch_op.f('ix_leads_state'))
        batch_op.drop_index(batch_op.f('ix_leads_queue'))
        batch_op.drop_index('ix_leads_lawyer_status')
        batch_op.drop_index(batch_op.f('ix_leads_handoff_reason'))
        batch_op.drop_index(batch_op.f('ix_leads_created_at'))
        batch_op.drop_index(batch_op.f('ix_leads_conversation_id'))

    op.drop_table('leads')
    with op.batch_alter_table('lawyer_practice_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_lawyer_practice_areas_topic')

    op.drop_table('lawyer_practice_areas')
    with op.batch_alter_table('lawyer_licenses', schema=None) as batch_op:
        batch_op.drop_index('ix_lawyer_licenses_state')

    op.drop_table('lawyer_licenses')
    op.drop_table('lawyers')
