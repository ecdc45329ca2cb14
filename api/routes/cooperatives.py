from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ActorDep, SessionDep
from cases import timeline

router = APIRouter(prefix="/api/v1/cooperatives", tags=["register"])


class TimelineEntry(BaseModel):
    at: datetime
    reference: str
    workflow: str
    kind: str
    trigger: str | None
    from_state: str | None
    to_state: str | None
    actor: str
    data: dict[str, Any]


class TimelinePublic(BaseModel):
    cooperative_id: int
    national_number: str
    name_ar: str
    name_fr: str
    entries: list[TimelineEntry]


@router.get("/{cooperative_id}/timeline", response_model=TimelinePublic)
def cooperative_timeline(
    cooperative_id: int, actor: ActorDep, db_session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> TimelinePublic:
    """All the cooperative's cases and their events, oldest first."""
    coop, entries = timeline.get(db_session=db_session, cooperative_id=cooperative_id, actor=actor, limit=limit)
    assert coop.id is not None
    return TimelinePublic(
        cooperative_id=coop.id, national_number=coop.national_number, name_ar=coop.name_ar,
        name_fr=coop.name_fr, entries=[TimelineEntry(**e.__dict__) for e in entries],
    )
