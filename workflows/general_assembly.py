"""Supervision of a general assembly: Law 112-12 Arts. 35-46 (notice, quorum, majorities,
filings), Art. 97 (the fine for not convening), Art. 78 (the assembly an audit demands).

One case follows one assembly of one cooperative, from the day it becomes due to the filing
of its minutes. Three things open one, told apart by `origin` in the opening data:
- `year_end`: the ordinary assembly, opened by the scheduler when the financial year ends;
  it must be held within 6 months;
- `members_request`: at least a third of the members ask for an assembly; the board must
  convene it within 2 months;
- `audit`: an audit report with findings demands an extraordinary assembly within 30 full
  days of its filing ([L] Art. 78); the case is linked to the audit, which waits for it.
The steps are the same whatever the origin (convene, hold or fail for want of a quorum,
convene again with the same agenda, file the minutes), so these are variants of one case type
rather than three; only the last day differs, and the opening data computes it.

The law counts these periods in months; the engine counts days. So the opening data holds the
last day its rule computed (`held_by`), and the deadline is anchored on that day with a
period of zero days: it ends when that day ends, and its explanation names the day.

An officer may be sent to attend a convened meeting: the case is assigned to them
(`cases.assembly_store.send_to_attend`, through `cases.service.assign`) and the
`send_to_attend` step, which stays in *convened*, tells them.

Not held by that day, the case is marked overdue by the scheduler: the reason recorded cites
the fine of Art. 97 (and the board's deemed resignation if it happens again), and the
overdue state keeps a deadline resting on Art. 97 that is already past, so that the
delegation's managers are told at once and the case counts as overdue until the assembly is
held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rules import assemblies
from rules.assemblies import GENERAL_ASSEMBLY, AssemblyKind
from rules.audits import extraordinary_assembly_due
from rules.calendar import OFFICE_TZ, local_day
from rules.reasons import Reason, tr
from workflows.spec import (
    FULL_DAYS,
    Context,
    Deadline,
    DocumentSpec,
    Guard,
    State,
    Workflow,
    escalate_to,
    fire,
    to,
    transition,
)

KEY = "general_assembly"
OFFICERS = {"officer", "manager"}

Origin = Literal["year_end", "members_request", "audit"]
NoticeMeans = Literal["registered_letter", "court_posting", "legal_notices_newspaper", "public_posting"]
Document = Literal["minutes", "accounts", "auditor_report", "member_list"]

# How the audit and the assembly name each other in data["links"].
DEMANDED_BY_AUDIT = "demanded_by_audit"
DEMANDS_ASSEMBLY = "extraordinary_assembly"


def noon(day: date) -> str:
    """An instant inside a day of the office's calendar, for a deadline anchored on that day
    (noon: never on another day, whatever the offset)."""
    return datetime.combine(day, time(12), tzinfo=OFFICE_TZ).astimezone(UTC).isoformat()


# -- the data each step needs -------------------------------------------------------------


class Link(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reference": "AU-2026-000004", "relation": "demanded_by_audit"},
    ]})

    reference: str = Field(min_length=3, max_length=32)
    relation: str = Field(min_length=2, max_length=40)


class AssemblyOpening(BaseModel):
    """Why an assembly is due, and so its last day (computed here, never typed in)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "ordinary", "origin": "year_end", "financial_year_end": "2025-12-31"},
    ]})

    kind: AssemblyKind = "ordinary"
    origin: Origin = "year_end"
    financial_year_end: date | None = Field(
        default=None, description="year_end: the last day of the financial year."
    )
    requested_on: date | None = Field(
        default=None, description="members_request: the day the members' request reached the board."
    )
    requesters: int | None = Field(default=None, ge=0, description="members_request: signatories.")
    members: int | None = Field(default=None, ge=1, description="members_request: members in all.")
    report_filed_on: date | None = Field(
        default=None, description="audit: the day the audit report was filed."
    )
    links: list[Link] = Field(default_factory=list, max_length=20)
    held_by: date | None = Field(default=None, description="Computed: the last day to hold it.")
    held_by_at: str | None = Field(default=None, description="Computed: that day, as an instant.")

    @model_validator(mode="after")
    def _last_day(self) -> AssemblyOpening:
        if self.origin == "year_end":
            if self.financial_year_end is None or self.kind != "ordinary":
                raise ValueError("a year-end assembly is ordinary and needs financial_year_end")
            last = assemblies.due_after_year_end(self.financial_year_end)
        elif self.origin == "members_request":
            if self.requested_on is None or self.requesters is None or self.members is None:
                raise ValueError("a members' request needs requested_on, requesters and members")
            refused = assemblies.forced_meeting_reasons(members=self.members, requesters=self.requesters)
            if refused:
                raise ValueError(" ".join(f"{r.code}: {r.message.fr} / {r.message.ar}" for r in refused))
            last = assemblies.forced_meeting_due(self.requested_on)
        else:
            if self.report_filed_on is None or self.kind != "extraordinary":
                raise ValueError("an assembly demanded by an audit is extraordinary and needs report_filed_on")
            last = extraordinary_assembly_due(self.report_filed_on)
        self.held_by, self.held_by_at = last, noon(last)
        return self


