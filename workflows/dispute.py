"""Legal dispute mediation: Law 112-12 Arts. 5 and 79, and the office's own time limits.

The statutes set how a cooperative's disputes are settled; the office gives legal assistance
and intervenes to settle them. A dispute is filed by a member, a group of members, the board
or another cooperative against the other parties; the office's legal staff decide whether it
can be examined, assign a mediator free of ties to every party, and hold mediation sessions
(the parties are reminded before each). It ends in an agreement, a failure (conciliation
through the cooperatives' union, or the National Federation where there is none, or the
court: Art. 79), or a withdrawal. The law sets no time limits: each stage's limit is an office
setting, and may be extended once.

Sessions are held one at a time: the next session is fixed when the previous one's minutes
are recorded (as mediators do), so that the session's date is the anchor of one deadline of
the state `session_scheduled`, and the parties' reminder is an ordinary `Reminder` before it:
the engine starts it when the session is set and cancels it when the session is cancelled,
without timers of our own. At the end of the session day the case waits for the minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field

from rules import disputes
from rules.calendar import OFFICE_TZ
from rules.disputes import Mediator, Party, PartyKind
from rules.reasons import Basis, Reason, internal, tr
from workflows.name_approval import Applicant
from workflows.spec import (
    BUSINESS_DAYS,
    FULL_DAYS,
    Context,
    Deadline,
    Reminder,
    Setting,
    State,
    Workflow,
    escalate_to,
    fire,
    service_level,
    to,
    transition,
)

LEGAL = {"legal"}
# A manager may also choose the mediator and grant the one extension of a stage.
LEGAL_OR_MANAGER = {"legal", "manager"}

OPEN_STATES = ("filed", "admitted", "in_mediation", "session_scheduled", "awaiting_minutes")
# The stage whose time limit an extension moves, by the state it is asked in: admissibility
# while the file is examined, mediation between two sessions. Each stage's deadline has the
# stage's name.
STAGE_OF: dict[str, disputes.DisputeStage] = {"filed": "admissibility", "in_mediation": "mediation"}
EXTENSIONS = frozenset({"extend_admissibility", "extend_mediation"})

# The session day itself: a date the mediator sets, not a period of the law or the office.
SESSION_DATE = Basis("internal")


# -- the data each step needs -------------------------------------------------------------


class PartyIn(BaseModel):
    """One side of the dispute, as the filing names it ([L] Art. 79: members, the board,
    another cooperative)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "kind": "member",
            "name": "Ahmed Bennani",
            "cooperative_ref": "2019/1/000123",
            "member_ids": ["M-17"],
            "language": "fr",
        },
    ]})

    kind: PartyKind
    name: str = Field(min_length=2, max_length=200)
    cooperative_ref: str | None = Field(
        default=None, max_length=32,
        description="National number of the party's cooperative (or of the party itself).",
    )
    member_ids: list[str] = Field(
        default_factory=list, max_length=500,
        description="The members a party stands for (one member, or each member of a group).",
    )
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32)
    language: Literal["ar", "fr"] = "ar"


