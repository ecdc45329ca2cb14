"""Legal disputes brought to the office: who the parties are, whether the file can be
examined, whether a mediator is free of ties to a party, where a failed mediation goes, and
the office's own time limits ([L] Arts. 5, 79).

The statutes set how a cooperative's disputes are settled. Conciliation is optional: through
the cooperatives' union, or the National Federation of Cooperatives where there is none; if
it fails, either party goes to court ([L] Art. 79, as the law page places it). The office
gives legal assistance and intervenes to settle disputes; the law sets no time limits, so
every period here is an office setting (`DisputePolicy`) and admissibility is office
practice, not law.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from rules.calendar import OFFICE_TZ, local_day
from rules.reasons import Reason, Text, internal, law

PartyKind = Literal["member", "members_group", "board", "cooperative"]
PARTY_KINDS: tuple[PartyKind, ...] = get_args(PartyKind)
DisputeStage = Literal["admissibility", "mediation"]

CONCILIATION = law(79)
EXTENSION = internal("dispute_extension_days")

MIN_PARTIES = 2
MAX_EXTENSIONS = 1  # office practice: each stage may be extended once

# Starting values of the office settings of the same names (not law).
DEFAULT_ADMISSIBILITY_DAYS = 10
DEFAULT_MEDIATION_DAYS = 60
DEFAULT_EXTENSION_DAYS = 30

PARTY_TITLES: dict[PartyKind, Text] = {
    "member": Text(fr="un membre", ar="عضو"),
    "members_group": Text(fr="un groupe de membres", ar="مجموعة من الأعضاء"),
    "board": Text(fr="le conseil d'administration", ar="مجلس الإدارة"),
    "cooperative": Text(fr="une coopérative", ar="تعاونية"),
}


@dataclass(frozen=True)
class Party:
    """One side of a dispute. `cooperative_ref` is the cooperative the party belongs to or
    is (None for a party outside any cooperative known to the office); `member_ids` are the
    members it stands for (one for a member, several for a group)."""

    kind: PartyKind
    name: str
    cooperative_ref: str | None = None
    member_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mediator:
    """An office agent who may mediate. `cooperative_refs`: cooperatives the agent is a
    member of or works with (follow-up, accompaniment, past audit); `declared_ties`: persons
    or bodies the agent declared a tie to (names, member ids or cooperative references)."""

    username: str
    full_name: str
    cooperative_refs: tuple[str, ...] = ()
    declared_ties: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisputePolicy:
    """The office's time limits per stage of a dispute, in days, and the length of the one
    extension a stage may receive."""

    admissibility_days: int = DEFAULT_ADMISSIBILITY_DAYS
    mediation_days: int = DEFAULT_MEDIATION_DAYS
    extension_days: int = DEFAULT_EXTENSION_DAYS

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 1:
                raise ValueError(f"{name} must be at least one day, not {value}")

    def days_for(self, stage: DisputeStage, *, extended: bool = False) -> int:
        base = self.admissibility_days if stage == "admissibility" else self.mediation_days
        return base + (self.extension_days if extended else 0)


STAGE_SETTINGS: dict[DisputeStage, str] = {
    "admissibility": "dispute_admissibility_days",
    "mediation": "dispute_mediation_days",
}


# --- admissibility ----------------------------------------------------------------------------


def admissibility_reasons(*, parties: Sequence[Party], subject: str) -> list[Reason]:
    """Why a dispute cannot be examined as filed; empty when it can (office practice).

    At least two distinct parties, a subject, and a group of members that names its
    members."""
    reasons: list[Reason] = []
    distinct = {(p.kind, _fold(p.name), p.cooperative_ref) for p in parties}
    if len(distinct) < MIN_PARTIES:
        reasons.append(
            Reason(
                "dispute_needs_two_parties",
                Text(
                    fr="Un litige oppose au moins deux parties distinctes : indiquez contre qui "
                    "la demande est dirigée (un membre, un groupe de membres, le conseil "
                    "d'administration ou une autre coopérative).",
                    ar="يقوم النزاع بين طرفين متميزين على الأقل: يرجى بيان الطرف الموجه ضده "
                    "الطلب (عضو أو مجموعة من الأعضاء أو مجلس الإدارة أو تعاونية أخرى).",
                ),
            )
        )
    if not subject.strip():
        reasons.append(
            Reason(
                "dispute_needs_subject",
                Text(
                    fr="L'objet du litige n'est pas indiqué : décrivez en quelques phrases ce "
                    "qui oppose les parties.",
                    ar="لم يتم بيان موضوع النزاع: يرجى وصف ما يختلف حوله الطرفان في بضع جمل.",
                ),
            )
        )
    for party in parties:
        if party.kind == "members_group" and len(set(party.member_ids)) < MIN_PARTIES:
            reasons.append(
                Reason(
                    "dispute_group_without_members",
                    Text(
                        fr=f"Le groupe de membres « {party.name} » doit nommer au moins deux "
                        "membres de la coopérative.",
                        ar=f"يجب أن تسمي مجموعة الأعضاء «{party.name}» عضوين على الأقل من "
                        "أعضاء التعاونية.",
                    ),
                )
            )
    return reasons


# --- conflicts of interest ----------------------------------------------------------------------

# The Arabic article is written joined to the name (العلوي); the Latin one is a separate word
# (El Alaoui), never taken off a word that merely starts with it (Alaoui).
_ARABIC_ARTICLE = "ال"
_NAME_PARTICLES = frozenset({"el", "al", "ben", "bent", "ibn", "ait", "ou", "u", "بن", "بنت", "ابن"})


_ARABIC_LETTER_FOLD = str.maketrans("أإآةى", "اااهي")


def _fold(text: str) -> str:
    """Case, accents, Arabic diacritics and extra spaces away, for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("\u0640", "")  # tatweel
    bare = bare.translate(_ARABIC_LETTER_FOLD)
    cleaned = "".join(ch if ch.isalnum() else " " for ch in bare.casefold())
    return " ".join(cleaned.split())