class Convocation(BaseModel):
    """The notice sent to the members ([L] Arts. 35-46)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "kind": "ordinary",
            "call": 1,
            "meeting_on": "2026-05-20",
            "meeting_time": "10:00:00",
            "place": "Siège de la coopérative, Tiznit",
            "agenda": ["Rapport de gestion 2025", "Approbation des comptes 2025"],
            "notice_on": "2026-05-01",
            "notice_means": "registered_letter",
        },
    ]})

    kind: AssemblyKind
    call: int = Field(ge=1, le=assemblies.MAX_CALLS, description="1, 2 or 3.")
    meeting_on: date
    meeting_time: time
    place: str = Field(min_length=2, max_length=300)
    agenda: list[str] = Field(min_length=1, max_length=30)
    notice_on: date = Field(description="The day the notice went out.")
    notice_means: NoticeMeans

    @field_validator("agenda")
    @classmethod
    def _items_not_blank(cls, agenda: list[str]) -> list[str]:
        cleaned = [item.strip() for item in agenda]
        if any(not 2 <= len(item) <= 300 for item in cleaned):
            raise ValueError("each agenda item has 2 to 300 characters")
        return cleaned


class Attendance(BaseModel):
    """The attendance sheet: members on the updated list, who came, whom they represent."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"members": 40, "present_in_person": 8, "proxies": 4, "legal_person_votes": 0},
    ]})

    members: int = Field(ge=1)
    present_in_person: int = Field(ge=0)
    proxies: int = Field(ge=0)
    legal_person_votes: int = Field(default=0, ge=0)

    @property
    def present(self) -> int:
        """Members present or represented: each present member holds at most one proxy."""
        return self.present_in_person + self.proxies

    @model_validator(mode="after")
    def _votes_held(self) -> Attendance:
        if self.legal_person_votes > self.present:
            raise ValueError("legal persons cannot hold more votes than members present or represented")
        return self


class Resolution(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "title": "Approbation des comptes 2025",
            "votes_for": 20,
            "votes_against": 3,
            "abstentions": 1,
        },
    ]})

    title: str = Field(min_length=2, max_length=300)
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    abstentions: int = Field(default=0, ge=0)
    chair_vote: Literal["for", "against"] | None = Field(
        default=None, description="The chair's casting vote, on a tie at an ordinary assembly."
    )


class Meeting(Attendance):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "members": 40,
            "present_in_person": 18,
            "proxies": 6,
            "legal_person_votes": 0,
            "resolutions": [
                {
                    "title": "Approbation des comptes 2025",
                    "votes_for": 20,
                    "votes_against": 3,
                    "abstentions": 1,
                },
            ],
        },
    ]})

    resolutions: list[Resolution] = Field(default_factory=list, max_length=50)


