"""The central register: what a local registration must satisfy when its copy reaches the
office, the national number it receives, and the lateness of transmissions and changes
([L] Arts. 7-14, [D] Arts. 1-13).

A cooperative is registered in the local register kept by the clerk of the court of first
instance; the clerk sends a copy to the central register (the office), which records it with
a national number. The office checks the entry against the certificate of name it issued and
against the founding minimums, and flags what arrives late.

Articles. Found in the decree's text as published in the Bulletin officiel (édition
générale n° 6926, public copy): [D] Art. 1 — the application for registration in the local
register ([L] Art. 9) goes to the clerk of the court of first instance with the documents of
[L] Art. 11 and the name approved by the office under the first paragraph of [L] Art. 7.
Changes are filed within 30 days under [L] Art. 12 (law page). The other rules (founding
minimums, the clerk's 20 days, the four numbering series) are given by the law page only
within the ranges [L] Arts. 7-14 and [D] Arts. 1-13, and no public source we could search
states their exact article: they cite those ranges as string articles.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Literal, get_args

from rules.calendar import local_day
from rules.names import same_as_key
from rules.reasons import Reason, Text, decree, law

MemberKind = Literal["natural", "legal", "mixed", "union"]
MEMBER_KINDS: tuple[MemberKind, ...] = get_args(MemberKind)

ChangeKind = Literal["board", "statutes", "merger", "dissolution", "other"]
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)

# Ranges: the law page gives no exact article for these rules (see the module docstring).
FOUNDING = law("7-14")
REGISTER_KEEPING = decree("1-13")
# Found: the local registration is asked with the name approved by the office ([D] Art. 1).
LOCAL_REGISTRATION = decree(1)
CERTIFICATE_VALIDITY = decree(4)
CHANGES = law(12)

MIN_MEMBERS = 5  # for the cooperative's whole life, [L] Arts. 7-14
MIN_CAPITAL_MAD = 1_000  # [L] Arts. 7-14
MIN_SHARE_VALUE_MAD = 100  # [L] Arts. 7-14
PAID_AT_SUBSCRIPTION = Fraction(1, 4)  # of the capital, the rest within 3 years, [L] Arts. 7-14
TRANSMISSION_DAYS = 20  # the clerk's copy to the central register, [D] Arts. 1-13
CHANGE_FILING_DAYS = 30  # [L] Art. 12

# The four numbering series of the central register; numbers restart each 1 January.
SERIES: dict[MemberKind, int] = {"natural": 1, "legal": 2, "mixed": 3, "union": 4}
SERIES_TITLES: dict[int, Text] = {
    1: Text(fr="coopératives de personnes physiques", ar="تعاونيات الأشخاص الذاتيين"),
    2: Text(fr="coopératives de personnes morales", ar="تعاونيات الأشخاص المعنويين"),
    3: Text(fr="coopératives mixtes", ar="التعاونيات المختلطة"),
    4: Text(fr="unions de coopératives", ar="اتحادات التعاونيات"),
}
CHANGE_TITLES: dict[ChangeKind, Text] = {
    "board": Text(fr="le changement du conseil d'administration", ar="تغيير مجلس الإدارة"),
    "statutes": Text(fr="la modification des statuts", ar="تعديل النظام الأساسي"),
    "merger": Text(fr="la fusion", ar="الاندماج"),
    "dissolution": Text(fr="la dissolution", ar="الحل"),
    "other": Text(fr="la modification", ar="التغيير"),
}

# The certificate states in which a name was granted: still valid, expired, or expired and
# never extended. Its validity end, not its state, says whether it covered the registration.
GRANTED_CERTIFICATE_STATES = frozenset({"approved", "expired", "lapsed"})
USED_CERTIFICATE_STATE = "used"

_MAX_SEQ = 999_999
_NATIONAL_NUMBER = re.compile(r"(\d{4})/([1-4])/(\d{6})")


# --- national numbers ------------------------------------------------------------------------


def series_for(kind: MemberKind) -> int:
    """The numbering series: 1 natural persons, 2 legal persons, 3 mixed, 4 unions."""
    try:
        return SERIES[kind]
    except KeyError:
        raise ValueError(f"unknown kind of cooperative {kind!r}") from None


@dataclass(frozen=True, order=True)
class NationalNumber:
    """A national registration number, `YYYY/S/NNNNNN`: the year of recording, the series,
    the rank within that year and series."""

    year: int
    series: int
    seq: int

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 9999:
            raise ValueError(f"a registration year has four digits, not {self.year}")
        if self.series not in SERIES_TITLES:
            raise ValueError(f"the series is 1 to 4, not {self.series}")
        if not 1 <= self.seq <= _MAX_SEQ:
            raise ValueError(f"the rank within a series is 1 to {_MAX_SEQ}, not {self.seq}")

    def __str__(self) -> str:
        return f"{self.year:04d}/{self.series}/{self.seq:06d}"


def national_number(year: int, series: int, seq: int) -> str:
    """Formatted `YYYY/S/NNNNNN`, e.g. 2025/1/000042."""
    return str(NationalNumber(year, series, seq))


def parse_national_number(text: str) -> NationalNumber:
    """The inverse of `national_number`; surrounding spaces are ignored, nothing else is."""
    match = _NATIONAL_NUMBER.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a national registration number (YYYY/S/NNNNNN): {text!r}")
    year, series, seq = match.groups()
    return NationalNumber(int(year), int(series), int(seq))


def next_national_number(last: str | None, *, year: int, series: int) -> str:
    """The number that follows `last` (the highest number given so far in this series, or
    None): numbering restarts at 1 each 1 January, per series."""
    if last is None:
        return national_number(year, series, 1)
    previous = parse_national_number(last)
    if previous.series != series:
        raise ValueError(f"{last} is in series {previous.series}, not {series}")
    if previous.year > year:
        raise ValueError(f"{last} was given after {year}")
    if previous.year < year:
        return national_number(year, series, 1)
    return national_number(year, series, previous.seq + 1)


# --- founding minimums -----------------------------------------------------------------------


def founding_reasons(*, members: int, capital: int, share_value: int, paid: int) -> list[Reason]:
    """Why the founding minimums are not met; empty when they are.

    At least 5 members; a capital of at least 1,000 dirhams in shares of at least 100
    dirhams; at least a quarter of the capital paid at subscription. Amounts in dirhams."""
    reasons: list[Reason] = []
    if members < MIN_MEMBERS:
        reasons.append(
            Reason(
                "founding_too_few_members",
                Text(
                    fr=f"Une coopérative compte au moins {MIN_MEMBERS} membres, pendant toute sa "
                    f"vie ; ce dossier n'en déclare que {members}.",
                    ar=f"يجب ألا يقل عدد أعضاء التعاونية عن {MIN_MEMBERS} طيلة حياتها؛ وهذا "
                    f"الملف لا يصرح إلا بـ{members}.",
                ),
                FOUNDING,
            )
        )
    if capital < MIN_CAPITAL_MAD:
        reasons.append(
            Reason(
                "founding_capital_too_low",
                Text(
                    fr=f"Le capital d'une coopérative est d'au moins 1 000 dirhams ; il est ici "
                    f"de {capital} dirhams.",
                    ar=f"يجب ألا يقل رأسمال التعاونية عن 1.000 درهم؛ وهو هنا {capital} درهم.",
                ),
                FOUNDING,
            )
        )
    if share_value < MIN_SHARE_VALUE_MAD:
        reasons.append(
            Reason(
                "founding_share_too_low",
                Text(
                    fr=f"Chaque part sociale vaut au moins 100 dirhams ; elle est ici de "
                    f"{share_value} dirhams.",
                    ar=f"يجب ألا تقل قيمة كل حصة عن 100 درهم؛ وهي هنا {share_value} درهم.",
                ),
                FOUNDING,
            )
        )
    if paid < 0 or paid > capital:
        reasons.append(
            Reason(
                "founding_paid_inconsistent",
                Text(
                    fr=f"Le montant libéré ({paid} dirhams) doit être compris entre zéro et le "
                    f"capital souscrit ({capital} dirhams) : corrigez le dossier.",
                    ar=f"يجب أن يكون المبلغ المحرر ({paid} درهم) بين الصفر ورأس المال المكتتب "
                    f"({capital} درهم): يرجى تصحيح الملف.",
                ),
                FOUNDING,
            )
        )
    elif paid < PAID_AT_SUBSCRIPTION * capital:
        needed = math.ceil(PAID_AT_SUBSCRIPTION * capital)
        reasons.append(
            Reason(
                "founding_quarter_not_paid",
                Text(
                    fr=f"Le quart au moins du capital est libéré à la souscription, soit "
                    f"{needed} dirhams pour un capital de {capital} dirhams ; seuls {paid} "
                    f"dirhams l'ont été. Le reste est libéré dans les trois ans.",
                    ar=f"يجب تحرير ربع رأس المال على الأقل عند الاكتتاب، أي {needed} درهم "
                    f"لرأسمال قدره {capital} درهم؛ ولم يحرر إلا {paid} درهم. ويحرر الباقي "
                    f"داخل أجل ثلاث سنوات.",
                ),
                FOUNDING,
            )
        )
    return reasons


# --- the certificate of name used -----------------------------------------------------------


def last_valid_day(valid_until: datetime) -> date:
    """The last local day a certificate covers. `valid_until` is the instant its validity
    ends; a validity ending at midnight (as the deadlines do) covers the day before it."""
    return local_day(valid_until - timedelta(microseconds=1))


def certificate_reasons(
    *,
    certificate_state: str | None,
    granted_name: str | None,
    registered_name: str,
    valid_until: datetime | None,
    local_registered_on: date,
) -> list[Reason]:
    """Why the local registration cannot be recorded against the certificate of name it
    used; empty when it can.

    The certificate must exist and have granted a name (approved, or since expired: what
    counts is that the local registration was made on or before its last valid day), and
    the registered name must be the same as the granted one, with the "same as" key of
    `rules.names` (accents, articles, the cooperative word and punctuation aside)."""
    if certificate_state is None:
        return [
            Reason(
                "registration_certificate_missing",
                Text(
                    fr="Aucun certificat de dénomination délivré par l'Office n'est rattaché à "
                    "cette immatriculation. La demande d'immatriculation au registre local doit "
                    "être accompagnée de la dénomination approuvée par l'Office.",
                    ar="لا ترتبط بهذا التسجيل أي شهادة تسمية سلمها المكتب. ويجب أن يرفق طلب "
                    "التسجيل في السجل المحلي بالتسمية التي صادق عليها المكتب.",
                ),
                LOCAL_REGISTRATION,
            )
        ]
    if certificate_state == USED_CERTIFICATE_STATE:
        return [
            Reason(
                "registration_certificate_already_used",
                Text(
                    fr="Ce certificat de dénomination a déjà servi à une autre immatriculation : "
                    "un certificat ne sert qu'une fois.",
                    ar="سبق استعمال شهادة التسمية هذه في تسجيل آخر: لا تستعمل الشهادة إلا مرة "
                    "واحدة.",
                ),
                LOCAL_REGISTRATION,
            )
        ]
    if certificate_state not in GRANTED_CERTIFICATE_STATES:
        return [
            Reason(
                "registration_certificate_not_granted",
                Text(
                    fr="Le certificat de dénomination cité n'a pas été accordé (demande en cours "
                    "d'examen ou refusée) : aucun nom n'a été approuvé pour cette "
                    "immatriculation.",
                    ar="لم تمنح شهادة التسمية المشار إليها (الطلب قيد الدراسة أو مرفوض): لم "
                    "تتم المصادقة على أي اسم لهذا التسجيل.",
                ),
                LOCAL_REGISTRATION,
            )
        ]
    reasons: list[Reason] = []
    if valid_until is None:
        reasons.append(
            Reason(
                "registration_certificate_validity_unknown",
                Text(
                    fr="La date de fin de validité du certificat de dénomination est inconnue : "
                    "on ne peut pas vérifier qu'il était valable le jour de l'immatriculation.",
                    ar="تاريخ انتهاء صلاحية شهادة التسمية غير معروف: لا يمكن التحقق من أنها "
                    "كانت صالحة يوم التسجيل.",
                ),
                CERTIFICATE_VALIDITY,
            )
        )
    else:
        last = last_valid_day(valid_until)
        if local_registered_on > last:
            late = (local_registered_on - last).days
            reasons.append(
                Reason(
                    "registration_certificate_expired",
                    Text(
                        fr=f"Le certificat de dénomination était valable jusqu'au "
                        f"{last.isoformat()} inclus ; l'immatriculation au registre local, le "
                        f"{local_registered_on.isoformat()}, est intervenue {late} jour(s) après "
                        f"son expiration.",
                        ar=f"كانت شهادة التسمية صالحة إلى غاية {last.isoformat()}؛ وقد تم "
                        f"التسجيل في السجل المحلي بتاريخ {local_registered_on.isoformat()}، أي "
                        f"بعد انتهاء صلاحيتها بـ{late} من الأيام.",
                    ),
                    CERTIFICATE_VALIDITY,
                )
            )
    if granted_name is None or same_as_key(granted_name) != same_as_key(registered_name):
        granted_fr = f"« {granted_name} »" if granted_name else "aucun nom"
        granted_ar = f"«{granted_name}»" if granted_name else "أي اسم"
        reasons.append(
            Reason(
                "registration_name_mismatch",
                Text(
                    fr=f"Le nom immatriculé « {registered_name} » n'est pas celui qu'accorde le "
                    f"certificat ({granted_fr}). Une coopérative s'immatricule sous le nom "
                    f"approuvé par l'Office.",
                    ar=f"الاسم المسجل «{registered_name}» ليس هو الاسم الذي منحته الشهادة "
                    f"({granted_ar}). تسجل التعاونية بالاسم الذي صادق عليه المكتب.",
                ),
                LOCAL_REGISTRATION,
            )
        )
    return reasons


# --- lateness --------------------------------------------------------------------------------


def transmission_delay(*, local_registered_on: date, received_on: date) -> int:
    """Days between the local registration and the copy's arrival at the central register
    (the registration day not counted: a copy received the next day took 1 day)."""
    if received_on < local_registered_on:
        raise ValueError(
            f"a copy cannot arrive ({received_on}) before the registration ({local_registered_on})"
        )
    return (received_on - local_registered_on).days


def transmission_reasons(
    *, local_registered_on: date, received_on: date, court: str | None = None
) -> list[Reason]:
    """A warning (code "late_transmission") when the clerk's copy arrives more than 20 days
    after the local registration. It does not block the recording: the cooperative is not at
    fault, and the lateness is reported per court."""
    delay = transmission_delay(local_registered_on=local_registered_on, received_on=received_on)
    if delay <= TRANSMISSION_DAYS:
        return []
    court_fr = f" du tribunal de première instance de {court}" if court else ""
    court_ar = f" لدى المحكمة الابتدائية بـ{court}" if court else ""
    return [
        Reason(
            "late_transmission",
            Text(
                fr=f"Le greffe{court_fr} adresse au registre central une copie de chaque "
                f"immatriculation dans les 20 jours. Immatriculée le "
                f"{local_registered_on.isoformat()}, cette coopérative n'a été reçue que le "
                f"{received_on.isoformat()}, après {delay} jours.",
                ar=f"توجه كتابة الضبط{court_ar} إلى السجل المركزي نسخة من كل تسجيل داخل أجل 20 "
                f"يوما. وقد سجلت هذه التعاونية بتاريخ {local_registered_on.isoformat()} ولم "
                f"يتوصل بها إلا بتاريخ {received_on.isoformat()}، أي بعد مرور {delay} من الأيام.",
            ),
            REGISTER_KEEPING,
        )
    ]


def change_filing_due(decided_on: date) -> date:
    """The last day to file a change: 30 full days after the decision."""
    return decided_on + timedelta(days=CHANGE_FILING_DAYS)


def change_filing_reasons(
    *, decided_on: date, filed_on: date, kind: ChangeKind = "other"
) -> list[Reason]:
    """A lateness reason when a change (board, statutes, merger, dissolution) is filed more
    than 30 days after it was decided ([L] Art. 12); empty when it is in time."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown kind of change {kind!r}")
    due = change_filing_due(decided_on)
    if filed_on <= due:
        return []
    late = (filed_on - due).days
    what = CHANGE_TITLES[kind]
    return [
        Reason(
            "late_change_filing",
            Text(
                fr=f"Toute modification doit être déposée dans les 30 jours de la décision. La "
                f"décision du {decided_on.isoformat()} ({what.fr}) devait l'être au plus tard le "
                f"{due.isoformat()} ; déposée le {filed_on.isoformat()}, elle l'est avec {late} "
                f"jour(s) de retard.",
                ar=f"يجب إيداع كل تغيير داخل أجل 30 يوما من تاريخ القرار. وكان يجب إيداع القرار "
                f"المؤرخ في {decided_on.isoformat()} ({what.ar}) في أجل أقصاه {due.isoformat()}؛ "
                f"وقد أودع بتاريخ {filed_on.isoformat()}، أي بتأخير {late} من الأيام.",
            ),
            CHANGES,
        )
    ]