def _without_article(word: str) -> str:
    if word.startswith(_ARABIC_ARTICLE) and len(word) - len(_ARABIC_ARTICLE) >= 2:
        return word[len(_ARABIC_ARTICLE) :]
    return word


def family_name(full_name: str) -> str | None:
    """The family name a person's full name most likely carries, folded for comparison, or
    None when it cannot be told.

    Heuristic: Moroccan administrative documents write the family name in capitals
    ("ALAOUI Fatima", "Fatima EL ALAOUI"): a run of capitalised Latin words is the family
    name. Otherwise the family name is the last word ("Fatima Alaoui", "فاطمة العلوي").
    A leading article (El, Al, ال) is dropped ("El Alaoui", "Alaoui" and "العلوي" /
    "علوي" compare alike within their script), and particles (ben, ait, بن) are not family
    names by themselves. Names in different scripts are not compared: an officer checks
    those, and the mediator's declared ties cover them."""
    words = full_name.split()
    capitals = [w for w in words if w.isupper() and len(w) > 1 and w.isascii()]
    chosen = capitals if capitals else words[-1:]
    parts = [_without_article(p) for p in _fold(" ".join(chosen)).split()]
    kept = [p for p in parts if p not in _NAME_PARTICLES]
    if not kept or len(kept[-1]) < 2:
        return None
    return kept[-1]


def _tie_matches(tie: str, party: Party) -> bool:
    folded = _fold(tie)
    if not folded:
        return False
    candidates = {_fold(party.name), *(_fold(m) for m in party.member_ids)}
    if party.cooperative_ref:
        candidates.add(_fold(party.cooperative_ref))
    return folded in candidates