class DisputeFiling(BaseModel):
    """The referral to the office: who files, against whom, about what. Kept as filed, so
    that the admissibility review can say what is missing."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "claimant": {
                "kind": "member",
                "name": "Ahmed Bennani",
                "cooperative_ref": "2019/1/000123",
                "member_ids": ["M-17"],
                "language": "fr",
            },
            "respondents": [
                {
                    "kind": "board",
                    "name": "Conseil d'administration de la coopérative Tifawin",
                    "cooperative_ref": "2019/1/000123",
                },
            ],
            "subject": "Exclusion contestée d'un membre",
            "applicant": {
                "full_name": "Ahmed Bennani",
                "email": "ahmed@example.ma",
                "language": "fr",
            },
        },
    ]})

    claimant: PartyIn = Field(description="The party who brings the dispute to the office.")
    respondents: list[PartyIn] = Field(default_factory=list, max_length=20)
    subject: str = Field(default="", max_length=4000, examples=["Exclusion contestée d'un membre"])
    applicant: Applicant = Field(description="Who receives the office's answers for the claimant.")


class Inadmissibility(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Aucune des parties n'est membre ni organe de la coopérative."},
    ]})

    reason: str = Field(min_length=5, max_length=2000)


class Admission(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"note": "Deux parties, un objet précis : la médiation est possible."},
    ]})

    note: str | None = Field(default=None, max_length=2000)


class MediatorAssignment(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mediator": "legal.agadir", "declared_ties": []},
    ]})

    mediator: str = Field(min_length=2, max_length=80, description="Username of a legal officer.")
    declared_ties: list[str] = Field(
        default_factory=list, max_length=50,
        description="Persons, members or cooperatives (names or national numbers) the mediator "
        "declares a tie to.",
    )


class SessionPlan(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"at": "2026-03-16T10:00:00+01:00", "place": "Délégation d'Agadir, salle 2"},
    ]})

    at: AwareDatetime = Field(description="Date and time of the session.")
    place: str = Field(min_length=2, max_length=300, examples=["Délégation d'Agadir, salle 2"])


class SessionCancellation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Le défendeur a demandé un report."},
    ]})

    reason: str = Field(min_length=5, max_length=2000)


class Minutes(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "minutes": "Les parties ont exposé leurs positions ; une seconde séance est fixée.",
            "present": ["Ahmed Bennani", "Conseil d'administration de la coopérative Tifawin"],
        },
    ]})

    minutes: str = Field(min_length=5, max_length=20000)
    present: list[str] = Field(default_factory=list, max_length=50, description="Parties present.")


class Agreement(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "terms": "Réintégration du membre au 1er avril ; parts sociales conservées.",
            "signed_on": "2026-03-30",
        },
    ]})

    terms: str = Field(min_length=10, max_length=20000)
    signed_on: date


class Failure(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"referral": "conciliation", "has_union": True, "note": "Aucun accord après deux séances."},
    ]})

    referral: Literal["conciliation", "court"] = Field(
        description="Conciliation through the union or the National Federation, or the court "
        "([L] Art. 79)."
    )
    has_union: bool = Field(default=False, description="The cooperative belongs to a union.")
    note: str | None = Field(default=None, max_length=2000)


class Withdrawal(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"by": "Ahmed Bennani", "note": "Accord trouvé entre les parties."},
    ]})

    by: str = Field(min_length=2, max_length=200, description="The party who withdraws.")
    note: str | None = Field(default=None, max_length=2000)


class ExtensionRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Pièces demandées au conseil d'administration."},
    ]})

    reason: str = Field(min_length=5, max_length=2000)


# -- guards and effects: thin adapters from a case to the rules ----------------------------


def _party(raw: Mapping[str, Any]) -> Party:
    return Party(
        kind=raw["kind"], name=raw["name"], cooperative_ref=raw.get("cooperative_ref"),
        member_ids=tuple(raw.get("member_ids", ())),
    )


def parties(data: Mapping[str, Any]) -> list[Party]:
    """Every party of the dispute: the claimant first, then the respondents."""
    return [_party(data["claimant"]), *(_party(p) for p in data.get("respondents", ()))]


def sessions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(s) for s in data.get("sessions", ())]


def held(data: Mapping[str, Any]) -> int:
    return sum(1 for s in data.get("sessions", ()) if s["status"] == "held")


def admissible(ctx: Context) -> Iterable[Reason]:
    return disputes.admissibility_reasons(parties=parties(ctx.case.data), subject=ctx.case.data["subject"])


def mediator_fit(ctx: Context) -> Iterable[Reason]:
    if not isinstance(ctx.payload, MediatorAssignment):
        return []
    username = ctx.payload.mediator
    known: Mediator | None = ctx.facts.get("mediators", {}).get(username)
    if known is not None:
        known = Mediator(known.username, known.full_name, known.cooperative_refs,
                         (*known.declared_ties, *ctx.payload.declared_ties))
    return disputes.mediator_reasons(username=username, mediator=known, parties=parties(ctx.case.data))


def session_date_fits(ctx: Context) -> Iterable[Reason]:
    if not isinstance(ctx.payload, SessionPlan):
        return []
    ends = ctx.case.data.get("due", {}).get("mediation")
    return disputes.session_reasons(
        at=ctx.payload.at, now=ctx.now, mediation_ends=datetime.fromisoformat(ends) if ends else None,
    )


def session_begun(ctx: Context) -> Iterable[Reason]:
    return disputes.minutes_reasons(session_at=datetime.fromisoformat(ctx.case.data["session_at"]), now=ctx.now)


def a_session_was_held(ctx: Context) -> Iterable[Reason]:
    return disputes.outcome_reasons(sessions_held=held(ctx.case.data))


def not_yet_extended(ctx: Context) -> Iterable[Reason]:
    stage = STAGE_OF[ctx.case.state]
    return disputes.extension_reasons(already_extended=stage in ctx.case.data.get("extensions", {}))


def record_inadmissibility(ctx: Context) -> Mapping[str, Any]:
    """The office's reasons, with those the rules find in the filing, go to the claimant."""
    assert isinstance(ctx.payload, Inadmissibility)
    found = disputes.admissibility_reasons(parties=parties(ctx.case.data), subject=ctx.case.data["subject"])
    return {
        "refusal_reason": ctx.payload.reason,
        "inadmissibility": {"reason": ctx.payload.reason, "rules": [r.as_dict() for r in found]},
    }