# --- the cooperative a change is filed against --------------------------------------------------

ACTIVE_STATUS = "active"
_STATUS_TITLES: dict[str, Text] = {
    "dissolved": Text(fr="dissoute", ar="منحلة"),
    "struck_off": Text(fr="radiée du registre", ar="مشطب عليها من السجل"),
}


def change_target_reasons(*, national_number: str | None, status: str | None) -> list[Reason]:
    """Why a change cannot be entered in the central register: the filing names no
    cooperative of the register (`national_number` None), or one that is no longer active
    (dissolved or struck off: its entry is closed). Empty when it can ([L] Art. 12)."""
    if national_number is None:
        return [
            Reason(
                "change_cooperative_unknown",
                Text(
                    fr="Cette modification ne se rattache à aucune coopérative inscrite au "
                    "registre central : une modification se dépose pour une coopérative déjà "
                    "immatriculée.",
                    ar="لا يرتبط هذا التغيير بأي تعاونية مقيدة في السجل المركزي: يودع التغيير "
                    "بالنسبة لتعاونية سبق تسجيلها.",
                ),
                CHANGES,
            )
        ]
    if status is None or status == ACTIVE_STATUS:
        return []
    title = _STATUS_TITLES.get(status, Text(fr=status, ar=status))
    return [
        Reason(
            "change_cooperative_closed",
            Text(
                fr=f"La coopérative n° {national_number} est {title.fr} : son inscription est "
                f"close et ne reçoit plus de modification.",
                ar=f"التعاونية رقم {national_number} {title.ar}: تقييدها مغلق ولا يقبل أي "
                f"تغيير.",
            ),
            CHANGES,
        )
    ]
