"""A case's open deadlines, and the two instants the lists and the dashboard sort and
count by, kept on the case row.

A deadline is *open* while its timer row is `pending` or `breached` (escalated, the case
still waiting); paused clocks and ended deadlines are not. Two instants follow from the
open deadlines and are stored on the case (`Case.next_due_at`, `Case.at_risk_from`):

- **next due**: the soonest open deadline's due instant. The case is *overdue* once it has
  passed (whichever deadline is late, the soonest one is).
- **at risk from**: the earliest first warning of an open deadline (the warning timers
  started with it). A case is *at risk* once that instant has passed while no deadline
  has: when every open deadline is still ahead, "one of them is past its first warning"
  is exactly "the earliest first warning is past".

Why stored and not computed per query: the lists put the soonest due case first and page
by it, and the managers count overdue and at-risk cases by delegation, workflow and
officer. Computed from the timers, each of those read every open deadline of the office
(about 0.45 s for a first page and 1 s for the dashboard at 1,000,000 cases, see
docs/benchmarks.md); stored, they are range scans of a partial index over open cases.

The instants are a cache of the timer rows, so every write that changes a case's open
deadlines ends with `refresh` (a step, a firing, a version migration, a holiday
correction, an extension), and `stale` finds any case where the cache and the timers
disagree (the tests run it after whole demo histories). The refresh is a plain UPDATE that
leaves the case's version alone: the cache is not the case's content, and recomputing it
must not count as a step (a holiday correction still bumps the version, because it
rewrites the due dates the case shows in its data). Where nothing is due, the far future
(`NEVER`) stands in, so that the column sorts without NULL rules that differ between
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import Update, and_, bindparam, func, literal, literal_column, or_, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases.models import NEVER, Case, Timer
from cases.types import UTCDateTime
from rules.reasons import Text

__all__ = ["NEVER", "OPEN", "at_risk", "is_never", "move", "open_deadline", "overdue", "refresh",
           "refresh_many", "stale"]

OPEN = ("pending", "breached")


def open_deadline(timer: type[Timer] | Timer = Timer) -> ColumnElement[bool]:
    """Written with literals, not bound parameters: SQLite uses a partial index only when
    the query's terms match the index's own condition as written."""
    return and_(
        col(timer.kind) == literal_column("'deadline'"),
        col(timer.status).in_([literal_column(f"'{s}'") for s in OPEN]),
    )


def is_never(instant: datetime | None) -> bool:
    return instant is None or instant >= NEVER


def overdue(now: datetime) -> ColumnElement[bool]:
    """An open case whose soonest open deadline has passed."""
    return and_(col(Case.closed_at).is_(None), col(Case.next_due_at) <= now)


def at_risk(now: datetime) -> ColumnElement[bool]:
    """An open case past the first warning of a deadline, no deadline past yet."""
    return and_(col(Case.closed_at).is_(None), col(Case.at_risk_from) <= now, col(Case.next_due_at) > now)


def _never() -> ColumnElement[datetime]:
    return literal(NEVER, UTCDateTime())


def _soonest_due() -> ColumnElement[datetime]:
    return (
        select(func.min(Timer.due_at))
        .where(col(Timer.case_id) == col(Case.id), open_deadline())
        .scalar_subquery()
    )


def _first_warning() -> ColumnElement[datetime]:
    """The earliest warning of the deadlines now open, counting only the warnings started
    with each (not those of an earlier time the case was in the same state)."""
    deadline = aliased(Timer)
    return (
        select(func.min(Timer.due_at))
        .join(deadline, and_(col(deadline.case_id) == col(Timer.case_id),
                             col(deadline.deadline_key) == col(Timer.deadline_key)))
        .where(col(Timer.case_id) == col(Case.id), col(Timer.kind) == literal_column("'warning'"),
               col(Timer.started_at) >= col(deadline.started_at), open_deadline(deadline))
        .scalar_subquery()
    )


def _values() -> dict[str, ColumnElement[datetime]]:
    """Both instants, as expressions over the case row being updated or compared."""
    return {
        "next_due_at": func.coalesce(_soonest_due(), _never()),
        "at_risk_from": func.coalesce(_first_warning(), _never()),
    }


@cache
def _refresh_one() -> Update:
    """Built once: every step runs it, and building the expression costs more than running
    it (about 2 ms a step measured with cProfile, against a fraction of that from cache)."""
    return (
        update(Case)
        .where(col(Case.id) == bindparam("case_id"))
        .values(**_values())
        .returning(col(Case.next_due_at), col(Case.at_risk_from))
        .execution_options(synchronize_session=False)
    )


def refresh(db_session: Session, case: Case) -> None:
    """Recompute the case's two instants from its timers, as stored after this step."""
    db_session.flush()
    row = db_session.execute(_refresh_one(), {"case_id": case.id}).one()
    set_committed_value(case, "next_due_at", row[0])
    set_committed_value(case, "at_risk_from", row[1])


def refresh_many(db_session: Session, case_ids: Iterable[int]) -> None:
    """The same for many cases at once (bulk loads, corrections touching many cases)."""
    ids = sorted(set(case_ids))
    db_session.flush()
    for start in range(0, len(ids), 500):
        db_session.execute(
            update(Case)
            .where(col(Case.id).in_(ids[start:start + 500]))
            .values(**_values())
            .execution_options(synchronize_session=False)
        )
    db_session.expire_all()


def stale(db_session: Session) -> list[str]:
    """References of the cases whose stored instants disagree with their timers."""
    values = _values()
    return list(db_session.exec(
        select(Case.reference).where(or_(
            col(Case.next_due_at) != values["next_due_at"],
            col(Case.at_risk_from) != values["at_risk_from"],
        )).order_by(col(Case.id))
    ))


def move(db_session: Session, deadline: Timer, new_due: datetime, *, explanation: Text) -> None:
    """Move a deadline and the warnings and reminders that hang on it (a holiday
    correction, an extension); the caller refreshes the case's instants once done."""
    old_due, start = deadline.due_at, deadline.started_at
    siblings = db_session.exec(select(Timer).where(
        col(Timer.case_id) == deadline.case_id, col(Timer.deadline_key) == deadline.deadline_key,
        col(Timer.status) == "pending", col(Timer.id) != deadline.id))
    for t in siblings:
        if t.kind == "warning":
            fraction = float(t.action.partition(":")[2])
            t.due_at = start + (new_due - start) * fraction
        else:
            t.due_at = new_due - (old_due - t.due_at)
        t.explanation_fr, t.explanation_ar = explanation.fr, explanation.ar
        db_session.add(t)
    deadline.due_at = new_due
    deadline.explanation_fr, deadline.explanation_ar = explanation.fr, explanation.ar
    db_session.add(deadline)
