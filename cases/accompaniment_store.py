"""The persistent side of accompaniment programmes: the deadline that waits for the plan's
next due date follows that date when a step moves it (an action done, a session held or
cancelled, overdue items reminded).

The engine starts a state's deadlines when the case enters the state and keeps them, as
they were, through steps that stay in it; the plan's steps all stay in `in_progress`, so
this projection restarts the one deadline whose anchor they change, with the engine's own
planning of its timers.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cases.calendar import load_calendar
from cases.models import Case
from cases.settings import Settings
from workflows.accompaniment import ACCOMPANIMENT
from workflows.engine import Outcome

NEXT_ACTION = "next_action"
ANCHOR = "next_action_due"
_STATE, _ = ACCOMPANIMENT.deadline(NEXT_ACTION)


def project(db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings) -> None:
    if outcome.source == outcome.dest == _STATE.name and NEXT_ACTION in outcome.keep:
        follow_next_due_date(db_session, case, now=now, settings=settings)


def follow_next_due_date(db_session: Session, case: Case, *, now: datetime, settings: Settings) -> None:
    """Restart `next_action` on the plan's current next due date, if it changed; stop it
    when nothing is left to wait for."""
    from cases import service  # cases.service imports the projections

    running = [t for t in service.pending_timers(db_session=db_session, case=case)
               if t.deadline_key == NEXT_ACTION and t.kind == "deadline"]
    anchor = case.data.get(ANCHOR)
    wanted = datetime.fromisoformat(anchor) if anchor else None
    if wanted is not None and any(t.started_at == wanted for t in running):
        return
    others = {t.deadline_key for t in service.pending_timers(db_session=db_session, case=case)}
    service.cancel_timers(db_session, case, keep=frozenset(others - {NEXT_ACTION}), now=now)
    due = {k: v for k, v in case.data.get("due", {}).items() if k != NEXT_ACTION}
    if wanted is not None:
        planned = tuple(
            p for p in service.compiled(case).timers_for(
                case.state, entered_at=now, data=case.data, policy=settings.policy(),
                calendar=load_calendar(db_session),
            )
            if p.deadline_key == NEXT_ACTION
        )
        service.start_timers(db_session, case, planned)
        due |= {p.deadline_key: p.due_at.isoformat() for p in planned if p.kind == "deadline"}
    case.data = {**case.data, "due": due}
    db_session.add(case)
