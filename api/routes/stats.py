"""Managers' figures: service-level compliance and the officers' workload."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import FIRST_DAY, LAST_DAY
from cases import stats

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])

DEFINITION = (
    "Deadlines that someone must meet (escalated when missed), counted in the office month in "
    "which they ended: met = the case left the deadline's states before it fell due (ended "
    "then); missed = it fell due first (ended at its due instant), whether the case was "
    "decided later or still waits. Deadlines that fire a transition (a certificate's "
    "validity, an extension window) and paused ones are not counted."
)


class TallyPublic(BaseModel):
    due: int = Field(description="deadlines that ended in the period")
    met: int = Field(description="of which met: the case moved on before the deadline")
    missed: int
    share: float | None = Field(description="met / due; null when nothing was due",
                                examples=[0.875])

    @classmethod
    def of(cls, t: stats.Tally) -> TallyPublic:
        return cls(due=t.due, met=t.met, missed=t.missed,
                   share=round(t.share, 4) if t.share is not None else None)


class ComplianceRowPublic(BaseModel):
    delegation: str = Field(examples=["AGA"])
    workflow: str = Field(examples=["name_approval"])
    month: str = Field(description="the office's month, YYYY-MM", examples=["2026-03"])
    due: int
    met: int
    missed: int
    share: float | None
    by_deadline: dict[str, TallyPublic]


class CompliancePublic(BaseModel):
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    definition: str
    total: TallyPublic
    by_delegation: dict[str, TallyPublic]
    by_workflow: dict[str, TallyPublic]
    rows: list[ComplianceRowPublic]


class LoadPublic(BaseModel):
    username: str
    full_name: str
    role: str
    delegation: str | None
    open: int = Field(description="open cases assigned")
    overdue: int = Field(description="of which past a deadline")
    at_risk: int = Field(description="of which past a warning, the deadline still ahead")
    closed_last_30_days: int


class WorkloadPublic(BaseModel):
    at: datetime
    unassigned_open: int = Field(description="open cases in view that nobody holds")
    people: list[LoadPublic]


@router.get("/compliance", response_model=CompliancePublic, response_model_by_alias=True)
def compliance(
    actor: ActorDep, db_session: SessionDep, now: NowDep,
    from_: Annotated[date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="first office day; by default the "
                                        "first day of the month five months ago")] = None,
    to: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="last office day, included; by default today")] = None,
    delegation: Annotated[str | None, Query(max_length=32, description="headquarters: one delegation")] = None,
) -> CompliancePublic:
    """Managers: the share of deadlines met, per delegation, case type and office month. A
    delegation's managers see their delegation, headquarters every one."""
    report = stats.compliance(db_session=db_session, actor=actor, now=now, start=from_, end=to,
                              delegation=delegation)
    return CompliancePublic.model_validate({
        "from": report.start, "to": report.end, "definition": DEFINITION,
        "total": TallyPublic.of(report.total),
        "by_delegation": {k: TallyPublic.of(v) for k, v in report.by_delegation.items()},
        "by_workflow": {k: TallyPublic.of(v) for k, v in report.by_workflow.items()},
        "rows": [
            ComplianceRowPublic(
                delegation=r.delegation, workflow=r.workflow, month=r.month,
                **TallyPublic.of(r.tally).model_dump(),
                by_deadline={k: TallyPublic.of(v) for k, v in sorted(r.by_deadline.items())},
            )
            for r in report.rows
        ],
    })


@router.get("/workload", response_model=WorkloadPublic)
def workload(
    actor: ActorDep, db_session: SessionDep, now: NowDep,
    delegation: Annotated[str | None, Query(max_length=32, description="headquarters: one delegation")] = None,
) -> WorkloadPublic:
    """Managers: per officer and legal staff member, open cases, overdue and at risk among
    them, and cases closed in the last 30 days."""
    load = stats.workload(db_session=db_session, actor=actor, now=now, delegation=delegation)
    return WorkloadPublic(
        at=load.now, unassigned_open=load.unassigned_open,
        people=[LoadPublic(username=p.username, full_name=p.full_name, role=p.role, delegation=p.delegation,
                           open=p.open, overdue=p.overdue, at_risk=p.at_risk,
                           closed_last_30_days=p.closed_last_30_days) for p in load.people],
    )
