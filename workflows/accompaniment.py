"""Accompaniment programme with training: the office's own service to cooperatives.

No article of the law applies: the programme is office practice, and every period is an
office setting. The office diagnoses the cooperative's needs (organisation, management,
accounting, marketing), agrees with it a development plan of dated, owned actions and
training sessions, records each session held with its attendance and evaluates it, then
makes a final evaluation (every session evaluated first) and files its report. The
cooperative may abandon the programme at any stage.

Overdue actions: one deadline, `next_action`, runs on the earliest due date among the plan's
open items (actions not done, sessions neither held nor cancelled) not yet reminded. When it
falls due the scheduler records every item then overdue and the officer holding the
programme is told; the deadline then moves to the next due date. A deadline per action
cannot be written as data (a state's deadlines are fixed, a plan's actions are not), and a
periodic check would write to the officer every week whether anything is late or not: this
one fires exactly when an item falls overdue. The deadline's anchor is the plan's next due
date (`next_action_due`); `cases.accompaniment_store` restarts it when a step changes that date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rules import accompaniment
from rules.accompaniment import Area, PlanAction, Progress
from rules.calendar import OFFICE_TZ, local_day
from rules.reasons import Reason, Text, internal, tr
from workflows.name_approval import Applicant
from workflows.spec import (
    FULL_DAYS,
    Context,
    Deadline,
    Guard,
    Setting,
    State,
    Workflow,
    fire,
    service_level,
    to,
    transition,
)

OFFICERS = {"officer", "manager"}
OPEN_STATES = ("diagnosis", "planning", "in_progress", "evaluated")


# -- the data each step needs -------------------------------------------------------------


class ProgrammeRequest(BaseModel):
    """The cooperative's request to join a programme (the cooperative is the case's own)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "motive": "Tenue de la comptabilité et préparation des états financiers",
            "applicant": {
                "full_name": "Coopérative Tifawin",
                "email": "tifawin@example.ma",
                "language": "fr",
            },
        },
    ]})

    motive: str = Field(min_length=5, max_length=4000, examples=["Tenue de la comptabilité"])
    applicant: Applicant = Field(description="The cooperative's contact for the programme.")


class Diagnosis(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "areas": ["accounting", "marketing"],
            "findings": "Pas de comptabilité tenue depuis 2024 ; ventes limitées au souk local.",
        },
    ]})

    areas: list[Area] = Field(min_length=1, max_length=4, description="The needs found.")
    findings: str = Field(min_length=10, max_length=20000)


class ActionIn(BaseModel):
    """One action of the plan. Area, due date and owner may be left out here, so that the
    plan's check can say what each action lacks."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "title": "Mettre en place un journal de caisse",
            "area": "accounting",
            "due_on": "2026-05-31",
            "owner": "La trésorière",
        },
    ]})

    title: str = Field(min_length=2, max_length=300)
    area: str | None = Field(default=None, max_length=40)
    due_on: date | None = None
    owner: str | None = Field(default=None, max_length=200)


class SessionIn(BaseModel):
    """A training session of the plan: its planned day is its due date, its trainer its owner."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "title": "Formation à la tenue des comptes",
            "area": "accounting",
            "planned_on": "2026-04-15",
            "trainer": "Cabinet Atlas Conseil",
            "invited": 12,
        },
    ]})

    title: str = Field(min_length=2, max_length=300)
    area: str | None = Field(default=None, max_length=40)
    planned_on: date | None = None
    trainer: str | None = Field(default=None, max_length=200)
    invited: int = Field(default=0, ge=0, le=10000)


class DevelopmentPlan(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "actions": [
                {
                    "title": "Mettre en place un journal de caisse",
                    "area": "accounting",
                    "due_on": "2026-05-31",
                    "owner": "La trésorière",
                },
            ],
            "sessions": [
                {
                    "title": "Formation à la tenue des comptes",
                    "area": "accounting",
                    "planned_on": "2026-04-15",
                    "trainer": "Cabinet Atlas Conseil",
                    "invited": 12,
                },
            ],
        },
    ]})

    actions: list[ActionIn] = Field(default_factory=list, max_length=100)
    sessions: list[SessionIn] = Field(default_factory=list, max_length=50)