def conflict_reasons(*, mediator: Mediator, parties: Sequence[Party]) -> list[Reason]:
    """Why this mediator may not mediate between these parties; empty when nothing ties them.

    A mediator is refused when: they are a member of, or work with, a party's cooperative;
    one of their declared ties names a party, one of its members or its cooperative; or a
    party who is a natural person (a member) carries the mediator's family name (see
    `family_name` for the heuristic: a shared family name is not proof of kinship, but the
    office prefers another mediator to a doubt)."""
    reasons: list[Reason] = []
    own_cooperatives = {_fold(ref) for ref in mediator.cooperative_refs}
    mediator_family = family_name(mediator.full_name)
    for party in parties:
        if party.cooperative_ref and _fold(party.cooperative_ref) in own_cooperatives:
            reasons.append(
                Reason(
                    "mediator_tied_to_cooperative",
                    Text(
                        fr=f"{mediator.full_name} est membre de la coopérative "
                        f"{party.cooperative_ref} ou travaille avec elle, et « {party.name} » en "
                        "relève : un autre médiateur doit être désigné.",
                        ar=f"{mediator.full_name} عضو في التعاونية {party.cooperative_ref} أو "
                        f"يعمل معها، والطرف «{party.name}» تابع لها: يجب تعيين وسيط آخر.",
                    ),
                )
            )
        tie = next((t for t in mediator.declared_ties if _tie_matches(t, party)), None)
        if tie is not None:
            reasons.append(
                Reason(
                    "mediator_declared_tie",
                    Text(
                        fr=f"{mediator.full_name} a déclaré un lien avec « {tie} », qui désigne "
                        f"la partie « {party.name} » : un autre médiateur doit être désigné.",
                        ar=f"صرح {mediator.full_name} بوجود علاقة مع «{tie}»، وهو ما يخص الطرف "
                        f"«{party.name}»: يجب تعيين وسيط آخر.",
                    ),
                )
            )
        if (
            party.kind == "member"
            and mediator_family is not None
            and family_name(party.name) == mediator_family
        ):
            reasons.append(
                Reason(
                    "mediator_same_family_name",
                    Text(
                        fr=f"{mediator.full_name} porte le même nom de famille que la partie "
                        f"« {party.name} » : par précaution, un autre médiateur doit être "
                        "désigné.",
                        ar=f"يحمل {mediator.full_name} نفس الاسم العائلي للطرف «{party.name}»: "
                        "يجب من باب الاحتياط تعيين وسيط آخر.",
                    ),
                )
            )
    return reasons


# --- conciliation and time limits ---------------------------------------------------------------


def conciliation_body(*, has_union: bool) -> Text:
    """Where a failed mediation may go for conciliation before the court: the union the
    cooperative belongs to, or the National Federation of Cooperatives where there is none
    ([L] Art. 79). Conciliation is optional; either party may go to court."""
    if has_union:
        return Text(
            fr="l'union de coopératives à laquelle la coopérative adhère",
            ar="اتحاد التعاونيات الذي تنخرط فيه التعاونية",
        )
    return Text(fr="la Fédération nationale des coopératives", ar="الجامعة الوطنية للتعاونيات")


def extension_reasons(*, already_extended: bool) -> list[Reason]:
    """Why a stage's time limit may not be extended; empty when it may (once per stage)."""
    if not already_extended:
        return []
    return [
        Reason(
            "dispute_already_extended",
            Text(
                fr="Le délai de cette étape a déjà été prolongé une fois ; une seule "
                "prolongation est permise par étape.",
                ar="سبق تمديد أجل هذه المرحلة مرة واحدة؛ ولا يسمح إلا بتمديد واحد لكل مرحلة.",
            ),
            EXTENSION,
        )
    ]


# --- sessions and outcome -------------------------------------------------------------------------


