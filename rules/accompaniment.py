"""Accompaniment programmes: the development plan agreed after a diagnosis of needs, the
attendance at training sessions, and the evaluations that close the programme.

This is the office's own service (training, diagnosis and development plans, evaluation of
sessions, reports), not an obligation of the law: no article applies, and the rules below
are office practice. Nothing here reads a clock; dates are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal, get_args

from rules.reasons import Reason, Text

Area = Literal["organisation", "management", "accounting", "marketing"]
AREAS: tuple[Area, ...] = get_args(Area)

AREA_TITLES: dict[Area, Text] = {
    "organisation": Text(fr="organisation", ar="التنظيم"),
    "management": Text(fr="gestion", ar="التدبير"),
    "accounting": Text(fr="comptabilité", ar="المحاسبة"),
    "marketing": Text(fr="commercialisation", ar="التسويق"),
}


@dataclass(frozen=True)
class PlanAction:
    """One action of a development plan (a training session is an action too)."""

    title: str
    area: str | None
    due_on: date | None
    owner: str | None


@dataclass(frozen=True)
class Session:
    """A training session of the programme, as the evaluation sees it. Cancelled sessions
    are left out by the caller: they are neither held nor awaited."""

    title: str
    held_on: date | None
    invited: int
    present: int
    evaluated: bool


def area_title(area: str) -> Text:
    if area not in AREA_TITLES:
        raise ValueError(f"unknown area {area!r}")
    return AREA_TITLES[area]  # type: ignore[index]


def plan_reasons(
    *, areas: Sequence[str], actions: Sequence[PlanAction], agreed_on: date | None = None
) -> list[Reason]:
    """Why a development plan cannot be agreed as written; empty when it can.

    The plan rests on at least one area the diagnosis found (organisation, management,
    accounting, marketing); it has actions, and each action has a diagnosed area, a due
    date (not before the plan is agreed, when that date is given) and an owner."""
    reasons: list[Reason] = []
    known = [a for a in areas if a in AREA_TITLES]
    for unknown in dict.fromkeys(a for a in areas if a not in AREA_TITLES):
        reasons.append(
            Reason(
                "plan_unknown_area",
                Text(
                    fr=f"« {unknown} » n'est pas un domaine d'accompagnement : les domaines sont "
                    "l'organisation, la gestion, la comptabilité et la commercialisation.",
                    ar=f"«{unknown}» ليس مجالا من مجالات المواكبة: المجالات هي التنظيم والتدبير "
                    "والمحاسبة والتسويق.",
                ),
            )
        )
    if not known:
        reasons.append(
            Reason(
                "plan_without_area",
                Text(
                    fr="Le plan de développement doit porter sur au moins un domaine relevé par "
                    "le diagnostic.",
                    ar="يجب أن يشمل مخطط التنمية مجالا واحدا على الأقل من المجالات التي حددها "
                    "التشخيص.",
                ),
            )
        )
    if not actions:
        reasons.append(
            Reason(
                "plan_without_actions",
                Text(
                    fr="Le plan de développement ne comporte aucune action : ajoutez les actions "
                    "et les formations convenues avec la coopérative.",
                    ar="لا يتضمن مخطط التنمية أي إجراء: يرجى إضافة الإجراءات والدورات التكوينية "
                    "المتفق عليها مع التعاونية.",
                ),
            )
        )
    for action in actions:
        reasons.extend(_action_reasons(action, known, agreed_on))
    return reasons


def _action_reasons(action: PlanAction, known: Sequence[str], agreed_on: date | None) -> list[Reason]:
    reasons: list[Reason] = []
    name = action.title
    if action.area is None or not action.area.strip():
        reasons.append(
            Reason(
                "action_without_area",
                Text(
                    fr=f"L'action « {name} » n'est rattachée à aucun domaine.",
                    ar=f"الإجراء «{name}» غير مرتبط بأي مجال.",
                ),
            )
        )
    elif action.area not in known:
        reasons.append(
            Reason(
                "action_area_not_diagnosed",
                Text(
                    fr=f"L'action « {name} » relève du domaine « {action.area} », que le "
                    "diagnostic n'a pas retenu pour ce plan.",
                    ar=f"الإجراء «{name}» يندرج في مجال «{action.area}» الذي لم يحدده التشخيص "
                    "لهذا المخطط.",
                ),
            )
        )
    if action.due_on is None:
        reasons.append(
            Reason(
                "action_without_due_date",
                Text(
                    fr=f"L'action « {name} » n'a pas d'échéance.",
                    ar=f"الإجراء «{name}» ليس له أجل للإنجاز.",
                ),
            )
        )
    elif agreed_on is not None and action.due_on < agreed_on:
        reasons.append(
            Reason(
                "action_due_before_plan",
                Text(
                    fr=f"L'échéance de l'action « {name} » ({action.due_on.isoformat()}) précède "
                    f"la date du plan ({agreed_on.isoformat()}).",
                    ar=f"أجل إنجاز الإجراء «{name}» ({action.due_on.isoformat()}) سابق لتاريخ "
                    f"المخطط ({agreed_on.isoformat()}).",
                ),
            )
        )
    if action.owner is None or not action.owner.strip():
        reasons.append(
            Reason(
                "action_without_owner",
                Text(
                    fr=f"L'action « {name} » n'a pas de responsable : indiquez qui la mène.",
                    ar=f"الإجراء «{name}» ليس له مسؤول: يرجى بيان من يتولى إنجازه.",
                ),
            )
        )
    return reasons


def attendance_rate(*, invited: int, present: int) -> Fraction:
    """The share of invited participants who attended, 0 to 1 (exact, to be rounded only
    for display). A session with nobody invited has a rate of 0."""
    if invited < 0 or present < 0:
        raise ValueError(f"counts cannot be negative: {invited} invited, {present} present")
    if present > invited:
        raise ValueError(f"more present ({present}) than invited ({invited})")
    if invited == 0:
        return Fraction(0)
    return Fraction(present, invited)


def programme_attendance(sessions: Sequence[Session]) -> Fraction:
    """Attendance over the sessions held: everyone present over everyone invited."""
    held = [s for s in sessions if s.held_on is not None]
    return attendance_rate(
        invited=sum(s.invited for s in held), present=sum(s.present for s in held)
    )


def evaluation_reasons(*, sessions: Sequence[Session]) -> list[Reason]:
    """Why the programme's final evaluation cannot be made yet; empty when it can: at least
    one session was held, every planned session was held, and each was evaluated."""
    reasons: list[Reason] = []
    if not any(s.held_on is not None for s in sessions):
        reasons.append(
            Reason(
                "no_session_held",
                Text(
                    fr="Aucune session de formation n'a encore été tenue : l'évaluation finale "
                    "porte sur les sessions réalisées.",
                    ar="لم تنعقد بعد أي دورة تكوينية: ينصب التقييم النهائي على الدورات المنجزة.",
                ),
            )
        )
    pending = [s.title for s in sessions if s.held_on is None]
    if pending and len(pending) < len(sessions):
        reasons.append(
            Reason(
                "session_not_held",
                Text(
                    fr="Des sessions prévues n'ont pas été tenues ("
                    + ", ".join(f"« {t} »" for t in pending)
                    + ") : tenez-les ou annulez-les avant l'évaluation finale.",
                    ar="لم تنعقد بعض الدورات المبرمجة ("
                    + "، ".join(f"«{t}»" for t in pending)
                    + "): يرجى عقدها أو إلغاؤها قبل التقييم النهائي.",
                ),
            )
        )
    unevaluated = [s.title for s in sessions if s.held_on is not None and not s.evaluated]
    if unevaluated:
        reasons.append(
            Reason(
                "session_not_evaluated",
                Text(
                    fr="Chaque session est évaluée avant l'évaluation finale ; ne le sont pas "
                    "encore : " + ", ".join(f"« {t} »" for t in unevaluated) + ".",
                    ar="يجب تقييم كل دورة قبل التقييم النهائي؛ ولم يتم بعد تقييم: "
                    + "، ".join(f"«{t}»" for t in unevaluated)
                    + ".",
                ),
            )
        )
    return reasons


# --- the agreed plan as it is carried out -------------------------------------------------------

ItemKind = Literal["action", "session"]
Step = Literal["complete", "hold", "evaluate", "cancel"]

_STEP_KIND: dict[Step, ItemKind] = {
    "complete": "action", "hold": "session", "evaluate": "session", "cancel": "session",
}


@dataclass(frozen=True)
class Progress:
    """Where one item of an agreed plan stands: an action done or not yet; a training
    session held (`done_on`), evaluated, or cancelled."""

    title: str
    kind: ItemKind
    due_on: date | None
    done_on: date | None = None
    cancelled: bool = False
    evaluated: bool = False


def training_reasons(*, sessions: int) -> list[Reason]:
    """Why a plan cannot be agreed without training: the programme ends with the
    evaluation of the sessions held, so it needs at least one."""
    if sessions >= 1:
        return []
    return [
        Reason(
            "plan_without_training",
            Text(
                fr="Le programme d'accompagnement comporte au moins une session de formation : "
                "l'évaluation finale porte sur les sessions tenues.",
                ar="يتضمن برنامج المواكبة دورة تكوينية واحدة على الأقل: ينصب التقييم النهائي على "
                "الدورات المنعقدة.",
            ),
        )
    ]


def is_overdue(item: Progress, *, today: date, grace_days: int = 0) -> bool:
    """Overdue from the day after its due date (and the office's grace days), until it is
    done or, for a session, cancelled."""
    if item.done_on is not None or item.cancelled or item.due_on is None:
        return False
    return today > item.due_on + timedelta(days=grace_days)


def progress_reasons(
    step: Step, item: Progress | None, *, number: int, on: date | None = None,
    today: date | None = None,
) -> list[Reason]:
    """Why this step cannot be recorded on item `number` of the plan; empty when it can.

    An action is completed once; a session is held once, on a day already come (`on`, not
    after `today`), evaluated once after it was held, and a session held cannot be
    cancelled (nor a cancelled one held or evaluated)."""
    kind = _STEP_KIND[step]
    if item is None or item.kind != kind:
        what = ("l'action", "الإجراء") if kind == "action" else ("la session de formation", "الدورة التكوينية")
        return [
            Reason(
                "plan_item_unknown",
                Text(
                    fr=f"Le plan convenu ne comporte pas {what[0]} n° {number}.",
                    ar=f"لا يتضمن المخطط المتفق عليه {what[1]} رقم {number}.",
                ),
            )
        ]
    name = item.title
    reasons: list[Reason] = []
    if kind == "action":
        if item.done_on is not None:
            reasons.append(_reason(
                "action_already_done",
                f"L'action « {name} » est déjà réalisée (le {item.done_on.isoformat()}).",
                f"الإجراء «{name}» منجز من قبل (بتاريخ {item.done_on.isoformat()}).",
            ))
        return reasons
    if item.cancelled:
        reasons.append(_reason(
            "session_cancelled",
            f"La session « {name} » a été annulée : elle n'est plus ni tenue ni évaluée.",
            f"تم إلغاء الدورة «{name}»: لم يعد بالإمكان عقدها أو تقييمها.",
        ))
    if step in ("hold", "cancel") and item.done_on is not None:
        reasons.append(_reason(
            "session_already_held",
            f"La session « {name} » a déjà été tenue (le {item.done_on.isoformat()}).",
            f"سبق انعقاد الدورة «{name}» (بتاريخ {item.done_on.isoformat()}).",
        ))
    if step == "hold" and on is not None and today is not None and on > today:
        reasons.append(_reason(
            "session_date_in_future",
            f"La session « {name} » ne peut pas être déclarée tenue le {on.isoformat()} : "
            "cette date n'est pas encore arrivée.",
            f"لا يمكن التصريح بانعقاد الدورة «{name}» بتاريخ {on.isoformat()}: هذا التاريخ لم "
            "يحل بعد.",
        ))
    if step == "evaluate" and item.done_on is None and not item.cancelled:
        reasons.append(_reason(
            "session_not_held_yet",
            f"La session « {name} » n'a pas encore été tenue : elle est évaluée après.",
            f"لم تنعقد الدورة «{name}» بعد: يتم تقييمها بعد انعقادها.",
        ))
    if step == "evaluate" and item.evaluated:
        reasons.append(_reason(
            "session_already_evaluated",
            f"La session « {name} » est déjà évaluée : une session est évaluée une seule fois.",
            f"سبق تقييم الدورة «{name}»: تقيم كل دورة مرة واحدة فقط.",
        ))
    return reasons


def _reason(code: str, fr: str, ar: str) -> Reason:
    return Reason(code, Text(fr=fr, ar=ar))
