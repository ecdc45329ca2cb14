"""General assemblies: when they are due, how they are convened, when they may deliberate
and when a resolution passes ([L] Arts. 35-46, 68, 97).

The office supervises each cooperative's ordinary general assembly every year and any
extraordinary one (demanded by a third of the members, or by the office after an audit).
These functions are the law's arithmetic and the guards an officer meets on the way: notice
periods in full days, the quorum table by kind and call, the majorities, the filings after
the meeting. Nothing here reads a clock: every date is passed in.

Articles. The law page gives the general assemblies only as the range [L] Arts. 35-46; a
search of public copies of the consolidated law found no source that states the
article of each rule (notice, quorum, majority, proxies, filing), so those guards cite the
range `law("35-46")`. The fine for not convening is stated on the page as [L] Art. 97.

Readings where the law page is silent (see `required_quorum`):
- third call above 20 members: the page gives the 1/10 (at least 2) rule only for
  cooperatives of up to 20 members. We read the third call above 20 members as having no
  quorum (the assembly deliberates whatever the number present or represented), as in the
  company-law tradition the law follows; the only requirement left is a meeting actually held,
  so at least one member present or represented.
- the extraordinary assembly's third call is "as ordinary": the ordinary third-call rule.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal, get_args

from rules.calendar import full_days_between
from rules.reasons import Basis, Reason, Text, law

AssemblyKind = Literal["ordinary", "extraordinary"]
ASSEMBLY_KINDS: tuple[AssemblyKind, ...] = get_args(AssemblyKind)

KIND_TITLES: dict[AssemblyKind, Text] = {
    "ordinary": Text(fr="assemblée générale ordinaire", ar="الجمع العام العادي"),
    "extraordinary": Text(fr="assemblée générale extraordinaire", ar="الجمع العام الاستثنائي"),
}

# The law page gives only the range of articles for the general assemblies (see above).
GENERAL_ASSEMBLY = law("35-46")
FINE_ARTICLE = law(97)

ORDINARY_DUE_MONTHS = 6  # after the financial year's end, [L] Arts. 35-46
NOTICE_DAYS_FIRST_CALL = 15  # full days, [L] Arts. 35-46
NOTICE_DAYS_LATER_CALL = 10  # full days, second or third call, [L] Arts. 35-46
MAX_CALLS = 3  # [L] Arts. 35-46
SMALL_COOPERATIVE_MEMBERS = 20  # third-call rule for small cooperatives, [L] Arts. 35-46
SMALL_THIRD_CALL_MINIMUM = 2  # [L] Arts. 35-46
LEGAL_PERSONS_VOTE_SHARE = Fraction(1, 3)  # at most, [L] Arts. 35-46
EXTRAORDINARY_MAJORITY = Fraction(2, 3)  # of votes cast, [L] Arts. 35-46
FORCING_SHARE = Fraction(1, 3)  # of members, to force a general assembly, [L] Arts. 35-46
FORCED_MEETING_MONTHS = 2  # [L] Arts. 35-46
FILING_DAYS = 30  # minutes, accounts, auditor's report, [L] Arts. 35-46
FINE_MIN_MAD = 8_000  # [L] Art. 97
FINE_MAX_MAD = 40_000  # [L] Art. 97

# Quorum of members present or represented, by kind and call. None: the ordinary third-call
# rule, which depends on the cooperative's size (`_third_call_quorum`).
_QUORUM: dict[AssemblyKind, tuple[Fraction | None, ...]] = {
    "ordinary": (Fraction(1, 2), Fraction(1, 4), None),
    "extraordinary": (Fraction(3, 4), Fraction(1, 2), None),
}
_SMALL_THIRD_CALL_SHARE = Fraction(1, 10)
# Above 20 members the third call has no quorum (our reading, see the module docstring): an
# assembly is still a meeting, so someone must be there.
_NO_QUORUM_MINIMUM = 1

_CALL_FR = {1: "première", 2: "deuxième", 3: "troisième"}
_CALL_AR = {1: "الأولى", 2: "الثانية", 3: "الثالثة"}


def _full_days_ar(days: int) -> str:
    """A number of full days in Arabic, the counted noun agreeing with the number: 3 to 10
    take the plural, 11 to 99 the singular accusative."""
    if days == 1:
        return "يوم كامل واحد"
    if days == 2:
        return "يومين كاملين"
    rest = days % 100
    if 3 <= rest <= 10:
        return f"{days} أيام كاملة"
    if 11 <= rest <= 99:
        return f"{days} يوما كاملا"
    return f"{days} يوم كامل"


# --- time ----------------------------------------------------------------------------------


def months_after(start: date, months: int) -> date:
    """The last day of a period of whole months that starts after `start` ("within 6 months
    of ...", counted like the law's full periods: the starting day is not counted).

    The period ends on the day of the last month that bears the starting day's number; a
    period that starts at the end of a month ends at the end of a month (a year closed on
    30 June gives 31 December, on 31 December gives 30 June), and a day the month lacks
    becomes its last day (31 August + 1 month: 30 September).
    """
    if months < 0:
        raise ValueError(f"a period cannot be negative: {months} months")
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    days_in_month = monthrange(year, month)[1]
    if start.day == monthrange(start.year, start.month)[1]:
        return date(year, month, days_in_month)
    return date(year, month, min(start.day, days_in_month))


def due_after_year_end(financial_year_end: date) -> date:
    """The last day on which the ordinary general assembly may meet: within 6 months of the
    end of the financial year. A year closed on 31 December gives 30 June."""
    return months_after(financial_year_end, ORDINARY_DUE_MONTHS)


def filing_due(meeting_on: date) -> date:
    """The last day to file the minutes, the accounts and the auditor's report with the local
    register: 30 full days after the ordinary general assembly (the meeting day not counted)."""
    return meeting_on + timedelta(days=FILING_DAYS)


def forced_meeting_due(requested_on: date) -> date:
    """The last day on which a general assembly asked for by a third of the members may be
    held: the board convenes it within 2 months of the request."""
    return months_after(requested_on, FORCED_MEETING_MONTHS)


def _check_call(call: int) -> None:
    if not 1 <= call <= MAX_CALLS:
        raise ValueError(f"a general assembly has calls 1 to {MAX_CALLS}, not {call}")


def _check_kind(kind: str) -> None:
    if kind not in ASSEMBLY_KINDS:
        raise ValueError(f"unknown kind of general assembly {kind!r}")


def notice_days(call: int) -> int:
    """Full days required between the notice and the meeting for this call."""
    _check_call(call)
    return NOTICE_DAYS_FIRST_CALL if call == 1 else NOTICE_DAYS_LATER_CALL


def latest_notice_day(*, meeting_on: date, call: int) -> date:
    """The last day on which the notice may go out for a meeting on `meeting_on`: both the
    notice day and the meeting day fall outside the full days."""
    return meeting_on - timedelta(days=notice_days(call) + 1)


def next_call(call: int) -> int | None:
    """The call that follows one without a quorum, with the same agenda; None after the
    third, when the law offers no further call."""
    _check_call(call)
    return call + 1 if call < MAX_CALLS else None


# --- guards --------------------------------------------------------------------------------


def _call_out_of_range(call: int) -> Reason:
    return Reason(
        "assembly_call_out_of_range",
        Text(
            fr=f"Une assemblée générale se convoque au plus trois fois (première, deuxième et "
            f"troisième convocation) ; une convocation n° {call} n'est pas prévue par la loi.",
            ar=f"لا يدعى الجمع العام إلا ثلاث مرات على الأكثر (الدعوة الأولى والثانية "
            f"والثالثة)؛ والدعوة رقم {call} غير منصوص عليها في القانون.",
        ),
        GENERAL_ASSEMBLY,
    )


def notice_reasons(*, notice_on: date, meeting_on: date, call: int) -> list[Reason]:
    """Why a notice is too late for the meeting; empty when it is in time.

    At least 15 full days before a first call, 10 before a second or third call; neither the
    day the notice goes out nor the meeting day counts."""
    if not 1 <= call <= MAX_CALLS:
        return [_call_out_of_range(call)]
    required = notice_days(call)
    left = full_days_between(notice_on, meeting_on)
    if left >= required:
        return []
    latest = latest_notice_day(meeting_on=meeting_on, call=call).isoformat()
    return [
        Reason(
            "assembly_notice_too_short",
            Text(
                fr=f"Pour une {_CALL_FR[call]} convocation, l'avis doit être envoyé aux membres "
                f"au moins {required} jours francs avant l'assemblée. Envoyé le "
                f"{notice_on.isoformat()} pour une assemblée le {meeting_on.isoformat()}, il ne "
                f"laisse que {left} jour(s) franc(s). Il fallait l'envoyer au plus tard le "
                f"{latest} : reportez l'assemblée ou convoquez à nouveau.",
                ar=f"في الدعوة {_CALL_AR[call]}، يجب توجيه الاستدعاء إلى الأعضاء قبل انعقاد الجمع "
                f"العام بـ{_full_days_ar(required)} على الأقل. وقد وجه بتاريخ "
                f"{notice_on.isoformat()} لجمع عام بتاريخ {meeting_on.isoformat()}، فلم يترك "
                f"إلا {left} من الأيام الكاملة. كان يجب توجيهه في أجل أقصاه {latest}: يرجى "
                f"تأجيل الجمع العام أو توجيه استدعاء جديد.",
            ),
            GENERAL_ASSEMBLY,
        )
    ]


def _ceil(share: Fraction, members: int) -> int:
    """A share of members, rounded up: half of 15 members is 8, not 7.5 or 7."""
    value = share * members
    return -(-value.numerator // value.denominator)


def required_quorum(kind: AssemblyKind, call: int, members: int) -> int:
    """Members who must be present or represented for the assembly to deliberate.

    | kind          | 1st call | 2nd call | 3rd call                                      |
    |---------------|----------|----------|-----------------------------------------------|
    | ordinary      | 1/2      | 1/4      | <= 20 members: 1/10, at least 2; above: none  |
    | extraordinary | 3/4      | 1/2      | as the ordinary third call                    |

    Shares are rounded up. "None" above 20 members is our reading of a silent law page (see
    the module docstring): a meeting still needs one member present or represented.
    """
    _check_kind(kind)
    _check_call(call)
    if members < 1:
        raise ValueError(f"a cooperative has at least one member, not {members}")
    share = _QUORUM[kind][call - 1]
    if share is not None:
        return _ceil(share, members)
    if members <= SMALL_COOPERATIVE_MEMBERS:
        return max(SMALL_THIRD_CALL_MINIMUM, _ceil(_SMALL_THIRD_CALL_SHARE, members))
    return _NO_QUORUM_MINIMUM


def quorum_reasons(
    *, kind: AssemblyKind, call: int, members: int, present: int
) -> list[Reason]:
    """Why the assembly may not deliberate; empty when the quorum is met. `present` counts
    the members present or represented."""
    if not 1 <= call <= MAX_CALLS:
        return [_call_out_of_range(call)]
    if present < 0:
        raise ValueError(f"attendance cannot be negative: {present}")
    reasons: list[Reason] = []
    if present > members:
        reasons.append(_more_than_members(present, members))
    required = required_quorum(kind, call, members)
    if present >= required:
        return reasons
    title = KIND_TITLES[kind]
    following = next_call(call)
    if following is None:
        then_fr = "C'était la troisième et dernière convocation prévue par la loi."
        then_ar = "وكانت هذه الدعوة الثالثة والأخيرة المنصوص عليها في القانون."
    else:
        then_fr = (
            f"L'assemblée doit être convoquée une {_CALL_FR[following]} fois, avec le même "
            f"ordre du jour, au moins {notice_days(following)} jours francs à l'avance."
        )
        then_ar = (
            f"يجب توجيه الدعوة {_CALL_AR[following]} إلى الجمع العام بنفس جدول الأعمال، قبل "
            f"انعقاده بـ{_full_days_ar(notice_days(following))} على الأقل."
        )
    reasons.append(
        Reason(
            "assembly_quorum_not_met",
            Text(
                fr=f"Le quorum n'est pas atteint : à la {_CALL_FR[call]} convocation, "
                f"l'{title.fr} d'une coopérative de {members} membre(s) ne peut délibérer que "
                f"si {required} membre(s) au moins sont présents ou représentés ; il y en a "
                f"{present}. {then_fr}",
                ar=f"لم يكتمل النصاب القانوني: لا يصح تداول {title.ar} في الدعوة "
                f"{_CALL_AR[call]} لتعاونية عدد أعضائها {members} إلا بحضور أو تمثيل {required} "
                f"من الأعضاء على الأقل، والحاضرون أو الممثلون {present}. {then_ar}",
            ),
            GENERAL_ASSEMBLY,
        )
    )
    return reasons


def _more_than_members(counted: int, members: int) -> Reason:
    return Reason(
        "assembly_attendance_exceeds_members",
        Text(
            fr=f"La feuille de présence compte {counted} membre(s) présents ou représentés pour "
            f"une coopérative qui n'en a que {members} : corrigez la feuille de présence.",
            ar=f"تتضمن ورقة الحضور {counted} من الأعضاء الحاضرين أو الممثلين، في حين أن "
            f"عدد أعضاء التعاونية {members} فقط: يرجى تصحيح ورقة الحضور.",
        ),
        GENERAL_ASSEMBLY,
    )


def attendance_reasons(
    *,
    members: int,
    present_in_person: int,
    proxies: int,
    legal_person_votes: int,
    total_votes: int,
) -> list[Reason]:
    """Why the attendance breaks the law's voting rules; empty when it is regular.

    One member, one vote; a member present may hold at most one other member's proxy, so
    there can be no more proxies than members present in person; legal persons together
    hold at most a third of the votes."""
    for value, what in (
        (members, "members"),
        (present_in_person, "present_in_person"),
        (proxies, "proxies"),
        (legal_person_votes, "legal_person_votes"),
        (total_votes, "total_votes"),
    ):
        if value < 0:
            raise ValueError(f"{what} cannot be negative: {value}")
    reasons: list[Reason] = []
    if present_in_person + proxies > members:
        reasons.append(_more_than_members(present_in_person + proxies, members))
    if proxies > present_in_person:
        reasons.append(
            Reason(
                "assembly_too_many_proxies",
                Text(
                    fr=f"Chaque membre présent ne peut représenter qu'un seul autre membre : "
                    f"{present_in_person} membre(s) présent(s) ne peuvent pas porter "
                    f"{proxies} procurations. Écartez les procurations en surnombre.",
                    ar=f"لا يجوز لكل عضو حاضر أن ينوب إلا عن عضو واحد آخر: لا يمكن لـ"
                    f"{present_in_person} من الأعضاء الحاضرين أن يحملوا {proxies} من "
                    f"الوكالات. يرجى استبعاد الوكالات الزائدة.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    if legal_person_votes > total_votes:
        raise ValueError(
            f"legal persons cannot hold more votes ({legal_person_votes}) than there are "
            f"({total_votes})"
        )
    if legal_person_votes > LEGAL_PERSONS_VOTE_SHARE * total_votes:
        reasons.append(
            Reason(
                "assembly_legal_persons_over_third",
                Text(
                    fr=f"Les personnes morales membres ne peuvent détenir plus du tiers des "
                    f"voix : elles en détiennent {legal_person_votes} sur {total_votes}. "
                    f"Leurs voix doivent être ramenées au tiers.",
                    ar=f"لا يجوز أن يتجاوز مجموع أصوات الأشخاص المعنويين الأعضاء ثلث الأصوات: "
                    f"وهم يملكون {legal_person_votes} من أصل {total_votes}. يجب حصر أصواتهم "
                    f"في الثلث.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    return reasons


def majority_reasons(
    *,
    kind: AssemblyKind,
    votes_for: int,
    votes_against: int,
    chair_vote: Literal["for", "against"] | None = None,
) -> list[Reason]:
    """Why a resolution is not adopted; empty when it is.

    Votes cast are the votes for and against (abstentions and blank votes are not cast).
    Ordinary assembly: an absolute majority of votes cast (more for than against); a tie is
    broken by the chair's vote. Extraordinary assembly: at least two thirds of votes cast;
    the chair has no casting vote there."""
    _check_kind(kind)
    if votes_for < 0 or votes_against < 0:
        raise ValueError(f"votes cannot be negative: {votes_for} for, {votes_against} against")
    cast = votes_for + votes_against
    if cast == 0:
        return [
            Reason(
                "resolution_no_votes_cast",
                Text(
                    fr="Aucune voix n'a été exprimée sur cette résolution : elle n'est pas "
                    "adoptée.",
                    ar="لم يعبر عن أي صوت بشأن هذا القرار: لم تتم المصادقة عليه.",
                ),
                GENERAL_ASSEMBLY,
            )
        ]
    if kind == "extraordinary":
        if votes_for >= EXTRAORDINARY_MAJORITY * cast:
            return []
        return [
            Reason(
                "resolution_below_two_thirds",
                Text(
                    fr=f"L'assemblée générale extraordinaire décide à la majorité des deux tiers "
                    f"des voix exprimées : {votes_for} voix pour sur {cast} exprimées, il en "
                    f"fallait au moins {_ceil(EXTRAORDINARY_MAJORITY, cast)}. La résolution "
                    f"n'est pas adoptée.",
                    ar=f"يتخذ الجمع العام الاستثنائي قراراته بأغلبية ثلثي الأصوات المعبر عنها: "
                    f"عدد الأصوات المؤيدة {votes_for} من أصل {cast} من الأصوات المعبر عنها، وكان يلزم "
                    f"{_ceil(EXTRAORDINARY_MAJORITY, cast)} على الأقل. لم تتم المصادقة على "
                    f"القرار.",
                ),
                GENERAL_ASSEMBLY,
            )
        ]
    if votes_for > votes_against:
        return []
    if votes_for < votes_against:
        return [
            Reason(
                "resolution_no_majority",
                Text(
                    fr=f"L'assemblée générale ordinaire décide à la majorité absolue des voix "
                    f"exprimées : {votes_for} voix pour contre {votes_against}. La résolution "
                    f"n'est pas adoptée.",
                    ar=f"يتخذ الجمع العام العادي قراراته بالأغلبية المطلقة للأصوات المعبر "
                    f"عنها: عدد الأصوات المؤيدة {votes_for} مقابل {votes_against} من الأصوات المعارضة. لم تتم "
                    f"المصادقة على القرار.",
                ),
                GENERAL_ASSEMBLY,
            )
        ]
    if chair_vote == "for":
        return []
    if chair_vote == "against":
        return [
            Reason(
                "resolution_tie_chair_against",
                Text(
                    fr=f"Partage des voix ({votes_for} pour, {votes_against} contre) : la voix "
                    f"du président, prépondérante, est contre. La résolution n'est pas adoptée.",
                    ar=f"تعادلت الأصوات (المؤيدة: {votes_for}، المعارضة: {votes_against})، وصوت "
                    f"الرئيس المرجح معارض: لم تتم المصادقة على القرار.",
                ),
                GENERAL_ASSEMBLY,
            )
        ]
    return [
        Reason(
            "resolution_tie_needs_chair",
            Text(
                fr=f"Partage des voix ({votes_for} pour, {votes_against} contre) : la voix du "
                f"président est prépondérante. Indiquez le sens du vote du président pour "
                f"savoir si la résolution est adoptée.",
                ar=f"تعادلت الأصوات (المؤيدة: {votes_for}، المعارضة: {votes_against})، وصوت الرئيس "
                f"هو المرجح: يرجى بيان تصويت الرئيس لمعرفة ما إذا كان القرار قد صودق عليه.",
            ),
            GENERAL_ASSEMBLY,
        )
    ]


def forced_meeting_reasons(*, members: int, requesters: int) -> list[Reason]:
    """Why a request cannot force a general assembly; empty when it can: at least a third of
    the members must ask (a third of 10 members is 4, rounded up)."""
    if members < 1 or requesters < 0:
        raise ValueError(f"invalid counts: {members} members, {requesters} requesters")
    reasons: list[Reason] = []
    if requesters > members:
        reasons.append(
            Reason(
                "forced_meeting_more_requesters_than_members",
                Text(
                    fr=f"La demande compte {requesters} signataires pour une coopérative de "
                    f"{members} membres : vérifiez la liste des signataires.",
                    ar=f"عدد الموقعين على الطلب {requesters} في حين أن عدد أعضاء التعاونية "
                    f"{members}: يرجى التحقق من لائحة الموقعين.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    needed = _ceil(FORCING_SHARE, members)
    if requesters < needed:
        reasons.append(
            Reason(
                "forced_meeting_too_few_requesters",
                Text(
                    fr=f"Une assemblée générale ne peut être exigée que par le tiers au moins "
                    f"des membres, soit {needed} sur {members} ; la demande n'en réunit que "
                    f"{requesters}.",
                    ar=f"لا يمكن المطالبة بعقد جمع عام إلا من طرف ثلث الأعضاء على الأقل، أي "
                    f"{needed} من أصل {members}؛ والطلب لا يضم إلا {requesters}.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    return reasons


def filing_reasons(*, meeting_on: date, filed_on: date) -> list[Reason]:
    """A warning when the minutes and accounts reach the local register after the 30 full
    days that follow the ordinary general assembly."""
    due = filing_due(meeting_on)
    if filed_on <= due:
        return []
    late = (filed_on - due).days
    return [
        Reason(
            "assembly_filing_late",
            Text(
                fr=f"Le procès-verbal, les comptes et le rapport du commissaire aux comptes de "
                f"l'assemblée du {meeting_on.isoformat()} devaient être déposés au registre local "
                f"dans les 30 jours, au plus tard le {due.isoformat()} ; déposés le "
                f"{filed_on.isoformat()}, ils le sont avec {late} jour(s) de retard.",
                ar=f"كان يجب إيداع محضر الجمع العام المنعقد بتاريخ {meeting_on.isoformat()} "
                f"والقوائم المالية وتقرير مراقب الحسابات بالسجل المحلي داخل أجل 30 يوما، أي في "
                f"أجل أقصاه {due.isoformat()}؛ وقد أودعت بتاريخ {filed_on.isoformat()}، أي بتأخير "
                f"{late} من الأيام.",
            ),
            GENERAL_ASSEMBLY,
        )
    ]


def late_reason(*, kind: AssemblyKind, due_on: date, repeated: bool = False) -> Reason:
    """The reason shown on an assembly not held by its last day: the board exposes itself
    to the fine of [L] Art. 97, and on repetition is deemed to have resigned."""
    _check_kind(kind)
    title = KIND_TITLES[kind]
    fine_fr = f"{FINE_MIN_MAD:,} à {FINE_MAX_MAD:,} dirhams".replace(",", " ")
    fine_ar = f"{FINE_MIN_MAD:,} إلى {FINE_MAX_MAD:,} درهم".replace(",", ".")
    if repeated:
        return Reason(
            "assembly_overdue_repeated",
            Text(
                fr=f"L'{title.fr} n'a pas été tenue au plus tard le {due_on.isoformat()}, et ce "
                f"n'est pas la première fois. En cas de récidive, l'article 97 de la loi 112-12 "
                f"répute démissionnaires les membres du conseil d'administration, en plus de "
                f"l'amende de {fine_fr}.",
                ar=f"لم يعقد {title.ar} في أجل أقصاه {due_on.isoformat()}، وليست هذه المرة "
                f"الأولى. وفي حالة العود تعتبر المادة 97 من القانون 112.12 أعضاء مجلس الإدارة "
                f"مستقيلين، إضافة إلى الغرامة من {fine_ar}.",
            ),
            FINE_ARTICLE,
        )
    return Reason(
        "assembly_overdue",
        Text(
            fr=f"L'{title.fr} n'a pas été tenue au plus tard le {due_on.isoformat()}. Ne pas "
            f"convoquer l'assemblée dans les délais est puni par l'article 97 de la loi 112-12 "
            f"d'une amende de {fine_fr} ; en cas de récidive, les membres du conseil "
            f"d'administration sont réputés démissionnaires.",
            ar=f"لم يعقد {title.ar} في أجل أقصاه {due_on.isoformat()}. ويعاقب على عدم الدعوة إلى "
            f"الجمع العام داخل الأجل بموجب المادة 97 من القانون 112.12 بغرامة من {fine_ar}، وفي "
            f"حالة العود يعتبر أعضاء مجلس الإدارة مستقيلين.",
        ),
        FINE_ARTICLE,
    )


@dataclass(frozen=True)
class QuorumRow:
    """One line of the quorum table, for pages and documentation."""

    kind: AssemblyKind
    call: int
    members: int
    required: int
    basis: Basis


def quorum_table(members: int) -> list[QuorumRow]:
    """The whole table for one cooperative's size, as an officer checks it."""
    return [
        QuorumRow(kind, call, members, required_quorum(kind, call, members), GENERAL_ASSEMBLY)
        for kind in ASSEMBLY_KINDS
        for call in range(1, MAX_CALLS + 1)
    ]


# --- the supervising officer's checks on the record of a meeting ---------------------------------


def _normalised_agenda(agenda: Sequence[str]) -> list[str]:
    """An agenda read as its items: spacing and letter case do not make a new item."""
    return [" ".join(item.split()).casefold() for item in agenda]


def convocation_reasons(
    *,
    kind: AssemblyKind,
    expected_kind: AssemblyKind,
    call: int,
    expected_call: int,
    agenda: Sequence[str],
    first_agenda: Sequence[str] | None,
) -> list[Reason]:
    """Why a convocation does not follow the calls before it; empty when it does.

    An assembly is the same assembly from one call to the next: of the same kind, called in
    order (first, then second, then third), with the same agenda. Changing the agenda is a new
    assembly, which starts again at a first call with 15 full days' notice."""
    _check_kind(kind)
    _check_kind(expected_kind)
    reasons: list[Reason] = []
    if kind != expected_kind:
        reasons.append(
            Reason(
                "assembly_kind_mismatch",
                Text(
                    fr=f"Ce dossier suit une {KIND_TITLES[expected_kind].fr} ; la convocation "
                    f"annonce une {KIND_TITLES[kind].fr}.",
                    ar=f"يتعلق هذا الملف بـ{KIND_TITLES[expected_kind].ar}، في حين أن الاستدعاء "
                    f"يعلن عن {KIND_TITLES[kind].ar}.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    if not 1 <= call <= MAX_CALLS:
        reasons.append(_call_out_of_range(call))
    elif call != expected_call:
        reasons.append(
            Reason(
                "assembly_call_not_next",
                Text(
                    fr=f"La prochaine convocation de cette assemblée est la convocation n° "
                    f"{expected_call} ; la convocation présentée porte le n° {call}.",
                    ar=f"الدعوة الموالية لهذا الجمع العام هي الدعوة رقم {expected_call}؛ "
                    f"والاستدعاء المقدم يحمل الرقم {call}.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    if first_agenda is not None and _normalised_agenda(agenda) != _normalised_agenda(first_agenda):
        reasons.append(
            Reason(
                "assembly_agenda_changed",
                Text(
                    fr="L'ordre du jour ne peut pas changer d'une convocation à l'autre : la "
                    "nouvelle convocation doit reprendre mot pour mot l'ordre du jour de la "
                    "première (" + " ; ".join(first_agenda) + "). Pour un autre ordre du jour, "
                    "convoquez une nouvelle assemblée.",
                    ar="لا يجوز تغيير جدول الأعمال من دعوة إلى أخرى: يجب أن يتضمن الاستدعاء "
                    "الجديد نفس جدول أعمال الدعوة الأولى (" + "؛ ".join(first_agenda) + "). "
                    "ولجدول أعمال آخر، يجب الدعوة إلى جمع عام جديد.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    return reasons


def meeting_date_reasons(*, meeting_on: date, today: date) -> list[Reason]:
    """Why a meeting cannot be recorded yet: it has not taken place."""
    if meeting_on <= today:
        return []
    return [
        Reason(
            "assembly_meeting_not_yet_held",
            Text(
                fr=f"L'assemblée est convoquée pour le {meeting_on.isoformat()} : sa tenue ne "
                f"peut être enregistrée qu'à partir de ce jour.",
                ar=f"الجمع العام مدعو للانعقاد بتاريخ {meeting_on.isoformat()}: لا يمكن تسجيل "
                f"انعقاده إلا ابتداء من هذا التاريخ.",
            ),
        )
    ]


def no_quorum_reasons(
    *, kind: AssemblyKind, call: int, members: int, present: int, last_call: bool
) -> list[Reason]:
    """Why an assembly may not be recorded as having failed for want of a quorum; empty when
    it may. `last_call` says whether the record closes the assembly (third call) or asks for
    the next call. A quorum that is met means the assembly could deliberate: record it as
    held. Only the third call can end without a next one, and only the third call must."""
    _check_kind(kind)
    if not 1 <= call <= MAX_CALLS:
        return [_call_out_of_range(call)]
    reasons: list[Reason] = []
    required = required_quorum(kind, call, members)
    if present >= required:
        reasons.append(
            Reason(
                "assembly_quorum_met",
                Text(
                    fr=f"Le quorum est atteint ({present} membre(s) présents ou représentés "
                    f"pour {required} requis) : l'assemblée pouvait délibérer. Enregistrez-la "
                    f"comme tenue.",
                    ar=f"النصاب القانوني مكتمل (الحاضرون أو الممثلون {present} والمطلوب "
                    f"{required}): كان بإمكان الجمع العام التداول. يرجى تسجيله كجمع منعقد.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    following = next_call(call)
    if last_call and following is not None:
        reasons.append(
            Reason(
                "assembly_not_last_call",
                Text(
                    fr=f"Après une {_CALL_FR[call]} convocation sans quorum, la loi prévoit une "
                    f"{_CALL_FR[following]} convocation avec le même ordre du jour : "
                    f"l'assemblée n'est pas encore réputée non tenue.",
                    ar=f"بعد الدعوة {_CALL_AR[call]} دون نصاب، ينص القانون على الدعوة "
                    f"{_CALL_AR[following]} بنفس جدول الأعمال: لا يعتبر الجمع العام بعد غير منعقد.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    if not last_call and following is None:
        reasons.append(
            Reason(
                "assembly_no_further_call",
                Text(
                    fr="La troisième convocation est la dernière prévue par la loi : il n'y a "
                    "pas de quatrième convocation. Enregistrez l'assemblée comme non tenue.",
                    ar="الدعوة الثالثة هي آخر دعوة ينص عليها القانون، ولا توجد دعوة رابعة: "
                    "يرجى تسجيل الجمع العام كجمع غير منعقد.",
                ),
                GENERAL_ASSEMBLY,
            )
        )
    return reasons


def resolution_votes_reasons(
    *, title: str, votes_for: int, votes_against: int, abstentions: int, voters: int
) -> list[Reason]:
    """Why the votes recorded on a resolution cannot be right: one member, one vote, so no
    more votes than members present or represented."""
    counted = votes_for + votes_against + abstentions
    if min(votes_for, votes_against, abstentions) < 0:
        raise ValueError(f"votes cannot be negative on {title!r}")
    if counted <= voters:
        return []
    return [
        Reason(
            "resolution_more_votes_than_voters",
            Text(
                fr=f"La résolution « {title} » compte {counted} voix (pour, contre et "
                f"abstentions) alors que {voters} membre(s) seulement sont présents ou "
                f"représentés : un membre, une voix.",
                ar=f"يتضمن القرار «{title}» {counted} من الأصوات (المؤيدة والمعارضة والممتنعة) "
                f"في حين أن عدد الأعضاء الحاضرين أو الممثلين {voters} فقط: لكل عضو صوت واحد.",
            ),
            GENERAL_ASSEMBLY,
        )
    ]


def filing_date_reasons(*, meeting_on: date, filed_on: date, today: date) -> list[Reason]:
    """Why a filing date cannot be right: before the meeting whose minutes it files, or a day
    still to come."""
    reasons: list[Reason] = []
    if filed_on < meeting_on:
        reasons.append(
            Reason(
                "assembly_filed_before_meeting",
                Text(
                    fr=f"Le dépôt du {filed_on.isoformat()} précède l'assemblée du "
                    f"{meeting_on.isoformat()} dont il dépose le procès-verbal.",
                    ar=f"تاريخ الإيداع {filed_on.isoformat()} سابق لتاريخ الجمع العام "
                    f"{meeting_on.isoformat()} الذي يودع محضره.",
                ),
            )
        )
    if filed_on > today:
        reasons.append(
            Reason(
                "date_in_future",
                Text(
                    fr=f"La date du {filed_on.isoformat()} n'est pas encore arrivée.",
                    ar=f"تاريخ {filed_on.isoformat()} لم يحل بعد.",
                ),
            )
        )
    return reasons


def pending_meeting_reasons(*, pending: bool, wanted: bool) -> list[Reason]:
    """Why a step does not fit where the assembly stands: a convened meeting must be recorded
    (held, or without quorum) before another is convened (`wanted` False), and a meeting can
    only be recorded once it is convened (`wanted` True)."""
    if pending == wanted:
        return []
    if pending:
        return [
            Reason(
                "assembly_meeting_pending",
                Text(
                    fr="Une assemblée est déjà convoquée : enregistrez d'abord sa tenue ou "
                    "l'absence de quorum.",
                    ar="سبقت الدعوة إلى جمع عام: يرجى أولا تسجيل انعقاده أو عدم اكتمال نصابه.",
                ),
            )
        ]
    return [
        Reason(
            "assembly_not_convened",
            Text(
                fr="Aucune assemblée n'est convoquée : enregistrez d'abord la convocation.",
                ar="لم تتم الدعوة إلى أي جمع عام: يرجى أولا تسجيل الاستدعاء.",
            ),
        )
    ]


def attendee_reasons(*, assigned: bool) -> list[Reason]:
    """Why no officer can be sent to attend yet: the case has no assignee."""
    if assigned:
        return []
    return [
        Reason(
            "assembly_no_attendee",
            Text(
                fr="Affectez d'abord le dossier à l'agent qui assistera à l'assemblée.",
                ar="يرجى أولا إسناد الملف إلى الموظف الذي سيحضر الجمع العام.",
            ),
        )
    ]
