"""The managers' morning digest: what is overdue and at risk in their delegation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import outbox, overdue
from cases.db import unit_of_work
from cases.models import Delegation, Outbox, User
from rules.calendar import local_day
from workflows.registry import REGISTRY
from workflows.spec import Actor


def context(board: overdue.Dashboard, delegation: Delegation, language: str, now: datetime) -> dict[str, Any]:
    """What the `daily_digest` template tells, in the manager's language."""
    lang: Any = language
    return {
        "office": outbox.OFFICE.in_(lang),
        "delegation": delegation.name_ar if language == "ar" else delegation.name_fr,
        "today": local_day(now),
        "overdue": board.overdue,
        "at_risk": board.at_risk,
        "by_workflow": [(REGISTRY.get(key).workflow.title.in_(lang), n)
                        for key, n in board.by_workflow.most_common()],
        "by_officer": board.by_officer.most_common(),
    }


def queue_daily(*, engine: Engine, now: datetime) -> int:
    """One digest per manager per day (idempotent: a second run the same day adds none)."""
    day = local_day(now).isoformat()
    queued = 0
    with unit_of_work(engine) as s:
        for delegation in s.exec(select(Delegation)):
            managers = list(s.exec(select(User).where(
                col(User.role) == "manager", col(User.active), col(User.delegation_id) == delegation.id,
                col(User.email).is_not(None))))
            if not managers:
                continue
            viewer = Actor(username="digest", role="manager", delegation_id=delegation.id)
            board = overdue.dashboard(db_session=s, actor=viewer, now=now)
            if not (board.overdue or board.at_risk):
                continue
            for manager in managers:
                queued += _queue_one(s, manager, delegation, board, day, now)
    return queued


def _queue_one(
    s: Session, manager: User, delegation: Delegation, board: overdue.Dashboard, day: str,
    now: datetime,
) -> int:
    key = f"digest:{day}:{manager.username}"
    if s.exec(select(Outbox.id).where(col(Outbox.idempotency_key) == key)).first() is not None:
        return 0
    assert manager.email is not None
    s.add(outbox.message(
        template="daily_digest", recipient="managers", channel="email", address=manager.email,
        language=manager.language, now=now, key=key,
        context={**context(board, delegation, manager.language, now), "recipient_name": manager.full_name},
    ))
    return 1
