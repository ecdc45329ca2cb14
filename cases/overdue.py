"""Which open cases are past a deadline (overdue) or past a warning (at risk), by whom.

Both are read from the timers: a deadline is open while its row is pending or breached (an
escalated deadline whose case has not moved on). The partial index
`ix_timer_open_deadline_due` holds exactly those rows, so these queries read the overdue
rows and not the million others.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, literal_column
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases import access
from cases.models import Case, Delegation, Timer, User
from workflows.spec import Actor

OPEN_DEADLINE = ("pending", "breached")
# Days overdue, as the managers read them.
AGEING = ((0, 2, "0-2"), (3, 7, "3-7"), (8, 30, "8-30"), (31, None, "31+"))


def visible(actor: Actor) -> ColumnElement[bool]:
    if access.is_headquarters(actor) or actor.is_system:
        return col(Case.id).is_not(None)
    return col(Case.delegation_id) == actor.delegation_id


def open_deadline() -> ColumnElement[bool]:
    """Written with literals, not bound parameters: SQLite uses a partial index only when
    the query's terms match the index's own condition as written."""
    return and_(
        col(Timer.kind) == literal_column("'deadline'"),
        col(Timer.status).in_([literal_column(f"'{s}'") for s in OPEN_DEADLINE]),
    )


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """A case with an open deadline already past. Written as "id in (the overdue
    deadlines' cases)" so that the database starts from the few overdue rows of the
    partial index rather than from every case."""
    return col(Case.id).in_(
        select(Timer.case_id).where(open_deadline(), col(Timer.due_at) <= now)
    )


def at_risk_condition(now: datetime) -> ColumnElement[bool]:
    """A case whose deadline is still ahead but whose first warning has passed."""
    warning = aliased(Timer)
    return exists(
        select(Timer.id).where(
            open_deadline(),
            col(Timer.case_id) == Case.id,
            col(Timer.due_at) > now,
            exists(
                select(warning.id).where(
                    warning.case_id == Timer.case_id,
                    warning.deadline_key == Timer.deadline_key,
                    warning.kind == "warning",
                    warning.due_at <= now,
                )
            ),
        )
    )


@dataclass
class Dashboard:
    overdue: int = 0
    at_risk: int = 0
    by_delegation: Counter[str] = field(default_factory=Counter)
    by_workflow: Counter[str] = field(default_factory=Counter)
    by_officer: Counter[str] = field(default_factory=Counter)
    ageing: Counter[str] = field(default_factory=Counter)


def _bucket(days: int) -> str:
    for low, high, label in AGEING:
        if days >= low and (high is None or days <= high):
            return label
    return AGEING[-1][2]


def dashboard(*, db_session: Session, actor: Actor, now: datetime) -> Dashboard:
    """Counts of overdue cases by delegation, workflow, officer and days overdue, and of
    cases at risk. One row per overdue deadline is read, through the partial index."""
    access.require(actor, "overdue_dashboard")
    board = Dashboard()
    query = (
        select(Case.id, Delegation.code, Case.workflow_key, User.username, Timer.due_at)  # type: ignore[call-overload]
        .select_from(Case)
        .join(Timer, and_(col(Timer.case_id) == Case.id, open_deadline(), col(Timer.due_at) <= now))
        .join(Delegation, col(Delegation.id) == Case.delegation_id)
        .outerjoin(User, col(User.id) == Case.assignee_id)
        .where(visible(actor), col(Case.closed_at).is_(None))
    )
    rows = db_session.exec(query).all()
    oldest: dict[int, tuple[str, str, str, datetime]] = {}
    for case_id, delegation, workflow, officer, due in rows:
        assert case_id is not None
        if case_id not in oldest or due < oldest[case_id][3]:
            oldest[case_id] = (delegation, workflow, officer or "(unassigned)", due)
    for delegation, workflow, officer, due in oldest.values():
        board.by_delegation[delegation] += 1
        board.by_workflow[workflow] += 1
        board.by_officer[officer] += 1
        board.ageing[_bucket((now - due) // timedelta(days=1))] += 1
    board.overdue = len(oldest)
    board.at_risk = db_session.exec(
        select(func.count())
        .select_from(Case)
        .where(visible(actor), col(Case.closed_at).is_(None), at_risk_condition(now))
    ).one()
    return board
