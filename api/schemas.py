"""What the API accepts and answers: `XCreate`/`XPublic` shapes, built from the service
layer's results. No logic here beyond shaping."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from cases.models import CaseEvent, Timer
from cases.queries import CaseDetail
from cases.worklists import Row, encode_cursor
from rules.reasons import Basis, Reason
from workflows.engine import ActionOption
from workflows.registry import REGISTRY

# Row ids are INTEGER columns (32 bits on PostgreSQL): a larger number is refused (422) at the
# edge, before the database refuses to compare it (PostgreSQL: "integer out of range"; SQLite
# cannot even bind one past 64 bits).
MAX_ID = 2**31 - 1

# The days the office may be asked about: wide enough for any register entry or deadline,
# narrow enough that counting periods from them never falls off the calendar (OverflowError).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


class BilingualText(BaseModel):
    fr: str
    ar: str


class BasisPublic(BaseModel):
    code: str
    fr: str
    ar: str


class ReasonPublic(BaseModel):
    code: str
    message: BilingualText
    basis: BasisPublic | None = None

    @classmethod
    def of(cls, reason: Reason) -> ReasonPublic:
        return cls.model_validate(reason.as_dict())


class ActionPublic(BaseModel):
    trigger: str
    title: BilingualText
    dest: str
    allowed: bool
    reasons: list[ReasonPublic]
    data_schema: dict[str, Any] | None = None

    @classmethod
    def of(cls, o: ActionOption) -> ActionPublic:
        return cls(
            trigger=o.trigger, title=BilingualText(**o.title.as_dict()), dest=o.dest,
            allowed=o.allowed, reasons=[ReasonPublic.of(r) for r in o.reasons],
            data_schema=o.data_schema,
        )


class DeadlinePublic(BaseModel):
    key: str
    kind: str
    due_at: datetime
    counting: str
    on_due: str
    basis: BasisPublic
    explanation: BilingualText

    @classmethod
    def of(cls, t: Timer) -> DeadlinePublic:
        basis = Basis.parse(t.basis)
        return cls(
            key=t.deadline_key, kind=t.kind, due_at=t.due_at, counting=t.counting,
            on_due=t.action, basis=BasisPublic(code=t.basis, **basis.label.as_dict()),
            explanation=BilingualText(fr=t.explanation_fr, ar=t.explanation_ar),
        )


class CaseCreate(BaseModel):
    """Open a case: its type, and the opening data its definition asks for (each case type's
    `data` schema, with an example, is its `opening_schema` in `GET /api/v1/workflows`; this
    operation's examples show one request per case type)."""

    model_config = {"json_schema_extra": {"examples": [
        {"workflow": "name_approval", "data": {
            "names": ["تعاونية تيفاوين لإنتاج زيت الأركان", "Coopérative Tifawin Argan"],
            "founders": ["Fatima Ait Lahcen", "Aicha Oubella", "Khadija Amrani", "Zahra Boutaleb",
                         "Malika Id Bella"],
            "sector": "agriculture", "purpose": "production et commercialisation de l'huile d'argan",
            "province": "Tiznit",
            "applicant": {"full_name": "Fatima Ait Lahcen", "email": "fatima@example.ma",
                          "phone": "0612345678", "language": "ar"},
        }},
    ]}}

    workflow: str = Field(examples=["name_approval"])
    delegation: str | None = Field(
        default=None, description="Delegation code; only headquarters staff choose it."
    )
    cooperative: str | None = Field(
        default=None, max_length=32, description="National number of the cooperative the case is about.",
        examples=[None],
    )
    data: dict[str, Any] = Field(
        examples=[{
            "names": ["تعاونية تيفاوين لإنتاج زيت الأركان", "Coopérative Tifawin Argan"],
            "founders": ["Fatima Ait Lahcen", "Aicha Oubella", "Khadija Amrani",
                         "Zahra Boutaleb", "Malika Id Bella"],
            "sector": "agriculture",
            "purpose": "production et commercialisation de l'huile d'argan",
            "province": "Tiznit",
            "applicant": {"full_name": "Fatima Ait Lahcen", "email": "fatima@example.ma",
                          "phone": "0612345678", "language": "ar"},
        }]
    )


class CasePublic(BaseModel):
    reference: str
    workflow: str
    workflow_version: int
    title: BilingualText
    state: str
    state_title: BilingualText
    version: int
    delegation: str
    assignee: str | None
    data: dict[str, Any]
    opened_at: datetime
    closed_at: datetime | None
    deadlines: list[DeadlinePublic]
    actions: list[ActionPublic]


class CaseOpened(CasePublic):
    pin: str = Field(description="The tracking PIN, shown once on the receipt.")


class ActionRequest(BaseModel):
    expected_version: int = Field(ge=1, description="The version the officer was looking at.")
    data: dict[str, Any] = Field(default_factory=dict)

    model_config = {"json_schema_extra": {"examples": [{"expected_version": 1, "data": {}}]}}


class AssignRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"assignee": "officer.agadir2"}, {"assignee": None}]}}

    assignee: str | None = Field(description="Username, or null to unassign.", examples=["officer.agadir2"])


class CommentCreate(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"text": "Pièces vérifiées au guichet."}]}}

    text: str = Field(min_length=1, max_length=5000, examples=["Pièces vérifiées au guichet."])


