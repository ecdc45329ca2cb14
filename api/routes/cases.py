from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, status
from sqlmodel import col, select

from api.deps import ActorDep, NowDep, SessionDep, SettingsDep
from api.schemas import (
    FIRST_DAY,
    LAST_DAY,
    MAX_ID,
    ActionRequest,
    AssignRequest,
    CaseCreate,
    CaseOpened,
    CasePage,
    CasePublic,
    CommentCreate,
    EventPublic,
    action_examples,
    case_public,
    opening_examples,
)
from cases import queries, register, service, worklists
from cases.errors import Invalid, NotFound
from cases.models import Delegation
from rules.calendar import OFFICE_TZ

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
me_router = APIRouter(prefix="/api/v1/me", tags=["cases"])

Reference = Annotated[str, Path(description="The case's reference, as on the receipt (NA-2026-000123).")]
Trigger = Annotated[str, Path(description="The step (approve, refuse...), as listed in the case's `actions`.")]


@router.get("", response_model=CasePage)
def list_cases(
    actor: ActorDep, db_session: SessionDep, now: NowDep,
    workflow: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(max_length=40)] = None,
    delegation: Annotated[str | None, Query(max_length=32, description="delegation code")] = None,
    assignee: Annotated[str | None, Query(max_length=80, description="username")] = None,
    cooperative: Annotated[int | None, Query(ge=1, le=MAX_ID, description="cooperative id")] = None,
    overdue: Annotated[bool, Query(description="only cases past a deadline")] = False,
    at_risk: Annotated[bool, Query(description="only cases past a warning, deadline still ahead")] = False,
    opened_from: Annotated[datetime | None, Query()] = None,
    opened_to: Annotated[datetime | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="a reference, or a name in Arabic or French")] = None,
    closed: Annotated[bool, Query(description="include closed cases")] = False,
    cursor: Annotated[str | None, Query(max_length=200, description="from the previous page's next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CasePage:
    """The cases the caller may see, the soonest due first, a page at a time."""
    filters = worklists.CaseFilters(
        workflow=workflow, state=state, delegation=delegation, assignee=assignee, cooperative_id=cooperative,
        overdue=overdue, at_risk=at_risk, opened_from=_aware(opened_from, "opened_from"),
        opened_to=_aware(opened_to, "opened_to"),
        text=q, include_closed=closed,
    )
    rows = worklists.list_cases(db_session=db_session, actor=actor, now=now, filters=filters, limit=limit,
                                cursor=cursor)
    return CasePage.of(rows, limit)


@me_router.get("/worklist", response_model=CasePage)
def my_worklist(
    actor: ActorDep, db_session: SessionDep, now: NowDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CasePage:
    """The signed-in person's desk: cases assigned to them and the unassigned ones of
    their delegation that their role works on, the soonest due first."""
    filters = worklists.CaseFilters(worklist_of=actor)
    rows = worklists.list_cases(db_session=db_session, actor=actor, now=now, filters=filters, limit=limit,
                                cursor=cursor)
    return CasePage.of(rows, limit)


def _aware(moment: datetime | None, name: str) -> datetime | None:
    """A date and time given without a zone is read on the office's wall clock; years out of
    the office's range are refused (an offset at year 1 or 9999 does not fit a UTC instant)."""
    if moment is None:
        return None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise Invalid([{"loc": ["query", name], "msg": f"a moment between {FIRST_DAY} and {LAST_DAY}",
                        "type": "value_error"}])
    return moment if moment.tzinfo else moment.replace(tzinfo=OFFICE_TZ)


@router.post("", response_model=CaseOpened, status_code=status.HTTP_201_CREATED)
def open_case(
    body: Annotated[CaseCreate, Body(openapi_examples=opening_examples())], actor: ActorDep, db_session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Open a case (e.g. register a name request at the counter). The answer carries the
    tracking PIN once; only its hash is kept."""
    delegation_id = None
    if body.delegation is not None:
        delegation_id = db_session.exec(
            select(Delegation.id).where(col(Delegation.code) == body.delegation)
        ).first()
        if delegation_id is None:
            raise NotFound("delegation", body.delegation)
    cooperative_id = None
    if body.cooperative is not None:
        cooperative_id = register.by_number(db_session=db_session, actor=actor, national_number=body.cooperative).id
    opened = service.open_case(
        db_session=db_session, workflow_key=body.workflow, data=body.data, actor=actor,
        now=now, settings=settings, delegation_id=delegation_id, cooperative_id=cooperative_id,
    )
    db_session.commit()
    detail = queries.case_detail(db_session=db_session, case=opened.case, actor=actor, now=now, settings=settings)
    return {**case_public(detail), "pin": opened.pin}


@router.get("/{reference}", response_model=CasePublic)
def get_case(
    reference: Reference, actor: ActorDep, db_session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """State, version, running deadlines with their legal basis, and every action from
    here, allowed or blocked with its reasons."""
    case = service.get(db_session=db_session, reference=reference, actor=actor)
    return case_public(queries.case_detail(db_session=db_session, case=case, actor=actor, now=now, settings=settings))


@router.post("/{reference}/actions/{trigger}", response_model=CasePublic)
def act(
    reference: Reference, trigger: Trigger, body: Annotated[ActionRequest, Body(openapi_examples=action_examples())],
    actor: ActorDep, db_session: SessionDep,
    settings: SettingsDep, now: NowDep,
) -> dict[str, Any]:
    """Take a step. 409 when the version is stale or the step is blocked (with reasons)."""
    case = service.act(
        db_session=db_session, reference=reference, trigger=trigger, actor=actor, data=body.data,
        expected_version=body.expected_version, now=now, settings=settings,
    )
    db_session.commit()
    return case_public(queries.case_detail(db_session=db_session, case=case, actor=actor, now=now, settings=settings))


@router.get("/{reference}/history", response_model=list[EventPublic])
def history(reference: Reference, actor: ActorDep, db_session: SessionDep) -> list[EventPublic]:
    """Who did what, when, from which state to which: append-only."""
    case = service.get(db_session=db_session, reference=reference, actor=actor)
    return [EventPublic.of(e) for e in service.history(db_session=db_session, case=case)]


@router.post("/{reference}/assign", response_model=CasePublic)
def assign(
    reference: Reference, body: AssignRequest, actor: ActorDep, db_session: SessionDep,
    settings: SettingsDep, now: NowDep,
) -> dict[str, Any]:
    """Give the case to a member of staff of its delegation (or headquarters), or take it
    back with null. Staff of the case's delegation and headquarters managers assign."""
    case = service.assign(db_session=db_session, reference=reference, assignee=body.assignee, actor=actor, now=now)
    db_session.commit()
    return case_public(queries.case_detail(db_session=db_session, case=case, actor=actor, now=now, settings=settings))


@router.post("/{reference}/comments", response_model=EventPublic, status_code=status.HTTP_201_CREATED)
def comment(
    reference: Reference, body: CommentCreate, actor: ActorDep, db_session: SessionDep, now: NowDep
) -> EventPublic:
    """A note in the case's history, by staff who may act on the case."""
    event = service.comment(db_session=db_session, reference=reference, text=body.text, actor=actor, now=now)
    db_session.commit()
    return EventPublic.of(event)