def record_admission(ctx: Context) -> Mapping[str, Any]:
    note = ctx.payload.note if isinstance(ctx.payload, Admission) else None
    return {"admitted_at": ctx.now.isoformat(), "admission_note": note}


def record_mediator(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, MediatorAssignment)
    known: Mediator = ctx.facts["mediators"][ctx.payload.mediator]
    return {"mediator": {
        "username": known.username, "full_name": known.full_name,
        "declared_ties": list(ctx.payload.declared_ties), "assigned_at": ctx.now.isoformat(),
    }}


def schedule(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, SessionPlan)
    at = ctx.payload.at
    planned = sessions(ctx.case.data)
    planned.append({
        "no": len(planned) + 1, "at": at.isoformat(), "place": ctx.payload.place,
        "status": "scheduled", "scheduled_at": ctx.now.isoformat(),
    })
    local = at.astimezone(OFFICE_TZ)
    return {
        "sessions": planned, "session_at": at.isoformat(),
        # What the convocation and the reminder tell the parties besides the day.
        "notice": {"session_no": len(planned), "session_time": local.strftime("%H:%M"),
                   "session_place": ctx.payload.place},
    }


def _close_current(data: Mapping[str, Any], **changes: Any) -> list[dict[str, Any]]:
    """The session now scheduled, with `changes`; the others as they were."""
    return [{**s, **changes} if s["status"] == "scheduled" else s for s in sessions(data)]


def cancel(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, SessionCancellation)
    return {"sessions": _close_current(ctx.case.data, status="cancelled", cancel_reason=ctx.payload.reason),
            "session_at": None}


def record_minutes(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Minutes)
    return {
        "sessions": _close_current(ctx.case.data, status="held", minutes=ctx.payload.minutes,
                                   present=list(ctx.payload.present), minutes_at=ctx.now.isoformat()),
        "session_at": None,
    }


def record_agreement(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Agreement)
    return {"agreement": ctx.payload.model_dump(mode="json")}


def record_referral(ctx: Context) -> Mapping[str, Any]:
    """Where the parties may go now ([L] Art. 79): the union, or the National Federation of
    Cooperatives where there is none, for conciliation; or the court."""
    assert isinstance(ctx.payload, Failure)
    referral: dict[str, Any] = {"to": ctx.payload.referral, "note": ctx.payload.note,
                                "basis": disputes.CONCILIATION.code}
    notice: dict[str, Any] = {"referral": ctx.payload.referral}
    if ctx.payload.referral == "conciliation":
        body = disputes.conciliation_body(has_union=ctx.payload.has_union)
        referral["body"] = body.as_dict()
        notice |= {"body_fr": body.fr, "body_ar": body.ar}
    return {"referral": referral, "notice": notice}


def record_withdrawal(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Withdrawal)
    return {
        "withdrawal": ctx.payload.model_dump(mode="json"),
        "sessions": _close_current(ctx.case.data, status="cancelled", cancel_reason="withdrawal"),
        "session_at": None,
    }


