from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import CaseSummary, DashboardPublic
from cases import overdue
from cases.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["overdue"])


@router.get("/cases", response_model=list[CaseSummary])
def list_cases(
    actor: ActorDep,
    db_session: SessionDep,
    now: NowDep,
    overdue_only: Annotated[bool, Query(alias="overdue", description="only cases past a deadline")] = False,
    at_risk: Annotated[bool, Query(description="only cases past a warning, deadline still ahead")] = False,
    after: Annotated[str | None, Query(max_length=32, description="the last reference of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    """Open cases of the caller's delegation (all at headquarters), by reference."""
    cases = overdue.list_cases(db_session=db_session, actor=actor, now=now, overdue=overdue_only,
                               at_risk=at_risk, limit=limit, after=after)
    return [CaseSummary.of(c).model_dump() for c in cases]


@router.get("/dashboard/overdue", response_model=DashboardPublic)
def overdue_dashboard(actor: ActorDep, db_session: SessionDep, now: NowDep) -> DashboardPublic:
    """Managers: overdue and at-risk cases by delegation, workflow, officer and age."""
    if actor.role not in ("manager", "admin"):
        raise Forbidden("the overdue dashboard is for managers")
    board = overdue.dashboard(db_session=db_session, actor=actor, now=now)
    return DashboardPublic(
        overdue=board.overdue, at_risk=board.at_risk, by_delegation=dict(board.by_delegation),
        by_workflow=dict(board.by_workflow), by_officer=dict(board.by_officer),
        ageing_days={label: board.ageing.get(label, 0) for _, _, label in overdue.AGEING},
    )
