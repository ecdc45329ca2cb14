"""the case's next due instant and first warning, kept from its timers

Two columns on `case` (see cases/deadlines.py), filled from the timers in place: every
existing case gets the instants its open deadlines give it, so the lists and counts read
the same cases before and after the upgrade. The workload's index on open cases is rebuilt
to carry them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 08:00:00.000000
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import cases.types

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "closed_at IS NULL"
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
OPEN_DEADLINE = "kind = 'deadline' AND status IN ('pending', 'breached')"
FILL = f"""
UPDATE "case" SET
  next_due_at = COALESCE((SELECT MIN(t.due_at) FROM timer t
                          WHERE t.case_id = "case".id AND t.{OPEN_DEADLINE.replace(' AND ', ' AND t.')}), :never),
  at_risk_from = COALESCE((SELECT MIN(w.due_at) FROM timer w JOIN timer d
                             ON d.case_id = w.case_id AND d.deadline_key = w.deadline_key
                           WHERE w.case_id = "case".id AND w.kind = 'warning' AND w.started_at >= d.started_at
                             AND d.{OPEN_DEADLINE.replace(' AND ', ' AND d.')}), :never)
"""


def upgrade() -> None:
    # Added NOT NULL with a default, then filled: SQLite adds such a column in place, where
    # making it NOT NULL afterwards would copy the table, which its foreign keys forbid.
    bind = op.get_bind()
    never = "9999-12-31 00:00:00+00" if bind.dialect.name == "postgresql" else "9999-12-31 00:00:00.000000"
    for name in ('next_due_at', 'at_risk_from'):
        op.add_column('case', sa.Column(name, cases.types.UTCDateTime(timezone=True), nullable=False,
                                        server_default=never))
    bind.execute(sa.text(FILL).bindparams(sa.bindparam("never", NEVER, type_=cases.types.UTCDateTime())))
    if bind.dialect.name == "postgresql":
        # The default served the fill only: a row inserted without its instants must fail,
        # not stand for "nothing due". (SQLite cannot drop it without copying the table;
        # the application always writes both columns.)
        for name in ('next_due_at', 'at_risk_from'):
            op.alter_column('case', name, server_default=None)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_assignee', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_case_open_assignee',
                              ['assignee_id', 'delegation_id', 'closed_at', 'next_due_at', 'at_risk_from'],
                              unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        # the columns as written on the day of this migration (cases/models.py may move on)
        batch_op.create_index('ix_case_open_next_due',
                              ['next_due_at', 'id', 'delegation_id', 'workflow_key', 'assignee_id'],
                              unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_case_open_delegation_next_due',
                              ['delegation_id', 'next_due_at', 'id', 'workflow_key', 'assignee_id', 'at_risk_from'],
                              unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_case_open_at_risk', ['at_risk_from', 'next_due_at', 'delegation_id'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))

def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_open_at_risk', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_case_open_delegation_next_due', postgresql_where=sa.text(OPEN),
                            sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_case_open_next_due', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_case_open_assignee', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_case_open_assignee', ['assignee_id', 'delegation_id', 'closed_at'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.drop_column('case', 'at_risk_from')
    op.drop_column('case', 'next_due_at')
