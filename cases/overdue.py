"""Which open cases are past a deadline (overdue) or past a warning (at risk), by whom.

Both are read from the two instants each case carries (`cases/deadlines.py`): overdue once
its soonest open deadline has passed, at risk once the first warning of one has while none
has passed. The partial indexes on open cases hold those instants, so the counts read the
overdue and at-risk cases and not the million others, and the database does the counting.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases import access, deadlines, delegations
from cases.models import Case, User
from workflows.spec import Actor

# Days overdue, as the managers read them.
AGEING = ((0, 2, "0-2"), (3, 7, "3-7"), (8, 30, "8-30"), (31, None, "31+"))
UNASSIGNED = "(unassigned)"


def visible(actor: Actor) -> ColumnElement[bool]:
    if access.is_headquarters(actor) or actor.is_system:
        return col(Case.id).is_not(None)
    return col(Case.delegation_id) == actor.delegation_id


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    return deadlines.overdue(now)


def at_risk_condition(now: datetime) -> ColumnElement[bool]:
    return deadlines.at_risk(now)


@dataclass
class Dashboard:
    overdue: int = 0
    at_risk: int = 0
    by_delegation: Counter[str] = field(default_factory=Counter)
    by_workflow: Counter[str] = field(default_factory=Counter)
    by_officer: Counter[str] = field(default_factory=Counter)
    ageing: Counter[str] = field(default_factory=Counter)


def _ageing(now: datetime) -> ColumnElement[int]:
    """The index of the case's AGEING bucket: whole days since its soonest deadline fell
    due, compared as instants (`days <= high` is `due > now - (high + 1) days`)."""
    due = col(Case.next_due_at)
    return case(
        *[(due > now - timedelta(days=high + 1), i) for i, (_, high, _) in enumerate(AGEING) if high is not None],
        else_=len(AGEING) - 1,
    )


def dashboard(*, db_session: Session, actor: Actor, now: datetime) -> Dashboard:
    """Counts of overdue cases by delegation, workflow, officer and days overdue (from the
    soonest deadline that passed), and of cases at risk."""
    access.require(actor, "overdue_dashboard")
    board = Dashboard()
    # grouped by the same expression with the same named parameters, which PostgreSQL
    # accepts as the selected column
    ageing = _ageing(now).label("ageing")
    groups = db_session.execute(
        select(  # type: ignore[call-overload]
            col(Case.delegation_id), col(Case.workflow_key), col(Case.assignee_id), ageing, func.count(),
        )
        .where(visible(actor), deadlines.overdue(now))
        .group_by(col(Case.delegation_id), col(Case.workflow_key), col(Case.assignee_id), ageing)
    ).all()
    codes = delegations.codes(db_session)
    holders = {a for _, _, a, _, _ in groups if a is not None}
    names = dict(db_session.execute(
        select(User.id, User.username).where(col(User.id).in_(holders))  # type: ignore[call-overload]
    ).all()) if holders else {}
    for delegation_id, workflow, assignee_id, bucket, n in groups:
        board.by_delegation[codes[delegation_id]] += n
        board.by_workflow[workflow] += n
        board.by_officer[names[assignee_id] if assignee_id is not None else UNASSIGNED] += n
        board.ageing[AGEING[bucket][2]] += n
        board.overdue += n
    board.at_risk = db_session.execute(
        select(func.count()).select_from(Case).where(visible(actor), deadlines.at_risk(now))
    ).scalar_one()
    return board
