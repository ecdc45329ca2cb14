"""Reports on the central register's incoming copies, for managers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import FIRST_DAY, LAST_DAY
from cases import registration_store
from rules.calendar import local_day

router = APIRouter(prefix="/api/v1/register", tags=["register"])


class CourtTransmissionsPublic(BaseModel):
    court: str
    received: int
    late: int
    longest_delay_days: int


@router.get("/late-transmissions", response_model=list[CourtTransmissionsPublic])
def late_transmissions(
    actor: ActorDep,
    db_session: SessionDep,
    now: NowDep,
    since: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY,
                                        description="copies received on or after this day; "
                                        "by default since 1 January")] = None,
) -> list[CourtTransmissionsPublic]:
    """Per court: copies of local registrations received, how many arrived more than 20 days
    after the local registration, and the longest delay; the courts with most late copies
    first. A delegation's managers see their delegation's filings, headquarters all."""
    start = since or date(local_day(now).year, 1, 1)
    rows = registration_store.late_transmissions_by_court(db_session=db_session, since=start, actor=actor)
    return [CourtTransmissionsPublic(court=r.court, received=r.received, late=r.late,
                                     longest_delay_days=r.longest_delay_days) for r in rows]