def session_reasons(
    *, at: datetime, now: datetime, mediation_ends: datetime | None
) -> list[Reason]:
    """Why a mediation session cannot be set at `at`; empty when it can. A session is set
    ahead of time (the parties must be convened) and within the mediation's time limit:
    past it, the limit is extended first (office practice). `mediation_ends` is the instant
    the mediation's period closes, None when it is not running."""
    reasons: list[Reason] = []
    if at <= now:
        reasons.append(
            Reason(
                "session_in_the_past",
                Text(
                    fr=f"La séance ne peut pas être fixée au {_moment(at)} : cette date est "
                    "passée. Choisissez une date à venir pour convoquer les parties.",
                    ar=f"لا يمكن تحديد الجلسة في {_moment(at)}: هذا التاريخ قد مضى. يرجى "
                    "اختيار تاريخ لاحق لاستدعاء الأطراف.",
                ),
            )
        )
    if mediation_ends is not None and at >= mediation_ends:
        last = _last_day(mediation_ends)
        reasons.append(
            Reason(
                "session_after_mediation_period",
                Text(
                    fr=f"La séance du {_moment(at)} tomberait après la fin du délai de médiation "
                    f"({last} inclus) : prolongez d'abord ce délai ou fixez une date plus proche.",
                    ar=f"ستنعقد جلسة {_moment(at)} بعد انتهاء أجل الوساطة ({last}): يرجى تمديد "
                    "هذا الأجل أولا أو اختيار تاريخ أقرب.",
                ),
                internal(STAGE_SETTINGS["mediation"]),
            )
        )
    return reasons


def minutes_reasons(*, session_at: datetime, now: datetime) -> list[Reason]:
    """Why the minutes of a session cannot be recorded yet: a session is held, and its
    minutes written, once it has begun."""
    if now >= session_at:
        return []
    return [
        Reason(
            "session_not_yet_held",
            Text(
                fr=f"La séance est fixée au {_moment(session_at)} : son procès-verbal ne peut être "
                "enregistré qu'une fois la séance tenue.",
                ar=f"الجلسة محددة في {_moment(session_at)}: لا يمكن تسجيل محضرها إلا بعد "
                "انعقادها.",
            ),
        )
    ]


def outcome_reasons(*, sessions_held: int) -> list[Reason]:
    """Why a mediation cannot end in an agreement or a failure yet: the office records
    either only after meeting the parties at least once (office practice). A party may
    still withdraw at any time."""
    if sessions_held >= 1:
        return []
    return [
        Reason(
            "mediation_without_session",
            Text(
                fr="Aucune séance de médiation n'a encore été tenue avec les parties : tenez-en "
                "au moins une (avec son procès-verbal) avant de constater un accord ou un échec.",
                ar="لم تنعقد بعد أي جلسة وساطة مع الأطراف: يرجى عقد جلسة واحدة على الأقل "
                "(مع محضرها) قبل معاينة الاتفاق أو الفشل.",
            ),
        )
    ]


def _moment(at: datetime) -> str:
    """A session's date and time on the office's wall clock."""
    return at.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def _last_day(period_end: datetime) -> str:
    """A period ends at the midnight that closes its last day (see `rules.calendar`)."""
    return (local_day(period_end) - timedelta(days=1)).isoformat()


def mediator_reasons(
    *, username: str, mediator: Mediator | None, parties: Sequence[Party]
) -> list[Reason]:
    """Why this person may not mediate this dispute: a mediator is one of the office's
    legal staff who can take the case (`mediator` is None when `username` is not one), and
    is free of ties to every party (`conflict_reasons`)."""
    if mediator is None:
        return [
            Reason(
                "mediator_not_legal_staff",
                Text(
                    fr=f"« {username} » ne fait pas partie du personnel juridique qui peut "
                    "mener cette médiation (juristes actifs de la délégation ou du siège).",
                    ar=f"«{username}» ليس من الأطر القانونية التي يمكنها تولي هذه الوساطة "
                    "(القانونيون العاملون بالمندوبية أو بالمقر المركزي).",
                ),
            )
        ]
    return conflict_reasons(mediator=mediator, parties=parties)
