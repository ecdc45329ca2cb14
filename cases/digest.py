"""The managers' morning digest: what is overdue and at risk in their delegation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import overdue
from cases.db import unit_of_work
from cases.models import Delegation, Outbox, User
from rules.calendar import local_day
from workflows.spec import Actor


def summary(board: overdue.Dashboard, language: str) -> str:
    """A plain-text body; the notification templates will dress it."""
    if language == "ar":
        lines = [f"الملفات المتأخرة: {board.overdue}", f"الملفات المهددة بالتأخر: {board.at_risk}"]
        lines += [f"- {w}: {n}" for w, n in board.by_workflow.most_common()]
        lines += [f"- {o}: {n}" for o, n in board.by_officer.most_common()]
    else:
        lines = [f"Dossiers en retard : {board.overdue}", f"Dossiers à risque : {board.at_risk}"]
        lines += [f"- {w} : {n}" for w, n in board.by_workflow.most_common()]
        lines += [f"- {o} : {n}" for o, n in board.by_officer.most_common()]
    return "\n".join(lines)


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
                queued += _queue_one(s, manager, board, day, now)
    return queued


def _queue_one(s: Session, manager: User, board: overdue.Dashboard, day: str, now: datetime) -> int:
    key = f"digest:{day}:{manager.username}"
    if s.exec(select(Outbox.id).where(col(Outbox.idempotency_key) == key)).first() is not None:
        return 0
    assert manager.email is not None
    s.add(Outbox(
        template="daily_digest", recipient="managers", channel="email", address=manager.email,
        language=manager.language, body_text=summary(board, manager.language), created_at=now,
        next_attempt_at=now, idempotency_key=key,
    ))
    return 1
