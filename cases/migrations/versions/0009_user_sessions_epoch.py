"""accounts carry a sessions epoch: a password reset or a deactivation refuses older tokens

One integer column, 0 for every existing account (the epoch tokens signed before this
migration are read as), added in place on both databases: nothing is lost.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 08:45:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('app_user', sa.Column('sessions_epoch', sa.Integer(), nullable=False, server_default=sa.text('0')))


def downgrade() -> None:
    op.drop_column('app_user', 'sessions_epoch')