class Filing(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "filed_on": "2026-06-10",
            "documents": ["minutes", "accounts", "member_list"],
            "local_register": "Greffe du tribunal de première instance de Tiznit",
        },
    ]})

    filed_on: date
    documents: list[Document] = Field(min_length=1)
    local_register: str = Field(min_length=2, max_length=200, description="The court's clerk.")


class Cancellation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Coopérative dissoute par décision judiciaire."},
    ]})

    reason: str = Field(min_length=5, max_length=2000)


# -- guards and effects: thin adapters from a case to the rules ----------------------------


def _kind(ctx: Context) -> AssemblyKind:
    kind: AssemblyKind = ctx.case.data["kind"]
    return kind


def _meeting_on(ctx: Context) -> date:
    return date.fromisoformat(ctx.case.data["convocation"]["meeting_on"])


def _pending(ctx: Context) -> bool:
    return bool(ctx.case.data.get("meeting_pending"))


def notice_in_time(ctx: Context) -> Iterable[Reason]:
    p = ctx.payload
    if not isinstance(p, Convocation):
        return []
    return assemblies.notice_reasons(notice_on=p.notice_on, meeting_on=p.meeting_on, call=p.call)


def follows_previous_calls(ctx: Context) -> Iterable[Reason]:
    p = ctx.payload
    if not isinstance(p, Convocation):
        return []
    return assemblies.convocation_reasons(
        kind=p.kind, expected_kind=_kind(ctx), call=p.call,
        expected_call=int(ctx.case.data.get("call", 0)) + 1,
        agenda=p.agenda, first_agenda=ctx.case.data.get("agenda"),
    )


def nothing_convened(ctx: Context) -> Iterable[Reason]:
    return assemblies.pending_meeting_reasons(pending=_pending(ctx), wanted=False)


def a_meeting_convened(ctx: Context) -> Iterable[Reason]:
    return assemblies.pending_meeting_reasons(pending=_pending(ctx), wanted=True)


def an_officer_assigned(ctx: Context) -> Iterable[Reason]:
    return assemblies.attendee_reasons(assigned=ctx.case.assignee_id is not None)


def record_attendee(ctx: Context) -> Mapping[str, Any]:
    return {"attendee_id": ctx.case.assignee_id}


def meeting_took_place(ctx: Context) -> Iterable[Reason]:
    if not _pending(ctx):
        return []
    return assemblies.meeting_date_reasons(meeting_on=_meeting_on(ctx), today=local_day(ctx.now))


def attendance_regular(ctx: Context) -> Iterable[Reason]:
    p = ctx.payload
    if not isinstance(p, Attendance):
        return []
    return assemblies.attendance_reasons(
        members=p.members, present_in_person=p.present_in_person, proxies=p.proxies,
        legal_person_votes=p.legal_person_votes, total_votes=p.present,
    )


def quorum_met(ctx: Context) -> Iterable[Reason]:
    p = ctx.payload
    if not isinstance(p, Attendance) or not _pending(ctx):
        return []
    reasons = assemblies.quorum_reasons(
        kind=_kind(ctx), call=int(ctx.case.data["call"]), members=p.members, present=p.present
    )
    # attendance_regular already says when the sheet counts more than the members
    return [r for r in reasons if r.code != "assembly_attendance_exceeds_members"]


def _quorum_failed(*, last_call: bool) -> Guard:
    def quorum_failed(ctx: Context) -> Iterable[Reason]:
        p = ctx.payload
        if not isinstance(p, Attendance) or not _pending(ctx):
            return []
        return assemblies.no_quorum_reasons(
            kind=_kind(ctx), call=int(ctx.case.data["call"]), members=p.members,
            present=p.present, last_call=last_call,
        )

    return quorum_failed


quorum_failed_next_call = _quorum_failed(last_call=False)
quorum_failed_last_call = _quorum_failed(last_call=True)


