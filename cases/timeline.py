"""A cooperative's timeline: all its cases and their events, in the order they happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from cases import access
from cases.errors import NotFound
from cases.models import Case, CaseEvent, Cooperative
from workflows.spec import Actor


@dataclass(frozen=True)
class Entry:
    at: datetime
    reference: str
    workflow: str
    kind: str
    trigger: str | None
    from_state: str | None
    to_state: str | None
    actor: str
    data: dict[str, Any]


def get(*, db_session: Session, cooperative_id: int, actor: Actor, limit: int = 500) -> tuple[Cooperative, list[Entry]]:
    """The actor sees a cooperative of its delegation (headquarters: all) and, of its
    cases, those it may see."""
    coop = db_session.get(Cooperative, cooperative_id)
    if coop is None or not (access.is_headquarters(actor) or actor.delegation_id == coop.delegation_id):
        raise NotFound("cooperative", str(cooperative_id))
    rows = db_session.exec(
        select(CaseEvent, Case)
        .join(Case, col(Case.id) == CaseEvent.case_id)
        .where(col(Case.cooperative_id) == cooperative_id)
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
        .limit(limit)
    ).all()
    return coop, [
        Entry(at=e.at, reference=c.reference, workflow=c.workflow_key, kind=e.kind, trigger=e.trigger,
              from_state=e.from_state, to_state=e.to_state, actor=e.actor, data=e.data)
        for e, c in rows
        if access.can_see(actor, c)
    ]
