"""Audits: the managers' planning list, ordered by risk, and planning one control from it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from api.deps import ActorDep, NowDep, SessionDep, SettingsDep
from api.schemas import FIRST_DAY, LAST_DAY, BilingualText, CasePublic, case_public
from cases import audit_store, queries

router = APIRouter(prefix="/api/v1/audits", tags=["audits"])


class RiskFactorPublic(BaseModel):
    text: BilingualText
    points: int


class PlanningLine(BaseModel):
    rank: int
    cooperative_id: int
    national_number: str
    name_fr: str
    name_ar: str
    delegation_id: int
    score: int = Field(description="0 to 100, higher first (rules.audits.risk_score)")
    explanation: BilingualText
    factors: list[RiskFactorPublic]
    overdue_assemblies: int
    late_filings: int
    open_disputes: int
    past_findings: int
    years_since_last_audit: float | None
    members: int


class AuditPlan(BaseModel):
    model_config = {"json_schema_extra": {"examples": [
        {"national_number": "2019/1/000123", "planned_for": "2026-05-01",
         "scope": "gestion, comptes et fonctionnement des organes"},
    ]}}

    national_number: str = Field(min_length=5, max_length=32, examples=["2019/1/000123"])
    planned_for: date = Field(ge=FIRST_DAY, le=LAST_DAY, description="Any day of the month of the fieldwork.")
    scope: str | None = Field(default=None, min_length=3, max_length=500)


@router.get("/planning", response_model=list[PlanningLine])
def planning(
    actor: ActorDep, db_session: SessionDep, settings: SettingsDep, now: NowDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[PlanningLine]:
    """Managers: the active cooperatives of their delegation (all at headquarters) with no
    control under way, highest risk first, each score with the factors that make it."""
    entries = audit_store.planning(db_session, actor=actor, now=now, settings=settings, limit=limit)
    return [
        PlanningLine(
            rank=rank, cooperative_id=e.cooperative_id, national_number=e.national_number,
            name_fr=e.name_fr, name_ar=e.name_ar, delegation_id=e.delegation_id,
            score=e.score.score, explanation=BilingualText(**e.score.explanation.as_dict()),
            factors=[RiskFactorPublic(text=BilingualText(**t.as_dict()), points=p)
                     for t, p in e.score.factors],
            overdue_assemblies=e.record.overdue_assemblies, late_filings=e.record.late_filings,
            open_disputes=e.record.open_disputes, past_findings=e.record.past_findings,
            years_since_last_audit=e.record.years_since_last_audit, members=e.record.members,
        )
        for rank, e in enumerate(entries, start=1)
    ]


@router.post("", response_model=CasePublic, status_code=status.HTTP_201_CREATED)
def plan(
    body: AuditPlan, actor: ActorDep, db_session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Managers: open the control of one cooperative, keeping the score that chose it."""
    case = audit_store.plan_audit(
        db_session, national_number=body.national_number, planned_for=body.planned_for,
        actor=actor, now=now, settings=settings, scope=body.scope,
    )
    db_session.commit()
    detail = queries.case_detail(db_session=db_session, case=case, actor=actor, now=now, settings=settings)
    return case_public(detail)
