"""Accompaniment programmes as the trainer checks them: a plan that rests on the diagnosis
with owned, dated actions; attendance; every session evaluated before the final one."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from rules.accompaniment import (
    AREA_TITLES,
    AREAS,
    PlanAction,
    Progress,
    Session,
    area_title,
    attendance_rate,
    evaluation_reasons,
    is_overdue,
    plan_reasons,
    programme_attendance,
    progress_reasons,
    training_reasons,
)
from rules.reasons import Basis, Reason
from tests.reasons_check import assert_reason as _assert_reason
from tests.reasons_check import codes


def assert_reason(reason: Reason, code: str, basis: Basis | None) -> None:
    _assert_reason(reason, code, basis, min_letters=15)  # short office-practice sentences


AGREED = date(2025, 3, 1)
BOOKKEEPING = PlanAction("Tenue du livre de caisse", "accounting", date(2025, 4, 15), "Mme Idrissi")
LABELS = PlanAction("Étiquetage des produits", "marketing", date(2025, 5, 30), "M. Ouali")


def test_areas_have_bilingual_titles() -> None:
    assert AREAS == ("organisation", "management", "accounting", "marketing")
    assert set(AREA_TITLES) == set(AREAS)
    assert area_title("accounting").fr == "comptabilité"
    assert area_title("marketing").ar == "التسويق"
    with pytest.raises(ValueError):
        area_title("finance")


def test_a_complete_plan_is_accepted() -> None:
    reasons = plan_reasons(
        areas=["accounting", "marketing"], actions=[BOOKKEEPING, LABELS], agreed_on=AGREED
    )
    assert reasons == []


@pytest.mark.parametrize(
    ("areas", "actions", "expected"),
    [
        ([], [BOOKKEEPING], ["plan_without_area", "action_area_not_diagnosed"]),
        (["finance"], [BOOKKEEPING],
         ["plan_unknown_area", "plan_without_area", "action_area_not_diagnosed"]),
        (["accounting"], [], ["plan_without_actions"]),
        (["accounting"], [BOOKKEEPING, LABELS], ["action_area_not_diagnosed"]),
        (["accounting"], [PlanAction("Formation", None, date(2025, 4, 1), "M. Ouali")],
         ["action_without_area"]),
        (["accounting"], [PlanAction("Formation", "accounting", None, "M. Ouali")],
         ["action_without_due_date"]),
        (["accounting"], [PlanAction("Formation", "accounting", date(2025, 4, 1), " ")],
         ["action_without_owner"]),
        (["accounting"], [PlanAction("Formation", "accounting", date(2025, 2, 28), "M. Ouali")],
         ["action_due_before_plan"]),
        (["accounting"], [PlanAction("Formation", None, None, None)],
         ["action_without_area", "action_without_due_date", "action_without_owner"]),
    ],
)
def test_incomplete_plans_are_refused(
    areas: list[str], actions: list[PlanAction], expected: list[str]
) -> None:
    reasons = plan_reasons(areas=areas, actions=actions, agreed_on=AGREED)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, None)  # office practice: no article


def test_an_action_on_the_plan_day_is_accepted() -> None:
    action = PlanAction("Formation", "accounting", AGREED, "M. Ouali")
    assert plan_reasons(areas=["accounting"], actions=[action], agreed_on=AGREED) == []


def test_refusals_name_the_action() -> None:
    (reason,) = plan_reasons(
        areas=["accounting"], actions=[PlanAction("Formation TVA", "accounting", None, "X")]
    )
    assert "Formation TVA" in reason.message.fr and "Formation TVA" in reason.message.ar


# --- attendance ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("invited", "present", "rate"),
    [(20, 15, Fraction(3, 4)), (20, 20, Fraction(1)), (20, 0, Fraction(0)), (0, 0, Fraction(0)),
     (3, 1, Fraction(1, 3))],
)
def test_attendance_rate(invited: int, present: int, rate: Fraction) -> None:
    assert attendance_rate(invited=invited, present=present) == rate


@pytest.mark.parametrize(("invited", "present"), [(10, 11), (-1, 0), (10, -1)])
def test_attendance_rate_checks_its_counts(invited: int, present: int) -> None:
    with pytest.raises(ValueError):
        attendance_rate(invited=invited, present=present)


def test_programme_attendance_counts_sessions_held() -> None:
    sessions = [
        Session("Comptabilité 1", date(2025, 3, 10), 20, 18, True),
        Session("Comptabilité 2", date(2025, 3, 24), 20, 12, True),
        Session("Commercialisation", None, 25, 0, False),  # not held yet
    ]
    assert programme_attendance(sessions) == Fraction(30, 40)


# --- evaluations ------------------------------------------------------------------------------------


def test_final_evaluation_when_every_session_is_held_and_evaluated() -> None:
    sessions = [
        Session("Comptabilité 1", date(2025, 3, 10), 20, 18, True),
        Session("Comptabilité 2", date(2025, 3, 24), 20, 12, True),
    ]
    assert evaluation_reasons(sessions=sessions) == []


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        ([], ["no_session_held"]),
        ([Session("Comptabilité 1", None, 20, 0, False)], ["no_session_held"]),
        (
            [Session("Comptabilité 1", date(2025, 3, 10), 20, 18, True),
             Session("Comptabilité 2", date(2025, 3, 24), 20, 12, False)],
            ["session_not_evaluated"],
        ),
        (
            [Session("Comptabilité 1", date(2025, 3, 10), 20, 18, True),
             Session("Commercialisation", None, 25, 0, False)],
            ["session_not_held"],
        ),
        (
            [Session("Comptabilité 1", date(2025, 3, 10), 20, 18, False),
             Session("Commercialisation", None, 25, 0, False)],
            ["session_not_held", "session_not_evaluated"],
        ),
    ],
)
def test_final_evaluation_waits_for_every_session(
    sessions: list[Session], expected: list[str]
) -> None:
    reasons = evaluation_reasons(sessions=sessions)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, None)


def test_unevaluated_sessions_are_named() -> None:
    (reason,) = evaluation_reasons(
        sessions=[Session("Comptabilité 2", date(2025, 3, 24), 20, 12, False)]
    )
    assert "Comptabilité 2" in reason.message.fr and "Comptabilité 2" in reason.message.ar


# --- the plan carried out ------------------------------------------------------------------------

TODAY = date(2025, 4, 20)
CASH_BOOK = Progress("Tenue du livre de caisse", "action", date(2025, 4, 15))
TRAINING = Progress("Formation à la comptabilité", "session", date(2025, 4, 10))


def test_a_plan_needs_training() -> None:
    (reason,) = training_reasons(sessions=0)
    assert_reason(reason, "plan_without_training", None)
    assert training_reasons(sessions=2) == []


@pytest.mark.parametrize(
    ("item", "today", "grace", "overdue"),
    [
        (CASH_BOOK, date(2025, 4, 15), 0, False),  # due today: not yet
        (CASH_BOOK, date(2025, 4, 16), 0, True),
        (CASH_BOOK, date(2025, 4, 16), 2, False),
        (CASH_BOOK, date(2025, 4, 18), 2, True),
        (Progress("x", "action", date(2025, 4, 1), done_on=date(2025, 4, 2)), TODAY, 0, False),
        (Progress("x", "session", date(2025, 4, 1), cancelled=True), TODAY, 0, False),
        (Progress("x", "action", None), TODAY, 0, False),
    ],
)
def test_overdue_from_the_day_after_the_due_date(item: Progress, today: date, grace: int, overdue: bool) -> None:
    assert is_overdue(item, today=today, grace_days=grace) is overdue


def test_steps_that_may_be_recorded() -> None:
    assert progress_reasons("complete", CASH_BOOK, number=1) == []
    assert progress_reasons("hold", TRAINING, number=1, on=TODAY, today=TODAY) == []
    assert progress_reasons("cancel", TRAINING, number=1) == []
    held = Progress(TRAINING.title, "session", TRAINING.due_on, done_on=TODAY)
    assert progress_reasons("evaluate", held, number=1) == []


@pytest.mark.parametrize(
    ("step", "item", "on", "expected"),
    [
        ("complete", None, None, ["plan_item_unknown"]),
        ("hold", CASH_BOOK, None, ["plan_item_unknown"]),  # an action is not a session
        ("complete", Progress("x", "action", TODAY, done_on=TODAY), None, ["action_already_done"]),
        ("hold", Progress("x", "session", TODAY, done_on=TODAY), TODAY, ["session_already_held"]),
        ("hold", TRAINING, date(2025, 4, 21), ["session_date_in_future"]),
        ("hold", Progress("x", "session", TODAY, cancelled=True), TODAY, ["session_cancelled"]),
        ("cancel", Progress("x", "session", TODAY, done_on=TODAY), None, ["session_already_held"]),
        ("evaluate", TRAINING, None, ["session_not_held_yet"]),
        ("evaluate", Progress("x", "session", TODAY, cancelled=True), None, ["session_cancelled"]),
        ("evaluate", Progress("x", "session", TODAY, done_on=TODAY, evaluated=True), None,
         ["session_already_evaluated"]),
    ],
)
def test_steps_refused_with_reasons(step: str, item: Progress | None, on: date | None, expected: list[str]) -> None:
    reasons = progress_reasons(step, item, number=3, on=on, today=TODAY)  # type: ignore[arg-type]
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, None)


def test_an_unknown_item_is_named_by_its_number() -> None:
    (reason,) = progress_reasons("evaluate", None, number=7)
    assert "n° 7" in reason.message.fr and "رقم 7" in reason.message.ar
