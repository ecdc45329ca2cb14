"""Control of a cooperative (audit): Law 112-12 Art. 78 (the report, the extraordinary
assembly it demands, the 6 months of monitoring, the strike-off request), Art. 99
(obstruction).

The office plans its controls by a risk score (`cases.audit_store.planning`), asks the
cooperative for its documents within a period it sets itself, works on site, sends the
draft report for an answer (also an office period: the law sets none), and files the report.
A report without findings closes the case. A report with findings lists recommendations,
tracked one by one, and demands an extraordinary general assembly within 30 full days of its
filing: filing it opens a general-assembly supervision case linked to this one, and this case
waits for it. When that assembly is held, the measures it decided are watched for 6 months;
if they prove ineffective, a request to the court to strike the cooperative off the register
is prepared. Obstructing the control is recorded with the article that punishes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rules import audits
from rules.audits import CONTROL, DOCUMENT_REQUEST, DRAFT_ANSWER
from rules.calendar import local_day
from rules.reasons import Reason, tr
from workflows.general_assembly import Link, noon
from workflows.spec import (
    FULL_DAYS,
    Context,
    Deadline,
    DocumentSpec,
    Setting,
    State,
    Workflow,
    escalate_to,
    fire,
    to,
    transition,
)

KEY = "audit"
OFFICERS = {"officer", "manager"}


# -- the data each step needs -------------------------------------------------------------


class RiskFactor(BaseModel):
    fr: str
    ar: str
    points: int


class AuditOpening(BaseModel):
    """Why this cooperative is controlled now: the planning score when it was chosen."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "planned_for": "2026-05-01",
            "scope": "gestion, comptes et fonctionnement des organes",
            "risk_score": 62,
            "risk_factors": [
                {
                    "fr": "2 assemblées générales en retard",
                    "ar": "جمعان عامان متأخران",
                    "points": 30,
                },
            ],
        },
    ]})

    planned_for: date = Field(description="The month the fieldwork is planned for (any day of it).")
    scope: str = Field(default="gestion, comptes et fonctionnement des organes",
                       min_length=3, max_length=500)
    risk_score: int | None = Field(default=None, ge=0, le=audits.MAX_SCORE)
    risk_factors: list[RiskFactor] = Field(default_factory=list, max_length=20)
    links: list[Link] = Field(default_factory=list, max_length=20)


class DocumentRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "documents": ["statuts", "registre des membres", "comptes 2025"],
            "fieldwork_on": "2026-05-12",
        },
    ]})

    documents: list[str] = Field(min_length=1, max_length=40,
                                 examples=[["statuts", "registre des membres", "comptes 2025"]])
    fieldwork_on: date | None = Field(default=None, description="The day the controllers will come.")


class DocumentsReceived(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"received_on": "2026-05-08", "note": "Comptes 2025 reçus sans leur annexe."},
    ]})

    received_on: date
    note: str | None = Field(default=None, max_length=2000)


def _not_blank(items: list[str]) -> list[str]:
    cleaned = [item.strip() for item in items]
    if any(not 3 <= len(item) <= 1000 for item in cleaned):
        raise ValueError("each item has 3 to 1000 characters")
    return cleaned


class DraftReport(BaseModel):
    """What the controllers found, and what the cooperative must do about it."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "findings": ["Assemblée générale 2025 non tenue"],
            "recommendations": ["Convoquer l'assemblée générale ordinaire"],
        },
    ]})

    findings: list[str] = Field(min_length=1, max_length=50)
    recommendations: list[str] = Field(min_length=1, max_length=50)

    @field_validator("findings", "recommendations")
    @classmethod
    def _items_not_blank(cls, items: list[str]) -> list[str]:
        return _not_blank(items)


class ReportFiling(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"answer_received_on": "2026-06-20", "note": "Réponse du conseil jointe."},
    ]})

    answer_received_on: date | None = Field(
        default=None, description="The day the cooperative's answer to the draft arrived, if it did."
    )
    note: str | None = Field(default=None, max_length=2000)


class Closing(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"note": "Recommandations mises en œuvre."},
    ]})

    note: str | None = Field(default=None, max_length=2000)


class AssemblyHeld(BaseModel):
    """Sent by the linked assembly case when it is held (see `cases.assembly_store`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"assembly": "AG-2026-000012", "held_on": "2026-07-15"},
    ]})

    assembly: str = Field(min_length=3, max_length=32)
    held_on: date


class AssemblyNotHeld(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"assembly": "AG-2026-000012", "outcome": "not_held"},
    ]})

    assembly: str = Field(min_length=3, max_length=32)
    outcome: str = Field(min_length=2, max_length=40)


class RecommendationDone(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"number": 1, "done_on": "2026-07-15", "note": "Assemblée tenue le 15 juillet."},
    ]})

    number: int = Field(ge=1)
    done_on: date
    note: str | None = Field(default=None, max_length=2000)


class StrikeOffRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "court": "Tribunal de première instance d'Agadir",
            "note": "Recommandations ignorées après deux relances.",
        },
    ]})

    court: str = Field(min_length=2, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class Obstruction(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"observed_on": "2026-05-12", "facts": "Le siège était fermé le jour du contrôle annoncé."},
    ]})

    observed_on: date
    facts: str = Field(min_length=5, max_length=2000)


class Cancellation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Coopérative dissoute avant le contrôle."},
    ]})

    reason: str = Field(min_length=5, max_length=2000)


# -- guards and effects: thin adapters from a case to the rules ----------------------------


def _recommendations(ctx: Context) -> list[Mapping[str, Any]]:
    return list(ctx.case.data.get("recommendations", []))


def _open_numbers(ctx: Context) -> list[int]:
    return [int(r["number"]) for r in _recommendations(ctx) if r["status"] != "done"]


def draft_answered_or_period_over(ctx: Context) -> Iterable[Reason]:
    if not isinstance(ctx.payload, ReportFiling):
        return []
    due = datetime.fromisoformat(ctx.case.data["due"]["draft_answer"])
    return audits.report_filing_reasons(
        answered=ctx.payload.answer_received_on is not None,
        answer_due_on=local_day(due) - timedelta(days=1),
        today=local_day(ctx.now),
    )


def recommendation_open(ctx: Context) -> Iterable[Reason]:
    if not isinstance(ctx.payload, RecommendationDone):
        return []
    statuses = {int(r["number"]): str(r["status"]) for r in _recommendations(ctx)}
    return audits.recommendation_reasons(number=ctx.payload.number, statuses=statuses)


def measures_effective(ctx: Context) -> Iterable[Reason]:
    return audits.open_recommendations_reasons(_open_numbers(ctx))


def strike_off_allowed(ctx: Context) -> Iterable[Reason]:
    return audits.strike_off_reasons(
        measures_effective=not _open_numbers(ctx), monitoring_ended=ctx.case.state == "assessment"
    )


def record_request(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, DocumentRequest)
    return {"document_request": ctx.payload.model_dump(mode="json")}


def record_receipt(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, DocumentsReceived)
    return {"documents_received_on": ctx.payload.received_on.isoformat()}


def record_draft(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, DraftReport)
    return {"draft": ctx.payload.model_dump(mode="json"), "draft_sent_on": local_day(ctx.now).isoformat()}


def _filed(ctx: Context) -> dict[str, Any]:
    filed_on = local_day(ctx.now)
    return {"report_filed_on": filed_on.isoformat(), "report_filed_at": noon(filed_on)}


def record_report_with_findings(ctx: Context) -> Mapping[str, Any]:
    """The draft's findings become the report's; each recommendation is tracked by number."""
    assert isinstance(ctx.payload, ReportFiling)
    draft = ctx.case.data["draft"]
    answer = ctx.payload.answer_received_on
    return {
        **_filed(ctx),
        "findings": list(draft["findings"]),
        "findings_count": len(draft["findings"]),
        "recommendations": [
            {"number": n, "text": text, "status": "open", "done_on": None}
            for n, text in enumerate(draft["recommendations"], start=1)
        ],
        "answer_received_on": answer.isoformat() if answer else None,
    }


def record_report_without_findings(ctx: Context) -> Mapping[str, Any]:
    return {**_filed(ctx), "findings": [], "findings_count": 0}


def record_assembly_held(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, AssemblyHeld)
    until = audits.monitoring_end(ctx.payload.held_on)
    return {
        "assembly_on": ctx.payload.held_on.isoformat(),
        "monitoring_until": until.isoformat(),
        "monitoring_until_at": noon(until),
    }


def record_assembly_not_held(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, AssemblyNotHeld)
    return {"assembly_not_held": ctx.payload.outcome}


def record_recommendation_done(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, RecommendationDone)
    p = ctx.payload
    return {
        "recommendations": [
            {**r, "status": "done", "done_on": p.done_on.isoformat(), "note": p.note}
            if int(r["number"]) == p.number else dict(r)
            for r in _recommendations(ctx)
        ]
    }


def record_strike_off(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, StrikeOffRequest)
    return {
        "strike_off": {
            **ctx.payload.model_dump(mode="json"),
            "prepared_on": local_day(ctx.now).isoformat(),
            "open_recommendations": _open_numbers(ctx),
        }
    }


def record_obstruction(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Obstruction)
    return {
        "obstruction": {
            **ctx.payload.model_dump(mode="json"),
            "reason": audits.obstruction_reason().as_dict(),
        }
    }


def record_cancellation(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Cancellation)
    return {"cancellation_reason": ctx.payload.reason}


