"""Read models: what a person looking at a case needs, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cases import service
from cases.models import Case, Delegation, Timer, User
from cases.settings import Settings
from rules.reasons import Text
from workflows.engine import ActionOption
from workflows.spec import Actor


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    title: Text
    state_title: Text
    delegation: str
    assignee: str | None
    timers: list[Timer]
    actions: list[ActionOption]


def case_detail(
    *, db_session: Session, case: Case, actor: Actor, now: datetime, settings: Settings
) -> CaseDetail:
    wf = service.compiled(case).workflow
    delegation = db_session.get(Delegation, case.delegation_id)
    assignee = db_session.get(User, case.assignee_id) if case.assignee_id else None
    return CaseDetail(
        case=case,
        title=wf.title,
        state_title=wf.state(case.state).title,
        delegation=delegation.code if delegation else "",
        assignee=assignee.username if assignee else None,
        timers=service.pending_timers(db_session=db_session, case=case),
        actions=service.available_actions(
            db_session=db_session, case=case, actor=actor, now=now, settings=settings
        ),
    )