class ActionDone(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"action": 1, "note": "Journal ouvert et tenu depuis avril."},
    ]})

    action: int = Field(ge=1, description="The action's number in the plan.")
    note: str | None = Field(default=None, max_length=2000)


class SessionHeld(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"session": 1, "held_on": "2026-04-15", "invited": 12, "present": 10},
    ]})

    session: int = Field(ge=1, description="The session's number in the plan.")
    held_on: date
    invited: int = Field(ge=0, le=10000)
    present: int = Field(ge=0, le=10000)

    @model_validator(mode="after")
    def _present_among_invited(self) -> SessionHeld:
        if self.present > self.invited:
            raise ValueError("more participants present than invited")
        return self


class SessionEvaluation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"session": 1, "score": 4, "comments": "Participants satisfaits ; prévoir un suivi."},
    ]})

    session: int = Field(ge=1)
    score: int = Field(ge=1, le=5, description="Participants' and trainer's rating, 1 to 5.")
    comments: str | None = Field(default=None, max_length=4000)


class SessionCancellation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"session": 2, "reason": "Formateur indisponible ; séance reportée."},
    ]})

    session: int = Field(ge=1)
    reason: str = Field(min_length=5, max_length=2000)


class FinalEvaluation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"summary": "Comptabilité tenue à jour ; premiers contrats de vente groupée.", "score": 4},
    ]})

    summary: str = Field(min_length=10, max_length=20000)
    score: int = Field(ge=1, le=5)


class Report(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "summary": "Programme achevé : comptabilité tenue, circuit de vente élargi.",
            "recommendations": ["Faire certifier les comptes 2026"],
        },
    ]})

    summary: str = Field(min_length=10, max_length=20000)
    recommendations: list[str] = Field(default_factory=list, max_length=50)


class Abandonment(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "reason": "Le conseil d'administration renonce au programme.",
            "requested_on": "2026-06-10",
        },
    ]})

    reason: str = Field(min_length=5, max_length=2000)
    requested_on: date = Field(description="The day the cooperative said it leaves the programme.")


# -- the plan as carried out ---------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _progress(item: Mapping[str, Any]) -> Progress:
    if item["kind"] == "action":
        return Progress(item["title"], "action", _day(item["due_on"]), done_on=_day(item.get("done_on")))
    return Progress(
        item["title"], "session", _day(item["due_on"]), done_on=_day(item.get("held_on")),
        cancelled=bool(item.get("cancelled")), evaluated="evaluation" in item,
    )


