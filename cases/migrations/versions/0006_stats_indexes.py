"""indexes for the managers' figures: compliance per deadline, workload per officer

Indexes only: nothing existing changes, so the upgrade cannot lose data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MET = "kind = 'deadline' AND status = 'cancelled' AND action LIKE 'escalate:%'"
DEADLINE = "kind = 'deadline' AND action LIKE 'escalate:%'"
OPEN = "closed_at IS NULL"
CLOSED = "closed_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_open_assignee', ['assignee_id', 'delegation_id', 'closed_at'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_case_closed_assignee', ['closed_at', 'assignee_id', 'delegation_id'],
                              unique=False, postgresql_where=sa.text(CLOSED), sqlite_where=sa.text(CLOSED))
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.create_index('ix_timer_deadline_met', ['fired_at', 'due_at', 'case_id', 'deadline_key'], unique=False,
                              postgresql_where=sa.text(MET), sqlite_where=sa.text(MET))
        batch_op.create_index('ix_timer_deadline_due', ['due_at', 'case_id', 'status', 'fired_at', 'deadline_key'],
                              unique=False,
                              postgresql_where=sa.text(DEADLINE), sqlite_where=sa.text(DEADLINE))


def downgrade() -> None:
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.drop_index('ix_timer_deadline_due', postgresql_where=sa.text(DEADLINE),
                            sqlite_where=sa.text(DEADLINE))
        batch_op.drop_index('ix_timer_deadline_met', postgresql_where=sa.text(MET), sqlite_where=sa.text(MET))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_closed_assignee', postgresql_where=sa.text(CLOSED), sqlite_where=sa.text(CLOSED))
        batch_op.drop_index('ix_case_open_assignee', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