# -- the definition ------------------------------------------------------------------------

ON_REQUEST = tr(fr="la demande de documents", ar="طلب الوثائق")
ON_DRAFT = tr(fr="la communication du projet de rapport", ar="تبليغ مشروع التقرير")
ON_REPORT = tr(fr="le dépôt du rapport de contrôle", ar="إيداع تقرير المراقبة")
MONITORING_END = tr(
    fr="fin des six mois de suivi qui suivent l'assemblée générale extraordinaire",
    ar="نهاية الأشهر الستة للتتبع الموالية للجمع العام الاستثنائي",
)
UNDER_CONTROL = ("documents_requested", "fieldwork", "draft_sent")

AUDIT = Workflow(
    key=KEY,
    version=1,
    title=tr(fr="Contrôle de coopérative", ar="مراقبة التعاونية"),
    prefix="AU",
    initial="planned",
    opening=AuditOpening,
    states=(
        State(
            "planned",
            tr(fr="Planifié", ar="مبرمج"),
            next_step=tr(fr="L'Office vous informera du contrôle et des documents à fournir.",
                         ar="سيخبركم المكتب بالمراقبة وبالوثائق المطلوب تقديمها."),
        ),
        State(
            "documents_requested",
            tr(fr="Documents demandés", ar="الوثائق مطلوبة"),
            next_step=tr(fr="Remettez aux contrôleurs les documents demandés dans le délai indiqué.",
                         ar="سلموا للمراقبين الوثائق المطلوبة داخل الأجل المحدد."),
            deadlines=(
                Deadline(
                    "documents", Setting("audit_document_request_days"), FULL_DAYS, DOCUMENT_REQUEST,
                    escalate_to("managers"), event=ON_REQUEST,
                ),
            ),
            # The papers every control looks at; the request may name more (its `documents`).
            documents=(
                DocumentSpec("statutes", tr(fr="Statuts à jour", ar="النظام الأساسي المحين")),
                DocumentSpec("members_register", tr(fr="Registre des adhérents", ar="سجل المتعاونين")),
                DocumentSpec("accounts", tr(fr="États financiers des derniers exercices",
                                            ar="القوائم المالية للسنوات الأخيرة")),
                DocumentSpec("assembly_minutes", tr(fr="Procès-verbaux des assemblées générales",
                                                    ar="محاضر الجموع العامة")),
            ),
        ),
        State(
            "fieldwork",
            tr(fr="Contrôle sur place", ar="المراقبة في عين المكان"),
            next_step=tr(fr="Les contrôleurs examinent la gestion de la coopérative.",
                         ar="يفحص المراقبون تسيير التعاونية."),
        ),
        State(
            "draft_sent",
            tr(fr="Projet de rapport communiqué", ar="تم تبليغ مشروع التقرير"),
            next_step=tr(fr="La coopérative peut répondre au projet de rapport dans le délai indiqué.",
                         ar="يمكن للتعاونية الجواب على مشروع التقرير داخل الأجل المحدد."),
            deadlines=(
                Deadline(
                    "draft_answer", Setting("audit_draft_answer_days"), FULL_DAYS, DRAFT_ANSWER,
                    escalate_to("managers"), event=ON_DRAFT,
                ),
            ),
        ),
        State(
            "awaiting_assembly",
            tr(fr="Assemblée extraordinaire exigée (art. 78)", ar="جمع عام استثنائي مطلوب (المادة 78)"),
            next_step=tr(fr="Tenez l'assemblée générale extraordinaire dans les 30 jours qui suivent le dépôt du rapport.",
                         ar="اعقدوا الجمع العام الاستثنائي داخل 30 يوما الموالية لإيداع التقرير."),
            deadlines=(
                Deadline(
                    "extraordinary_assembly", audits.EXTRAORDINARY_ASSEMBLY_DAYS, FULL_DAYS, CONTROL,
                    escalate_to("managers"), event=ON_REPORT, anchor="report_filed_at",
                ),
            ),
        ),
        State(
            "monitoring",
            tr(fr="Suivi des mesures (6 mois)", ar="تتبع التدابير (6 أشهر)"),
            next_step=tr(fr="Mettez en œuvre les recommandations du rapport ; l'Office en suit l'exécution pendant six mois.",
                         ar="نفذوا توصيات التقرير؛ ويتتبع المكتب تنفيذها لمدة ستة أشهر."),
            deadlines=(
                Deadline(
                    "monitoring", 0, FULL_DAYS, CONTROL, fire("end_monitoring"),
                    event=MONITORING_END, anchor="monitoring_until_at",
                ),
            ),
        ),
        State(
            "assessment",
            tr(fr="Évaluation des mesures", ar="تقييم التدابير"),
            next_step=tr(fr="L'Office évalue si les mesures ont produit leur effet.",
                         ar="يقيم المكتب مدى نجاعة التدابير."),
        ),
        State("closed", tr(fr="Clôturé", ar="مغلق"), final=True),
        State("strike_off_requested", tr(fr="Demande de radiation préparée", ar="طلب التشطيب معد"), final=True),
        State("obstructed", tr(fr="Entrave constatée (art. 99)", ar="عرقلة مثبتة (المادة 99)"), final=True),
        State("cancelled", tr(fr="Annulé", ar="ملغى"), final=True),
    ),
    transitions=(
        transition(
            "notify", source="planned", dest="documents_requested",
            title=tr(fr="Notifier le contrôle et demander les documents", ar="تبليغ المراقبة وطلب الوثائق"),
            roles=OFFICERS, data=DocumentRequest, effects=(record_request,),
            notify=(to("applicant", "audit_notified"),),
        ),
        transition(
            "receive_documents", source="documents_requested", dest="fieldwork",
            title=tr(fr="Documents reçus : contrôle sur place", ar="تسلم الوثائق: المراقبة في عين المكان"),
            roles=OFFICERS, data=DocumentsReceived, effects=(record_receipt,),
        ),
        transition(
            "send_draft", source="fieldwork", dest="draft_sent",
            title=tr(fr="Communiquer le projet de rapport", ar="تبليغ مشروع التقرير"),
            roles=OFFICERS, data=DraftReport, effects=(record_draft,),
        ),
        transition(
            "close_without_findings", source=("fieldwork", "draft_sent"), dest="closed",
            title=tr(fr="Déposer un rapport sans constat", ar="إيداع تقرير دون ملاحظات"),
            roles=OFFICERS, data=Closing, effects=(record_report_without_findings,),
            notify=(to("applicant", "audit_closed"),),
        ),
        transition(
            "file_report", source="draft_sent", dest="awaiting_assembly",
            title=tr(fr="Déposer le rapport et exiger une AG extraordinaire", ar="إيداع التقرير والمطالبة بجمع عام استثنائي"),
            roles=OFFICERS, data=ReportFiling, guards=(draft_answered_or_period_over,),
            effects=(record_report_with_findings,),
            notify=(to("applicant", "audit_assembly_required"),),
        ),
        transition(
            "assembly_held", source="awaiting_assembly", dest="monitoring",
            title=tr(fr="Assemblée extraordinaire tenue", ar="انعقاد الجمع العام الاستثنائي"),
            roles={"system"}, data=AssemblyHeld, effects=(record_assembly_held,),
        ),
        transition(
            "assembly_not_held", source="awaiting_assembly", dest="assessment",
            title=tr(fr="Assemblée extraordinaire non tenue", ar="عدم انعقاد الجمع العام الاستثنائي"),
            roles={"system"}, data=AssemblyNotHeld, effects=(record_assembly_not_held,),
        ),
        transition(
            "complete_recommendation", source="monitoring", dest="monitoring",
            title=tr(fr="Recommandation mise en œuvre", ar="تنفيذ توصية"),
            roles=OFFICERS, data=RecommendationDone, guards=(recommendation_open,),
            effects=(record_recommendation_done,),
        ),
        transition(
            "end_monitoring", source="monitoring", dest="assessment",
            title=tr(fr="Fin des six mois de suivi", ar="نهاية الأشهر الستة للتتبع"),
            roles={"system"},
        ),
        transition(
            "close_effective", source="assessment", dest="closed",
            title=tr(fr="Clôturer : mesures efficaces", ar="إغلاق: تدابير ناجعة"),
            roles=OFFICERS, data=Closing, guards=(measures_effective,),
            notify=(to("applicant", "audit_closed"),),
        ),
        transition(
            "prepare_strike_off", source=("monitoring", "assessment"), dest="strike_off_requested",
            title=tr(fr="Préparer la demande de radiation au tribunal", ar="إعداد طلب التشطيب إلى المحكمة"),
            roles=OFFICERS, data=StrikeOffRequest, guards=(strike_off_allowed,),
            effects=(record_strike_off,), notify=(to("applicant", "audit_strike_off"),),
        ),
        transition(
            "record_obstruction", source=UNDER_CONTROL, dest="obstructed",
            title=tr(fr="Constater une entrave au contrôle", ar="إثبات عرقلة المراقبة"),
            roles=OFFICERS, data=Obstruction, effects=(record_obstruction,),
            notify=(to("applicant", "audit_obstruction"), to("legal", "audit_obstruction")),
        ),
        transition(
            "cancel", source=("planned", "documents_requested"), dest="cancelled",
            title=tr(fr="Annuler le contrôle", ar="إلغاء المراقبة"),
            roles={"manager"}, data=Cancellation, effects=(record_cancellation,),
        ),
    ),
)