def items(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's actions and sessions, each with its number within its kind."""
    return [*(dict(a) for a in data.get("actions", ())), *(dict(s) for s in data.get("sessions", ()))]


def next_due(actions: Iterable[Mapping[str, Any]], sessions: Iterable[Mapping[str, Any]]) -> str | None:
    """The start of the earliest due day among the open items not yet reminded: the anchor
    of the `next_action` deadline (None when nothing is left to wait for)."""
    days = [
        _day(i["due_on"]) for i in (*actions, *sessions)
        if not i.get("reminded_on") and _open(i)
    ]
    known = [d for d in days if d is not None]
    if not known:
        return None
    return datetime.combine(min(known), time(0), tzinfo=OFFICE_TZ).isoformat()


def _open(item: Mapping[str, Any]) -> bool:
    p = _progress(item)
    return p.done_on is None and not p.cancelled


def _find(data: Mapping[str, Any], kind: str, number: int) -> Mapping[str, Any] | None:
    listing = data.get("actions" if kind == "action" else "sessions", ())
    return next((i for i in listing if i["no"] == number), None)


def _replace(data: Mapping[str, Any], kind: str, number: int, **changes: Any) -> dict[str, Any]:
    """The updated list, and the plan's next due date with it."""
    key = "actions" if kind == "action" else "sessions"
    updated = [{**i, **changes} if i["no"] == number else dict(i) for i in data.get(key, ())]
    lists = {"actions": list(data.get("actions", ())), "sessions": list(data.get("sessions", ())), key: updated}
    return {key: updated, "next_action_due": next_due(lists["actions"], lists["sessions"])}


# -- guards and effects: thin adapters from a case to the rules ----------------------------


def plan_is_complete(ctx: Context) -> Iterable[Reason]:
    if not isinstance(ctx.payload, DevelopmentPlan):
        return []
    plan = ctx.payload
    planned = [PlanAction(a.title, a.area, a.due_on, a.owner) for a in plan.actions]
    planned += [PlanAction(s.title, s.area, s.planned_on, s.trainer) for s in plan.sessions]
    return [
        *accompaniment.plan_reasons(
            areas=ctx.case.data.get("diagnosis", {}).get("areas", ()), actions=planned,
            agreed_on=local_day(ctx.now),
        ),
        *accompaniment.training_reasons(sessions=len(plan.sessions)),
    ]


def _step_guard(step: accompaniment.Step, model: type[BaseModel], field: str) -> Guard:
    kind = "action" if step == "complete" else "session"

    def guard(ctx: Context) -> Iterable[Reason]:
        if not isinstance(ctx.payload, model):
            return []
        number: int = getattr(ctx.payload, field)
        item = _find(ctx.case.data, kind, number)
        return accompaniment.progress_reasons(
            step, _progress(item) if item else None, number=number,
            on=getattr(ctx.payload, "held_on", None), today=local_day(ctx.now),
        )

    guard.__name__ = f"{step}_allowed"
    guard.__doc__ = f"The plan's item may be recorded as `{step}` (rules.accompaniment)."
    return guard


action_can_be_completed = _step_guard("complete", ActionDone, "action")
session_can_be_held = _step_guard("hold", SessionHeld, "session")
session_can_be_evaluated = _step_guard("evaluate", SessionEvaluation, "session")
session_can_be_cancelled = _step_guard("cancel", SessionCancellation, "session")


def sessions_all_evaluated(ctx: Context) -> Iterable[Reason]:
    """Cancelled sessions are neither held nor awaited (rules.accompaniment.Session)."""
    return accompaniment.evaluation_reasons(sessions=_programme_sessions(ctx.case.data))


def _programme_sessions(data: Mapping[str, Any]) -> list[accompaniment.Session]:
    return [
        accompaniment.Session(
            s["title"], _day(s.get("held_on")), int(s["invited"]), int(s.get("present", 0)),
            "evaluation" in s,
        )
        for s in data.get("sessions", ()) if not s.get("cancelled")
    ]


def some_action_overdue(ctx: Context) -> Iterable[Reason]:
    if _newly_overdue(ctx):
        return []
    return [Reason("nothing_overdue", Text(
        fr="Aucune action du plan n'est en retard sans avoir déjà été signalée.",
        ar="لا يوجد أي إجراء من المخطط متأخر لم يسبق التنبيه إليه.",
    ))]


def _newly_overdue(ctx: Context) -> list[tuple[str, int]]:
    today = local_day(ctx.now)
    grace = int(ctx.policy["accompaniment_action_grace_days"])
    return [
        (i["kind"], i["no"]) for i in items(ctx.case.data)
        if not i.get("reminded_on") and accompaniment.is_overdue(_progress(i), today=today, grace_days=grace)
    ]


def record_diagnosis(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Diagnosis)
    return {"diagnosis": {**ctx.payload.model_dump(mode="json"), "made_on": local_day(ctx.now).isoformat()}}


def record_plan(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, DevelopmentPlan)
    actions = [
        {"no": n, "kind": "action", "title": a.title, "area": a.area,
         "due_on": a.due_on.isoformat() if a.due_on else None, "owner": a.owner}
        for n, a in enumerate(ctx.payload.actions, start=1)
    ]
    sessions = [
        {"no": n, "kind": "session", "title": s.title, "area": s.area,
         "due_on": s.planned_on.isoformat() if s.planned_on else None, "owner": s.trainer,
         "invited": s.invited}
        for n, s in enumerate(ctx.payload.sessions, start=1)
    ]
    return {"plan_agreed_on": local_day(ctx.now).isoformat(), "actions": actions, "sessions": sessions,
            "next_action_due": next_due(actions, sessions)}


def complete_action(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, ActionDone)
    return _replace(ctx.case.data, "action", ctx.payload.action,
                    done_on=local_day(ctx.now).isoformat(), note=ctx.payload.note)


def hold_session(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, SessionHeld)
    p = ctx.payload
    rate = accompaniment.attendance_rate(invited=p.invited, present=p.present)
    return _replace(ctx.case.data, "session", p.session, held_on=p.held_on.isoformat(),
                    invited=p.invited, present=p.present, attendance=round(float(rate), 4))


def evaluate_session(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, SessionEvaluation)
    evaluation = {"score": ctx.payload.score, "comments": ctx.payload.comments,
                  "on": local_day(ctx.now).isoformat()}
    return _replace(ctx.case.data, "session", ctx.payload.session, evaluation=evaluation)


def cancel_session(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, SessionCancellation)
    return _replace(ctx.case.data, "session", ctx.payload.session, cancelled=True,
                    cancel_reason=ctx.payload.reason)


def flag_overdue(ctx: Context) -> Mapping[str, Any]:
    """Each item is reminded once, the day it falls overdue; the case lists them."""
    today = local_day(ctx.now).isoformat()
    late = set(_newly_overdue(ctx))
    actions = [{**a, "reminded_on": today} if ("action", a["no"]) in late else dict(a)
               for a in ctx.case.data.get("actions", ())]
    sessions = [{**s, "reminded_on": today} if ("session", s["no"]) in late else dict(s)
                for s in ctx.case.data.get("sessions", ())]
    titles = [i["title"] for i in (*actions, *sessions) if (i["kind"], i["no"]) in late]
    return {"actions": actions, "sessions": sessions, "next_action_due": next_due(actions, sessions),
            "notice": {"overdue": titles}}


def record_final_evaluation(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, FinalEvaluation)
    attendance = accompaniment.programme_attendance(_programme_sessions(ctx.case.data))
    return {"final_evaluation": {
        **ctx.payload.model_dump(mode="json"), "on": local_day(ctx.now).isoformat(),
        "attendance": round(float(attendance), 4),
        "open_actions": [a["title"] for a in ctx.case.data.get("actions", ()) if not a.get("done_on")],
    }}


def record_report(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Report)
    return {"report": {**ctx.payload.model_dump(mode="json"), "filed_on": local_day(ctx.now).isoformat()}}


def record_abandonment(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Abandonment)
    return {"abandonment": {**ctx.payload.model_dump(mode="json"), "stage": ctx.case.state}}


# -- the definition ------------------------------------------------------------------------

ON_REQUEST = tr(fr="la demande d'accompagnement", ar="طلب المواكبة")
ON_DIAGNOSIS = tr(fr="le diagnostic des besoins", ar="تشخيص الحاجيات")
ON_DUE_DATE = tr(fr="l'échéance de la prochaine action du plan", ar="أجل الإجراء الموالي من المخطط")
ON_EVALUATION = tr(fr="l'évaluation finale", ar="التقييم النهائي")

ACCOMPANIMENT = Workflow(
    key="accompaniment",
    version=1,
    title=tr(fr="Programme d'accompagnement et de formation", ar="برنامج المواكبة والتكوين"),
    prefix="AC",
    initial="diagnosis",
    opening=ProgrammeRequest,
    on_open=(to("applicant", "accompaniment_opened"),),
    states=(
        State(
            "diagnosis",
            tr(fr="Diagnostic des besoins", ar="تشخيص الحاجيات"),
            next_step=tr(fr="Un agent de l'Office diagnostique avec vous les besoins de la coopérative.",
                         ar="يقوم إطار من المكتب معكم بتشخيص حاجيات التعاونية."),
            deadlines=(service_level("diagnosis", "accompaniment_diagnosis_business_days", event=ON_REQUEST),),
        ),
        State(
            "planning",
            tr(fr="Plan de développement à convenir", ar="مخطط التنمية قيد الإعداد"),
            next_step=tr(fr="L'Office vous propose un plan d'actions et de formations à convenir ensemble.",
                         ar="يقترح عليكم المكتب مخططا للإجراءات والدورات التكوينية يتم الاتفاق عليه معا."),
            deadlines=(service_level("plan", "accompaniment_plan_business_days", event=ON_DIAGNOSIS),),
        ),
        State(
            "in_progress",
            tr(fr="Plan en cours (actions et formations)", ar="المخطط قيد التنفيذ (إجراءات ودورات تكوينية)"),
            next_step=tr(fr="Réalisez les actions convenues et participez aux sessions de formation aux dates prévues.",
                         ar="أنجزوا الإجراءات المتفق عليها وشاركوا في الدورات التكوينية في التواريخ المحددة."),
            deadlines=(
                Deadline(
                    "next_action", Setting("accompaniment_action_grace_days"), FULL_DAYS,
                    internal("accompaniment_action_grace_days"), fire("flag_overdue_actions"),
                    event=ON_DUE_DATE, anchor="next_action_due",
                ),
            ),
        ),
        State(
            "evaluated",
            tr(fr="Évaluation finale faite, rapport à rédiger", ar="تم التقييم النهائي، التقرير قيد التحرير"),
            next_step=tr(fr="L'Office rédige le rapport final du programme.",
                         ar="يحرر المكتب التقرير النهائي للبرنامج."),
            deadlines=(service_level("report", "accompaniment_report_business_days", event=ON_EVALUATION),),
        ),
        State("completed", tr(fr="Programme achevé (rapport déposé)", ar="برنامج منجز (التقرير مودع)"), final=True),
        State("abandoned", tr(fr="Abandonné par la coopérative", ar="تخلت عنه التعاونية"), final=True),
    ),
    transitions=(
        transition(
            "record_diagnosis", source="diagnosis", dest="planning",
            title=tr(fr="Enregistrer le diagnostic", ar="تسجيل التشخيص"), roles=OFFICERS,
            data=Diagnosis, effects=(record_diagnosis,),
        ),
        transition(
            "agree_plan", source="planning", dest="in_progress",
            title=tr(fr="Arrêter le plan convenu", ar="اعتماد المخطط المتفق عليه"), roles=OFFICERS,
            data=DevelopmentPlan, guards=(plan_is_complete,), effects=(record_plan,),
            notify=(to("applicant", "development_plan_agreed"),),
        ),
        transition(
            "complete_action", source="in_progress", dest="in_progress",
            title=tr(fr="Action réalisée", ar="إجراء منجز"), roles=OFFICERS, data=ActionDone,
            guards=(action_can_be_completed,), effects=(complete_action,),
        ),
        transition(
            "hold_session", source="in_progress", dest="in_progress",
            title=tr(fr="Session tenue (présences)", ar="دورة منعقدة (الحضور)"), roles=OFFICERS,
            data=SessionHeld, guards=(session_can_be_held,), effects=(hold_session,),
        ),
        transition(
            "evaluate_session", source="in_progress", dest="in_progress",
            title=tr(fr="Évaluer la session", ar="تقييم الدورة"), roles=OFFICERS,
            data=SessionEvaluation, guards=(session_can_be_evaluated,), effects=(evaluate_session,),
        ),
        transition(
            "cancel_session", source="in_progress", dest="in_progress",
            title=tr(fr="Annuler une session", ar="إلغاء دورة"), roles=OFFICERS,
            data=SessionCancellation, guards=(session_can_be_cancelled,), effects=(cancel_session,),
        ),
        transition(
            "flag_overdue_actions", source="in_progress", dest="in_progress",
            title=tr(fr="Signaler les actions en retard", ar="التنبيه إلى الإجراءات المتأخرة"),
            roles={"system"}, guards=(some_action_overdue,), effects=(flag_overdue,),
            notify=(to("assignee", "plan_action_overdue"),),
        ),
        transition(
            "evaluate", source="in_progress", dest="evaluated",
            title=tr(fr="Évaluation finale du programme", ar="التقييم النهائي للبرنامج"), roles=OFFICERS,
            data=FinalEvaluation, guards=(sessions_all_evaluated,), effects=(record_final_evaluation,),
        ),
        transition(
            "file_report", source="evaluated", dest="completed",
            title=tr(fr="Déposer le rapport final", ar="إيداع التقرير النهائي"), roles=OFFICERS,
            data=Report, effects=(record_report,), notify=(to("applicant", "accompaniment_report"),),
        ),
        transition(
            "abandon", source=OPEN_STATES, dest="abandoned",
            title=tr(fr="Abandon par la coopérative", ar="تخلي التعاونية"), roles=OFFICERS,
            data=Abandonment, effects=(record_abandonment,),
        ),
    ),
)