class EventPublic(BaseModel):
    seq: int
    at: datetime
    actor: str
    kind: str
    trigger: str | None
    from_state: str | None
    to_state: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: CaseEvent) -> EventPublic:
        return cls(seq=e.seq, at=e.at, actor=e.actor, kind=e.kind, trigger=e.trigger,
                   from_state=e.from_state, to_state=e.to_state, data=e.data)


class NameCheckRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [
        {"names": ["تعاونية الأمل", "Coopérative Tifawin Argan"], "sector": "agriculture"},
    ]}}

    names: list[Annotated[str, Field(min_length=1, max_length=250)]] = Field(min_length=1, max_length=3,
                             examples=[["تعاونية الأمل", "Coopérative Tifawin Argan"]])
    sector: str | None = Field(default=None, max_length=100)


class NameMatchPublic(BaseModel):
    name: str
    source: Literal["register", "certificate"]
    ref: str
    score: float


class NameVerdictPublic(BaseModel):
    name: str
    status: Literal["available", "same_as", "too_like", "invalid"]
    sensitive: list[str]
    reasons: list[ReasonPublic]
    matches: list[NameMatchPublic]


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class MePublic(BaseModel):
    username: str
    role: str
    delegation_id: int | None


def case_public(d: CaseDetail) -> dict[str, Any]:
    case = d.case
    return {
        "reference": case.reference, "workflow": case.workflow_key,
        "workflow_version": case.workflow_version, "title": d.title.as_dict(),
        "state": case.state, "state_title": d.state_title.as_dict(), "version": case.version,
        "delegation": d.delegation, "assignee": d.assignee, "data": case.data,
        "opened_at": case.opened_at, "closed_at": case.closed_at,
        "deadlines": [DeadlinePublic.of(t) for t in d.timers if t.kind == "deadline"],
        "actions": [ActionPublic.of(a) for a in d.actions],
    }


class CaseSummary(BaseModel):
    reference: str
    workflow: str
    title: BilingualText = Field(description="the case type")
    state: str
    state_title: BilingualText
    delegation: str
    assignee: str | None
    version: int
    opened_at: datetime
    closed_at: datetime | None
    next_due: datetime | None = Field(description="the soonest running deadline")
    overdue: bool = Field(description="a deadline has passed")
    at_risk: bool = Field(description="past a deadline's first warning, no deadline passed yet")

    @classmethod
    def of(cls, row: Row) -> CaseSummary:
        case = row.case
        workflow = REGISTRY.get(case.workflow_key, case.workflow_version).workflow
        return cls(reference=case.reference, workflow=case.workflow_key,
                   title=BilingualText(**workflow.title.as_dict()), state=case.state,
                   state_title=BilingualText(**workflow.state(case.state).title.as_dict()),
                   delegation=row.delegation, assignee=row.assignee, version=case.version,
                   opened_at=case.opened_at, closed_at=case.closed_at, next_due=row.next_due,
                   overdue=row.overdue, at_risk=row.at_risk)


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="pass it as `cursor` for the next page; null at the end")

    @classmethod
    def of(cls, rows: list[Row], limit: int) -> CasePage:
        return cls(items=[CaseSummary.of(r) for r in rows],
                   next_cursor=encode_cursor(rows[-1]) if len(rows) == limit else None)


class DashboardPublic(BaseModel):
    overdue: int
    at_risk: int
    by_delegation: dict[str, int]
    by_workflow: dict[str, int]
    by_officer: dict[str, int]
    ageing_days: dict[str, int] = Field(description="overdue cases by days past their deadline")


class ClockMove(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"days": 61, "hours": 0}]}}

    days: float = Field(default=0, ge=0, le=3660, examples=[61])
    hours: float = Field(default=0, ge=0, le=24 * 3660)


class ClockPublic(BaseModel):
    now: datetime
    fired: int


# -- examples for the OpenAPI document, drawn from the definitions themselves ----------------------

EXAMPLE_COOPERATIVE = "2019/1/000123"
# Case types about a cooperative already on the register (a name request and a registration
# come before it).
_NO_COOPERATIVE = ("name_approval", "registration")


def opening_examples() -> dict[str, dict[str, Any]]:
    """`POST /api/v1/cases`: one example per case type, from its opening model's examples."""
    out: dict[str, dict[str, Any]] = {}
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        if wf.opening is None:
            continue
        for data in wf.opening.model_json_schema().get("examples", [])[:1]:
            body: dict[str, Any] = {"workflow": wf.key, "data": data}
            if wf.key not in _NO_COOPERATIVE:
                body["cooperative"] = EXAMPLE_COOPERATIVE
            out[wf.key] = {"summary": f"{wf.title.fr} — {wf.title.ar}", "value": body}
    return out


def action_examples() -> dict[str, dict[str, Any]]:
    """`POST .../actions/{trigger}`: one example per step people take, from its data model."""
    out: dict[str, dict[str, Any]] = {}
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        for t in wf.transitions:
            if t.roles <= {"system"}:
                continue
            examples = t.data.model_json_schema().get("examples", [{}]) if t.data else [{}]
            out[f"{wf.key}.{t.trigger}"] = {
                "summary": f"{wf.key} / {t.trigger}: {t.title.fr}",
                "value": {"expected_version": 3, "data": examples[0]},
            }
    return out