def votes_counted(ctx: Context) -> Iterable[Reason]:
    p = ctx.payload
    if not isinstance(p, Meeting):
        return []
    return [
        reason
        for r in p.resolutions
        for reason in assemblies.resolution_votes_reasons(
            title=r.title, votes_for=r.votes_for, votes_against=r.votes_against,
            abstentions=r.abstentions, voters=p.present,
        )
    ]


def filing_date_possible(ctx: Context) -> Iterable[Reason]:
    p = ctx.payload
    if not isinstance(p, Filing):
        return []
    return assemblies.filing_date_reasons(
        meeting_on=date.fromisoformat(ctx.case.data["meeting_on"]), filed_on=p.filed_on,
        today=local_day(ctx.now),
    )


def record_convocation(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Convocation)
    p = ctx.payload
    return {
        "convocation": p.model_dump(mode="json"),
        "call": p.call,
        "agenda": ctx.case.data.get("agenda") or list(p.agenda),
        "meeting_pending": True,
    }


def _call_record(ctx: Context, attendance: Attendance, outcome: str) -> list[dict[str, Any]]:
    required = assemblies.required_quorum(_kind(ctx), int(ctx.case.data["call"]), attendance.members)
    return [
        *ctx.case.data.get("calls", []),
        {
            "call": ctx.case.data["call"],
            "meeting_on": ctx.case.data["convocation"]["meeting_on"],
            "members": attendance.members,
            "present": attendance.present,
            "required": required,
            "outcome": outcome,
        },
    ]


def record_meeting(ctx: Context) -> Mapping[str, Any]:
    """The meeting as held: its attendance, and each resolution adopted or not under the
    majority rule of the assembly's kind, with the reasons of those that were not."""
    assert isinstance(ctx.payload, Meeting)
    p = ctx.payload
    meeting_on = _meeting_on(ctx)
    resolutions = []
    for r in p.resolutions:
        refused = assemblies.majority_reasons(
            kind=_kind(ctx), votes_for=r.votes_for, votes_against=r.votes_against,
            chair_vote=r.chair_vote,
        )
        resolutions.append(
            {**r.model_dump(mode="json"), "adopted": not refused,
             "reasons": [reason.as_dict() for reason in refused]}
        )
    return {
        "attendance": p.model_dump(mode="json", exclude={"resolutions"}),
        "resolutions": resolutions,
        "meeting_on": meeting_on.isoformat(),
        "meeting_at": noon(meeting_on),
        "held_late": meeting_on > date.fromisoformat(ctx.case.data["held_by"]),
        "meeting_pending": False,
        "calls": _call_record(ctx, p, "held"),
    }


def record_no_quorum(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Attendance)
    return {"meeting_pending": False, "calls": _call_record(ctx, ctx.payload, "no_quorum")}


def mark_late(ctx: Context) -> Mapping[str, Any]:
    """Art. 97's reason, stronger when the cooperative was already late before."""
    reason = assemblies.late_reason(
        kind=_kind(ctx), due_on=date.fromisoformat(ctx.case.data["held_by"]),
        repeated=int(ctx.facts.get("previous_overdue", 0)) > 0,
    )
    return {"late_reason": reason.as_dict(), "was_overdue": True}


def record_filing(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Filing)
    p = ctx.payload
    late = assemblies.filing_reasons(
        meeting_on=date.fromisoformat(ctx.case.data["meeting_on"]), filed_on=p.filed_on
    )
    return {
        "filing": {**p.model_dump(mode="json"), "reasons": [r.as_dict() for r in late]},
        "filed_late": bool(late),
    }


def record_cancellation(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Cancellation)
    return {"cancellation_reason": ctx.payload.reason}


# -- the definition ------------------------------------------------------------------------

