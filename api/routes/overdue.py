from fastapi import APIRouter

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import DashboardPublic
from cases import overdue

router = APIRouter(prefix="/api/v1", tags=["overdue"])


@router.get("/dashboard/overdue", response_model=DashboardPublic)
def overdue_dashboard(actor: ActorDep, db_session: SessionDep, now: NowDep) -> DashboardPublic:
    """Managers: overdue and at-risk cases by delegation, workflow, officer and age."""
    board = overdue.dashboard(db_session=db_session, actor=actor, now=now)
    return DashboardPublic(
        overdue=board.overdue, at_risk=board.at_risk, by_delegation=dict(board.by_delegation),
        by_workflow=dict(board.by_workflow), by_officer=dict(board.by_officer),
        ageing_days={label: board.ageing.get(label, 0) for _, _, label in overdue.AGEING},
    )
