"""Dispute mediation's own listing: the sessions legal staff plan, across their delegation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import FIRST_DAY, LAST_DAY
from cases import dispute_store
from rules.calendar import local_day

router = APIRouter(prefix="/api/v1/disputes", tags=["disputes"])


class SessionPublic(BaseModel):
    reference: str
    state: str
    number: int
    at: datetime
    place: str
    status: str
    mediator: str | None
    parties: list[str]


@router.get("/sessions", response_model=list[SessionPublic])
def list_sessions(
    actor: ActorDep,
    db_session: SessionDep,
    now: NowDep,
    first: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY,
                                        description="first day (default: today)")] = None,
    last: Annotated[date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY,
                                       description="last day, included (default: 30 days on)")] = None,
) -> list[SessionPublic]:
    """Legal staff and managers: every mediation session of the delegation's disputes in
    the window (all delegations at headquarters), in date order."""
    rows = dispute_store.sessions(db_session=db_session, actor=actor, today=local_day(now),
                                  first=first, last=last)
    return [SessionPublic(reference=r.reference, state=r.state, number=r.number, at=r.at, place=r.place,
                          status=r.status, mediator=r.mediator, parties=list(r.parties)) for r in rows]