LAST_DAY = tr(fr="dernier jour pour tenir l'assemblée générale", ar="آخر أجل لعقد الجمع العام")
LAST_DAY_FINE = tr(
    fr="dernier jour pour tenir l'assemblée générale ; passé ce jour, le conseil "
    "d'administration encourt une amende de 8 000 à 40 000 dirhams",
    ar="آخر أجل لعقد الجمع العام؛ وبعده يتعرض مجلس الإدارة لغرامة من 8.000 إلى 40.000 درهم",
)
ON_MEETING = tr(fr="la tenue de l'assemblée", ar="انعقاد الجمع العام")

# Every state in which the assembly is still to be held: the legal period runs through them.
BEFORE_MEETING = ("convened", "awaiting_next_call")
_RECORD_SOURCES = ("convened", "overdue")

GENERAL_ASSEMBLY_SUPERVISION = Workflow(
    key=KEY,
    version=1,
    title=tr(fr="Suivi d'assemblée générale", ar="تتبع الجمع العام"),
    prefix="GA",
    initial="open",
    opening=AssemblyOpening,
    facts=("previous_overdue",),
    on_open=(to("applicant", "assembly_due"),),
    states=(
        State(
            "open",
            tr(fr="À convoquer", ar="في انتظار الدعوة"),
            next_step=tr(
                fr="Le conseil d'administration convoque l'assemblée au moins 15 jours francs à l'avance et la tient avant la date limite.",
                ar="يدعو مجلس الإدارة إلى الجمع العام قبل انعقاده بخمسة عشر يوما كاملة على الأقل ويعقده قبل انتهاء الأجل.",
            ),
            deadlines=(
                Deadline(
                    "assembly_held", 0, FULL_DAYS, GENERAL_ASSEMBLY, fire("mark_overdue"),
                    event=LAST_DAY, anchor="held_by_at", runs_through=BEFORE_MEETING,
                ),
            ),
        ),
        State(
            "convened",
            tr(fr="Convoquée", ar="تمت الدعوة"),
            next_step=tr(
                fr="L'assemblée se réunit à la date annoncée ; l'Office enregistre la présence et les résolutions.",
                ar="ينعقد الجمع العام في التاريخ المعلن؛ ويسجل المكتب الحضور والقرارات.",
            ),
        ),
        State(
            "awaiting_next_call",
            tr(fr="Quorum non atteint : nouvelle convocation", ar="لم يكتمل النصاب: دعوة جديدة"),
            next_step=tr(
                fr="Le conseil convoque à nouveau l'assemblée, avec le même ordre du jour, au moins 10 jours francs à l'avance.",
                ar="يدعو المجلس من جديد إلى الجمع العام بنفس جدول الأعمال قبل انعقاده بعشرة أيام كاملة على الأقل.",
            ),
        ),
        State(
            "overdue",
            tr(fr="Non tenue dans le délai (art. 97)", ar="لم يعقد داخل الأجل (المادة 97)"),
            next_step=tr(
                fr="L'assemblée n'a pas été tenue dans le délai légal : elle doit l'être sans tarder ; le conseil encourt l'amende de l'article 97.",
                ar="لم يعقد الجمع العام داخل الأجل القانوني: يجب عقده دون تأخير؛ ويتعرض المجلس للغرامة المنصوص عليها في المادة 97.",
            ),
            deadlines=(
                Deadline(
                    "assembly_late", 0, FULL_DAYS, assemblies.FINE_ARTICLE, escalate_to("managers"),
                    event=LAST_DAY_FINE, anchor="held_by_at", runs_through=BEFORE_MEETING,
                ),
            ),
        ),
        State(
            "held",
            tr(fr="Tenue : dépôts attendus", ar="منعقد: في انتظار الإيداع"),
            next_step=tr(
                fr="Déposez le procès-verbal et les comptes au registre local dans les 30 jours qui suivent l'assemblée.",
                ar="أودعوا المحضر والقوائم المالية بالسجل المحلي داخل 30 يوما الموالية لانعقاد الجمع العام.",
            ),
            deadlines=(
                Deadline(
                    "filing", assemblies.FILING_DAYS, FULL_DAYS, GENERAL_ASSEMBLY,
                    escalate_to("managers"), event=ON_MEETING, anchor="meeting_at",
                ),
            ),
            documents=(  # filed with the local register within 30 days of the assembly
                DocumentSpec("minutes", tr(fr="Procès-verbal de l'assemblée générale", ar="محضر الجمع العام")),
                DocumentSpec("accounts", tr(fr="États financiers de l'exercice", ar="القوائم المالية للسنة المالية")),
                # only cooperatives that must have an auditor have a report to file
                DocumentSpec("auditor_report", tr(fr="Rapport du commissaire aux comptes",
                                                  ar="تقرير مراقب الحسابات"), required=False),
            ),
        ),
        State("filed", tr(fr="Procès-verbal et comptes déposés", ar="تم إيداع المحضر والقوائم"), final=True),
        State(
            "not_held",
            tr(fr="Non tenue (troisième convocation sans quorum)", ar="غير منعقد (الدعوة الثالثة دون نصاب)"),
            final=True,
        ),
        State("cancelled", tr(fr="Sans objet", ar="بدون موضوع"), final=True),
    ),
    transitions=(
        transition(
            "convene", source=("open", "awaiting_next_call", "overdue"), dest="convened",
            title=tr(fr="Enregistrer la convocation", ar="تسجيل الاستدعاء"), roles=OFFICERS,
            data=Convocation, guards=(nothing_convened, notice_in_time, follows_previous_calls),
            effects=(record_convocation,),
        ),
        transition(
            "send_to_attend", source="convened", dest="convened",
            title=tr(fr="Envoyer l'agent affecté assister à l'assemblée", ar="إيفاد الموظف المكلف لحضور الجمع العام"),
            roles=OFFICERS, guards=(an_officer_assigned,), effects=(record_attendee,),
            notify=(to("assignee", "assembly_attendance"),),
        ),
        transition(
            "hold", source=_RECORD_SOURCES, dest="held",
            title=tr(fr="Enregistrer la tenue de l'assemblée", ar="تسجيل انعقاد الجمع العام"),
            roles=OFFICERS, data=Meeting,
            guards=(a_meeting_convened, meeting_took_place, attendance_regular, quorum_met, votes_counted),
            effects=(record_meeting,), notify=(to("applicant", "assembly_filing_due"),),
        ),
        transition(
            "adjourn", source=_RECORD_SOURCES, dest="awaiting_next_call",
            title=tr(fr="Quorum non atteint : convocation suivante", ar="عدم اكتمال النصاب: الدعوة الموالية"),
            roles=OFFICERS, data=Attendance,
            guards=(a_meeting_convened, meeting_took_place, attendance_regular, quorum_failed_next_call),
            effects=(record_no_quorum,),
        ),
        transition(
            "fail", source=_RECORD_SOURCES, dest="not_held",
            title=tr(fr="Troisième convocation sans quorum", ar="الدعوة الثالثة دون نصاب"),
            roles=OFFICERS, data=Attendance,
            guards=(a_meeting_convened, meeting_took_place, attendance_regular, quorum_failed_last_call),
            effects=(record_no_quorum,),
        ),
        transition(
            "mark_overdue", source=("open", *BEFORE_MEETING), dest="overdue",
            title=tr(fr="Délai de tenue dépassé", ar="تجاوز أجل الانعقاد"),
            roles={"system"}, effects=(mark_late,),
            notify=(to("applicant", "assembly_overdue"),),
        ),
        transition(
            "file", source="held", dest="filed",
            title=tr(fr="Enregistrer le dépôt au registre local", ar="تسجيل الإيداع بالسجل المحلي"),
            roles=OFFICERS, data=Filing, guards=(filing_date_possible,), effects=(record_filing,),
        ),
        transition(
            "cancel", source=("open", "convened", "awaiting_next_call", "overdue"), dest="cancelled",
            title=tr(fr="Classer sans objet", ar="حفظ الملف لانعدام الموضوع"),
            roles={"manager"}, data=Cancellation, effects=(record_cancellation,),
        ),
    ),
)
