"""Lists of cases as officers and managers work them: filtered, the most urgent first, and
paged by a cursor so that a page never repeats or skips a case when others are opened
meanwhile (keyset pagination on the next due date and the case id)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases import deadlines, delegations, overdue
from cases.errors import Invalid
from cases.models import Case, Cooperative, Delegation, NameEntry, User
from rules.names import same_as_key, translit_key
from workflows.registry import REGISTRY
from workflows.spec import Actor


@dataclass(frozen=True)
class CaseFilters:
    workflow: str | None = None
    state: str | None = None
    delegation: str | None = None
    assignee: str | None = None
    cooperative_id: int | None = None
    overdue: bool = False
    at_risk: bool = False
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    text: str | None = None
    include_closed: bool = False
    worklist_of: Actor | None = None


@dataclass(frozen=True)
class Row:
    """A case as a list shows it: who holds it, where, and how it stands against time."""

    case: Case
    next_due: datetime | None
    delegation: str
    assignee: str | None
    overdue: bool
    at_risk: bool


def encode_cursor(row: Row) -> str:
    due = row.case.next_due_at.isoformat()
    return base64.urlsafe_b64encode(json.dumps([due, row.case.id]).encode()).decode()


def _decode(cursor: str) -> tuple[datetime, int]:
    """A cursor comes back from the caller: anything but what `encode_cursor` wrote (a
    zoned instant and an id the database can hold) is refused, never a 500."""
    try:
        due, case_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        moment, number = datetime.fromisoformat(due), int(case_id)
        if moment.tzinfo is None or not 0 <= number < 2**63:
            raise ValueError("not a cursor")
        return moment.astimezone(UTC), number
    except (ValueError, TypeError, OverflowError) as exc:
        raise Invalid([{"loc": ["cursor"], "msg": "not a cursor this list gave"}]) from exc


def list_cases(
    *, db_session: Session, actor: Actor, now: datetime, filters: CaseFilters, limit: int = 50,
    cursor: str | None = None,
) -> list[Row]:
    due = col(Case.next_due_at)
    query = select(Case).where(overdue.visible(actor))
    for condition in _conditions(filters, now):
        query = query.where(condition)
    if cursor:
        after_due, after_id = _decode(cursor)
        query = query.where(or_(due > after_due, and_(due == after_due, col(Case.id) > after_id)))
    cases = db_session.exec(query.order_by(due, col(Case.id)).limit(limit)).all()
    return _rows(db_session, list(cases), now)


def _rows(db_session: Session, cases: list[Case], now: datetime) -> list[Row]:
    """Names for the page's delegations and holders, read once per page, not per case."""
    holders = {c.assignee_id for c in cases if c.assignee_id is not None}
    usernames = dict(db_session.execute(
        select(User.id, User.username).where(col(User.id).in_(holders))  # type: ignore[call-overload]
    ).all()) if holders else {}
    codes = delegations.codes(db_session)
    return [
        Row(case=c, next_due=None if deadlines.is_never(c.next_due_at) else c.next_due_at,
            delegation=codes[c.delegation_id],
            assignee=usernames.get(c.assignee_id) if c.assignee_id is not None else None,
            overdue=c.closed_at is None and c.next_due_at <= now,
            at_risk=c.closed_at is None and c.at_risk_from <= now < c.next_due_at)
        for c in cases
    ]


def _conditions(f: CaseFilters, now: datetime) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if not f.include_closed:
        out.append(col(Case.closed_at).is_(None))
    if f.workflow:
        out.append(col(Case.workflow_key) == f.workflow)
    if f.state:
        out.append(col(Case.state) == f.state)
    if f.delegation:
        out.append(col(Case.delegation_id).in_(select(Delegation.id).where(col(Delegation.code) == f.delegation)))
    if f.assignee:
        out.append(col(Case.assignee_id).in_(select(User.id).where(col(User.username) == f.assignee)))
    if f.cooperative_id is not None:
        out.append(col(Case.cooperative_id) == f.cooperative_id)
    if f.overdue:
        out.append(overdue.overdue_condition(now))
    if f.at_risk:
        out.append(overdue.at_risk_condition(now))
    if f.opened_from:
        out.append(col(Case.opened_at) >= f.opened_from)
    if f.opened_to:
        out.append(col(Case.opened_at) < f.opened_to)
    if f.text and f.text.strip():
        out.append(_text_condition(f.text.strip()))
    if f.worklist_of is not None:
        out.append(_worklist_condition(f.worklist_of))
    return out


def _worklist_condition(actor: Actor) -> ColumnElement[bool]:
    """What is on a person's desk: the cases assigned to them, and the unassigned cases of
    the case types their role takes steps in (legal staff: disputes)."""
    kinds = [c.workflow.key for c in REGISTRY.latest()
             if any(actor.role in t.roles for t in c.workflow.transitions)]
    return or_(
        col(Case.assignee_id) == actor.id,
        and_(col(Case.assignee_id).is_(None), col(Case.workflow_key).in_(kinds)),
    )


def _text_condition(text: str) -> ColumnElement[bool]:
    """A reference, or a name in Arabic or French (proposed, granted or registered),
    normalised as the name rules normalise it."""
    options = [col(Case.reference) == text.upper()]
    key, tkey = same_as_key(text), translit_key(text)
    if key or tkey:
        names = select(NameEntry.cooperative_id, NameEntry.case_id).where(or_(
            *([col(NameEntry.same_key).contains(key, autoescape=True)] if key else []),
            *([col(NameEntry.translit_key).contains(tkey, autoescape=True)] if tkey else []),
        )).subquery()
        options.append(col(Case.cooperative_id).in_(select(names.c.cooperative_id)))
        options.append(col(Case.id).in_(select(names.c.case_id)))
    options.append(col(Case.cooperative_id).in_(
        select(Cooperative.id).where(col(Cooperative.national_number) == text)))
    return or_(*options)
