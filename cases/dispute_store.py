"""The persistent side of dispute mediation: who may mediate (facts for the conflict check),
what a step changes beyond the case's own row (the mediator becomes the case's assignee;
an extension moves the stage's running deadline), and the sessions legal staff plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from cases import access, deadlines
from cases.calendar import load_calendar
from cases.errors import Invalid
from cases.models import Case, Cooperative, Timer, User
from cases.settings import Settings
from rules.calendar import Counting, business_days_deadline, end_of_day, explain
from rules.disputes import DisputePolicy, Mediator
from workflows.dispute import DISPUTE, EXTENSIONS, STAGE_OF, mediator_of, participants
from workflows.engine import Outcome
from workflows.spec import SYSTEM, Actor

# The states in which a mediator is chosen: the facts are loaded only there.
CHOOSING_MEDIATOR = frozenset(
    s for t in DISPUTE.transitions if t.trigger == "assign_mediator" for s in t.source
)
# Cases of these types do not tie their officer to the cooperative: mediating one dispute
# of a cooperative does not bar mediating the next.
NOT_TYING = ("dispute",)


def policy(settings: Settings) -> DisputePolicy:
    return DisputePolicy(
        admissibility_days=settings.dispute_admissibility_days,
        mediation_days=settings.dispute_mediation_days,
        extension_days=settings.dispute_extension_days,
    )


# -- facts ------------------------------------------------------------------------------------


def _mediators(
    db_session: Session, case: Case | None, data: Mapping[str, Any], settings: Settings
) -> dict[str, Mediator]:
    """The legal staff who may take this dispute (active, of its delegation or of
    headquarters), each with the cooperatives they work with: those of the open cases
    they hold (an audit, an accompaniment programme, a registration)."""
    del data, settings
    if case is None or case.state not in CHOOSING_MEDIATOR:
        return {}
    staff = db_session.exec(
        select(User).where(
            col(User.role) == "legal", col(User.active),
            or_(col(User.delegation_id) == case.delegation_id, col(User.delegation_id).is_(None)),
        )
    ).all()
    if not staff:
        return {}
    held = db_session.exec(
        select(Case.assignee_id, Cooperative.national_number)  # type: ignore[call-overload]
        .join(Cooperative, col(Cooperative.id) == col(Case.cooperative_id))
        .where(
            col(Case.assignee_id).in_([u.id for u in staff]), col(Case.closed_at).is_(None),
            col(Case.workflow_key).not_in(NOT_TYING), col(Case.id) != case.id,
        )
    ).all()
    works_with: dict[int | None, set[str]] = {}
    for assignee_id, number in held:
        works_with.setdefault(assignee_id, set()).add(number)
    return {
        u.username: Mediator(u.username, u.full_name, tuple(sorted(works_with.get(u.id, ()))))
        for u in staff
    }


LOADERS = {"mediators": _mediators}


# -- what a step changes beyond the case's row --------------------------------------------------


def project(db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings) -> None:
    if outcome.trigger == "assign_mediator":
        _mediator_holds_the_case(db_session, case, now=now)
    elif outcome.trigger in EXTENSIONS:
        _extend(db_session, case, STAGE_OF[outcome.source], now=now, settings=settings)


def _mediator_holds_the_case(db_session: Session, case: Case, *, now: datetime) -> None:
    """The mediator is the case's assignee: it is in their work list, and the session
    reminders and deadline warnings reach them."""
    from cases.service import record_event  # cases.service imports the projections

    username = mediator_of(case.data)
    user = db_session.exec(select(User).where(col(User.username) == username)).one()
    if case.assignee_id == user.id:
        return
    case.assignee_id = user.id
    db_session.add(case)
    record_event(db_session, case, SYSTEM, now, kind="assigned", data={"assignee": username})


def _extend(db_session: Session, case: Case, stage: str, *, now: datetime, settings: Settings) -> None:
    """The stage's deadline, its warnings and its reminders move by the extension's length
    (counted from the same start, so that a holiday correction later recomputes it right);
    an escalated deadline that the extension puts back ahead runs again."""
    timer = db_session.exec(
        select(Timer).where(
            col(Timer.case_id) == case.id, col(Timer.deadline_key) == stage,
            col(Timer.kind) == "deadline", col(Timer.status).in_(("pending", "breached")),
        )
    ).one()
    _, definition = DISPUTE.deadline(stage)
    days = (timer.days or 0) + policy(settings).extension_days
    due = business_days_deadline(timer.started_at, days, load_calendar(db_session))
    deadlines.move(db_session, timer, due, explanation=explain(
        timer.started_at, days, Counting.BUSINESS_DAYS, definition.basis, due, event=definition.event,
    ))
    timer.days = days
    if timer.status == "breached" and due > now:
        timer.status, timer.fired_at, timer.claimed_by, timer.claimed_until = "pending", None, None, None
    db_session.add(timer)
    case.data = {**case.data, "due": {**case.data.get("due", {}), stage: due.isoformat()}}
    db_session.add(case)


# -- the sessions legal staff plan ----------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    reference: str
    state: str
    number: int
    at: datetime
    place: str
    status: str  # scheduled | held | cancelled
    mediator: str | None
    parties: tuple[str, ...]


DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 366


def sessions(
    *, db_session: Session, actor: Actor, today: date, first: date | None = None,
    last: date | None = None,
) -> list[SessionRow]:
    """Mediation sessions from `first` to `last`, office days both included (by default
    the next 30 days), in date order: legal staff and managers see their delegation's,
    headquarters every delegation's.

    Sessions live in their case's record; a session falls within its case's life, so only
    the cases open at some time in the window are read (a session cancelled with its case
    is not listed after the case closed)."""
    access.require(actor, "dispute_sessions")
    first = first or today
    last = last or first + timedelta(days=DEFAULT_WINDOW_DAYS)
    if not timedelta(0) <= last - first <= timedelta(days=MAX_WINDOW_DAYS):
        raise Invalid([{"loc": ["query", "to"], "type": "value_error",
                        "msg": f"the window runs forward from 'from', {MAX_WINDOW_DAYS} days at most"}])
    start, end = end_of_day(first - timedelta(days=1)), end_of_day(last)
    query = select(Case).where(
        col(Case.workflow_key) == DISPUTE.key, col(Case.opened_at) < end,
        or_(col(Case.closed_at).is_(None), col(Case.closed_at) >= start),
    )
    if not access.is_headquarters(actor):
        query = query.where(col(Case.delegation_id) == actor.delegation_id)
    rows = []
    for case in db_session.exec(query):
        for s in case.data.get("sessions", ()):
            at = datetime.fromisoformat(s["at"])
            if start <= at < end:
                rows.append(SessionRow(
                    reference=case.reference, state=case.state, number=s["no"], at=at,
                    place=s["place"], status=s["status"], mediator=mediator_of(case.data),
                    parties=tuple(participants(case.data)),
                ))
    return sorted(rows, key=lambda r: (r.at, r.reference))