def record_extension(ctx: Context) -> Mapping[str, Any]:
    """The stage is marked extended; `cases.dispute_store` moves its running deadline."""
    assert isinstance(ctx.payload, ExtensionRequest)
    stage = STAGE_OF[ctx.case.state]
    granted = {"at": ctx.now.isoformat(), "by": ctx.actor.username, "reason": ctx.payload.reason}
    return {"extensions": {**ctx.case.data.get("extensions", {}), stage: granted}}


def mediator_of(data: Mapping[str, Any]) -> str | None:
    mediator = data.get("mediator")
    return mediator["username"] if mediator else None


def participants(data: Mapping[str, Any]) -> Sequence[str]:
    return [p.name for p in parties(data)]


# -- the definition ------------------------------------------------------------------------

ON_FILING = tr(fr="la saisine de l'Office", ar="إحالة النزاع على المكتب")
ON_ADMISSION = tr(fr="la décision de recevabilité", ar="قرار قبول النزاع")
ON_SESSION = tr(fr="la séance de médiation", ar="جلسة الوساطة")

DISPUTE = Workflow(
    key="dispute",
    version=1,
    title=tr(fr="Médiation d'un litige", ar="الوساطة في نزاع"),
    prefix="LD",
    initial="filed",
    opening=DisputeFiling,
    facts=("mediators",),
    on_open=(to("claimant", "dispute_received"),),
    states=(
        State(
            "filed",
            tr(fr="Saisine reçue, recevabilité à l'examen", ar="طلب مستلم، قيد دراسة القبول"),
            next_step=tr(fr="Le service juridique de l'Office examine si le litige peut être traité en médiation.",
                         ar="تدرس المصلحة القانونية بالمكتب إمكانية معالجة النزاع عن طريق الوساطة."),
            deadlines=(service_level("admissibility", "dispute_admissibility_days", event=ON_FILING),),
        ),
        State(
            "admitted",
            tr(fr="Recevable, médiateur à désigner", ar="مقبول، في انتظار تعيين الوسيط"),
            next_step=tr(fr="L'Office désigne un médiateur sans lien avec les parties.",
                         ar="يعين المكتب وسيطا لا تربطه أي علاقة بالأطراف."),
            deadlines=(
                service_level("mediation", "dispute_mediation_days", event=ON_ADMISSION,
                              runs_through=("in_mediation", "session_scheduled", "awaiting_minutes")),
            ),
        ),
        State(
            "in_mediation",
            tr(fr="Médiation en cours", ar="الوساطة جارية"),
            next_step=tr(fr="Le médiateur fixe la prochaine séance et vous y convoque.",
                         ar="يحدد الوسيط الجلسة المقبلة ويستدعيكم إليها."),
        ),
        State(
            "session_scheduled",
            tr(fr="Séance de médiation fixée", ar="جلسة وساطة محددة"),
            next_step=tr(fr="Présentez-vous à la séance de médiation à la date et au lieu indiqués dans la convocation.",
                         ar="يرجى الحضور إلى جلسة الوساطة في التاريخ والمكان المبينين في الاستدعاء."),
            deadlines=(
                Deadline("session", 0, FULL_DAYS, SESSION_DATE, fire("close_session_day"),
                         event=ON_SESSION, anchor="session_at"),
            ),
            reminders=(
                Reminder("session", Setting("dispute_session_reminder_days"), to="parties",
                         template="mediation_session_reminder"),
                Reminder("session", Setting("dispute_session_reminder_days"), to="assignee",
                         template="mediation_session_reminder"),
            ),
        ),
        State(
            "awaiting_minutes",
            tr(fr="Séance tenue, procès-verbal attendu", ar="انعقدت الجلسة، في انتظار المحضر"),
            next_step=tr(fr="Le médiateur rédige le procès-verbal de la séance.",
                         ar="يحرر الوسيط محضر الجلسة."),
            deadlines=(
                Deadline(
                    "minutes", Setting("dispute_minutes_business_days"), BUSINESS_DAYS,
                    internal("dispute_minutes_business_days"), escalate_to("managers"),
                    event=ON_SESSION, anchor="session_at",
                ),
            ),
        ),
        State("inadmissible", tr(fr="Irrecevable", ar="غير مقبول"), final=True),
        State("settled", tr(fr="Accord conclu", ar="تم الصلح"), final=True),
        State("failed", tr(fr="Échec de la médiation (conciliation ou tribunal)",
                           ar="فشل الوساطة (صلح أو محكمة)"), final=True),
        State("withdrawn", tr(fr="Retiré", ar="مسحوب"), final=True),
    ),
    transitions=(
        transition(
            "admit", source="filed", dest="admitted",
            title=tr(fr="Déclarer recevable", ar="التصريح بالقبول"), roles=LEGAL, data=Admission,
            guards=(admissible,), effects=(record_admission,),
            notify=(to("parties", "dispute_admitted"),),
        ),
        transition(
            "declare_inadmissible", source="filed", dest="inadmissible",
            title=tr(fr="Déclarer irrecevable (motivé)", ar="التصريح بعدم القبول (معلل)"),
            roles=LEGAL, data=Inadmissibility, effects=(record_inadmissibility,),
            notify=(to("claimant", "dispute_inadmissible"),),
        ),
        transition(
            "assign_mediator", source=("admitted", "in_mediation"), dest="in_mediation",
            title=tr(fr="Désigner le médiateur", ar="تعيين الوسيط"), roles=LEGAL_OR_MANAGER,
            data=MediatorAssignment, guards=(mediator_fit,), effects=(record_mediator,),
        ),
        transition(
            "schedule_session", source="in_mediation", dest="session_scheduled",
            title=tr(fr="Fixer une séance de médiation", ar="تحديد جلسة وساطة"), roles=LEGAL,
            data=SessionPlan, guards=(session_date_fits,), effects=(schedule,),
            notify=(to("parties", "mediation_session_scheduled"),),
        ),
        transition(
            "cancel_session", source="session_scheduled", dest="in_mediation",
            title=tr(fr="Annuler la séance", ar="إلغاء الجلسة"), roles=LEGAL,
            data=SessionCancellation, effects=(cancel,),
            notify=(to("parties", "mediation_session_cancelled"),),
        ),
        transition(
            "close_session_day", source="session_scheduled", dest="awaiting_minutes",
            title=tr(fr="Fin du jour de la séance", ar="انتهاء يوم الجلسة"), roles={"system"},
        ),
        transition(
            "record_minutes", source=("session_scheduled", "awaiting_minutes"), dest="in_mediation",
            title=tr(fr="Enregistrer le procès-verbal de la séance", ar="تسجيل محضر الجلسة"),
            roles=LEGAL, data=Minutes, guards=(session_begun,), effects=(record_minutes,),
        ),
        transition(
            "settle", source="in_mediation", dest="settled",
            title=tr(fr="Constater l'accord des parties", ar="معاينة اتفاق الأطراف"), roles=LEGAL,
            data=Agreement, guards=(a_session_was_held,), effects=(record_agreement,),
            notify=(to("parties", "dispute_settled"),),
        ),
        transition(
            "fail", source="in_mediation", dest="failed",
            title=tr(fr="Constater l'échec et orienter les parties", ar="معاينة الفشل وتوجيه الأطراف"),
            roles=LEGAL, data=Failure, guards=(a_session_was_held,), effects=(record_referral,),
            notify=(to("parties", "dispute_failed"),),
        ),
        transition(
            "withdraw", source=OPEN_STATES, dest="withdrawn",
            title=tr(fr="Retrait de la demande", ar="سحب الطلب"), roles=LEGAL, data=Withdrawal,
            effects=(record_withdrawal,),
        ),
        transition(
            "extend_admissibility", source="filed", dest="filed",
            title=tr(fr="Prolonger le délai de recevabilité (une fois)", ar="تمديد أجل البت في القبول (مرة واحدة)"),
            roles=LEGAL_OR_MANAGER, data=ExtensionRequest, guards=(not_yet_extended,),
            effects=(record_extension,), notify=(to("parties", "dispute_extended"),),
        ),
        transition(
            "extend_mediation", source="in_mediation", dest="in_mediation",
            title=tr(fr="Prolonger le délai de médiation (une fois)", ar="تمديد أجل الوساطة (مرة واحدة)"),
            roles=LEGAL_OR_MANAGER, data=ExtensionRequest, guards=(not_yet_extended,),
            effects=(record_extension,), notify=(to("parties", "dispute_extended"),),
        ),
    ),
)
