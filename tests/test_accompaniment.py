"""Accompaniment programmes at the service layer: diagnosis, the agreed plan, sessions held
with their attendance and evaluated, the final evaluation and report; every guard's refusal
with its reasons; overdue actions reminding the officer (time travel); abandonment from any
open stage. Runs on every configured database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import service
from cases.db import unit_of_work
from cases.models import CaseEvent, Outbox
from cases.settings import Settings
from tests.conftest import local
from tests.test_dispute import COOP, case_of, cooperative, messages, running, tick
from tests.test_name_approval import act, actor, blocked
from workflows.accompaniment import ACCOMPANIMENT

T0 = local(2026, 3, 2, 10, 0)
AGREED = T0 + timedelta(days=10)  # 12 March

CASH_BOOK = {"title": "Tenue du livre de caisse", "area": "accounting", "due_on": "2026-04-15",
             "owner": "Mme Idrissi"}
LABELS = {"title": "Étiquetage des produits", "area": "marketing", "due_on": "2026-05-29", "owner": "M. Ouali"}
ACCOUNTING = {"title": "Formation à la comptabilité", "area": "accounting", "planned_on": "2026-04-02",
              "trainer": "Cabinet Amlal", "invited": 20}
SELLING = {"title": "Vendre sur les marchés", "area": "marketing", "planned_on": "2026-04-23",
           "trainer": "Cabinet Amlal", "invited": 15}
PLAN = {"actions": [CASH_BOOK, LABELS], "sessions": [ACCOUNTING, SELLING]}


def open_programme(engine: Engine, settings: Settings, coop: int | None = None) -> str:
    with unit_of_work(engine) as s:
        opened = service.open_case(
            db_session=s, workflow_key="accompaniment", actor=actor(engine, "officer.agadir"), now=T0,
            settings=settings, cooperative_id=coop,
            data={"motive": "La coopérative ne tient pas encore de comptabilité.",
                  "applicant": {"full_name": "Coopérative Tifawin", "email": "tifawin@example.ma",
                                "language": "fr"}},
        )
        return opened.case.reference


def planned(engine: Engine, settings: Settings, plan: dict[str, Any] = PLAN) -> str:
    ref = open_programme(engine, settings)
    with unit_of_work(engine) as s:
        service.assign(db_session=s, reference=ref, assignee="officer.agadir",
                       actor=actor(engine, "manager.agadir"), now=T0)
    act(engine, settings, ref, "record_diagnosis", T0 + timedelta(days=3),
        data={"areas": ["accounting", "marketing"], "findings": "Pas de livre de caisse ; ventes au bord de la route."})
    act(engine, settings, ref, "agree_plan", AGREED, data=plan)
    return ref


def events(engine: Engine, reference: str, trigger: str) -> list[CaseEvent]:
    with Session(engine) as s:
        case = case_of(engine, reference)
        return list(s.exec(select(CaseEvent).where(col(CaseEvent.case_id) == case.id,
                                                   col(CaseEvent.trigger) == trigger)))


# -- the life cycle ---------------------------------------------------------------------------


def test_life_cycle_diagnosis_plan_sessions_evaluation_report(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine, COOP, "Coopérative Tifawin")
    ref = open_programme(engine, settings, coop)
    diagnosis = running(engine, ref)["diagnosis"]
    assert diagnosis.basis == "internal:accompaniment_diagnosis_business_days"
    assert diagnosis.due_at == local(2026, 4, 1, 0, 0)  # 20 business days, Eid al-Fitr not counted
    assert [m.address for m in messages(engine, "accompaniment_opened")] == ["contact@tifawin.example"]

    case = act(engine, settings, ref, "record_diagnosis", T0 + timedelta(days=3),
               data={"areas": ["accounting", "marketing"], "findings": "Pas de livre de caisse."})
    assert case.state == "planning" and set(running(engine, ref)) == {"plan"}

    case = act(engine, settings, ref, "agree_plan", AGREED, data=PLAN)
    assert case.state == "in_progress"
    assert [(i["no"], i["title"]) for i in case.data["actions"]] == [(1, CASH_BOOK["title"]), (2, LABELS["title"])]
    # the first due date is the accounting training's (2 April)
    assert running(engine, ref)["next_action"].due_at == local(2026, 4, 3, 0, 0)
    assert "2 avril 2026" in messages(engine, "development_plan_agreed")[0].body_text

    act(engine, settings, ref, "hold_session", local(2026, 4, 2, 16, 0),
        data={"session": 1, "held_on": "2026-04-02", "invited": 20, "present": 17})
    act(engine, settings, ref, "evaluate_session", local(2026, 4, 3, 9, 0),
        data={"session": 1, "score": 4, "comments": "Exercices pratiques appréciés."})
    act(engine, settings, ref, "complete_action", local(2026, 4, 10, 9, 0), data={"action": 1})
    act(engine, settings, ref, "hold_session", local(2026, 4, 23, 16, 0),
        data={"session": 2, "held_on": "2026-04-23", "invited": 15, "present": 12})
    assert blocked(engine, settings, ref, "evaluate", local(2026, 4, 24, 9, 0),
                   data={"summary": "Programme suivi avec assiduité.", "score": 4}) == {"session_not_evaluated"}
    act(engine, settings, ref, "evaluate_session", local(2026, 4, 24, 9, 0), data={"session": 2, "score": 5})

    case = act(engine, settings, ref, "evaluate", local(2026, 4, 24, 10, 0),
               data={"summary": "Programme suivi avec assiduité.", "score": 4})
    assert case.state == "evaluated"
    assert case.data["final_evaluation"]["attendance"] == round(29 / 35, 4)
    assert case.data["final_evaluation"]["open_actions"] == [LABELS["title"]]
    assert set(running(engine, ref)) == {"report"}

    case = act(engine, settings, ref, "file_report", local(2026, 4, 28, 10, 0),
               data={"summary": "La coopérative tient sa caisse.", "recommendations": ["Suivi trimestriel"]})
    assert case.state == "completed" and case.closed_at is not None
    assert running(engine, ref) == {}
    assert [m.address for m in messages(engine, "accompaniment_report")] == ["contact@tifawin.example"]


# -- the plan ------------------------------------------------------------------------------------


def test_a_plan_is_agreed_only_complete(engine: Engine, settings: Settings) -> None:
    ref = open_programme(engine, settings)
    act(engine, settings, ref, "record_diagnosis", T0, data={"areas": ["accounting"], "findings": "Pas de caisse."})
    assert blocked(engine, settings, ref, "agree_plan", AGREED, data={"actions": [], "sessions": []}) == {
        "plan_without_actions", "plan_without_training"}
    vague = {"actions": [{"title": "Étiquetage", "area": "marketing", "due_on": "2026-03-01"},
                         {"title": "Caisse"}],
             "sessions": [ACCOUNTING]}
    assert blocked(engine, settings, ref, "agree_plan", AGREED, data=vague) == {
        "action_area_not_diagnosed", "action_due_before_plan", "action_without_owner",
        "action_without_area", "action_without_due_date"}
    assert blocked(engine, settings, ref, "record_diagnosis", T0, data={"areas": ["accounting"]}) == {
        "not_allowed_in_state"}


def test_a_diagnosis_names_known_areas(engine: Engine, settings: Settings) -> None:
    ref = open_programme(engine, settings)
    assert blocked(engine, settings, ref, "record_diagnosis", T0,
                   data={"areas": ["finance"], "findings": "Des besoins en finance."}) == {"data_invalid"}


def test_sessions_and_actions_are_recorded_once_in_order(engine: Engine, settings: Settings) -> None:
    ref = planned(engine, settings)
    at = local(2026, 4, 2, 16, 0)
    assert blocked(engine, settings, ref, "evaluate_session", at, data={"session": 1, "score": 3}) == {
        "session_not_held_yet"}
    assert blocked(engine, settings, ref, "hold_session", at,
                   data={"session": 1, "held_on": "2026-04-03", "invited": 20, "present": 10}) == {
        "session_date_in_future"}
    assert blocked(engine, settings, ref, "hold_session", at,
                   data={"session": 1, "held_on": "2026-04-02", "invited": 10, "present": 12}) == {"data_invalid"}
    assert blocked(engine, settings, ref, "hold_session", at,
                   data={"session": 5, "held_on": "2026-04-02", "invited": 20, "present": 10}) == {
        "plan_item_unknown"}
    act(engine, settings, ref, "hold_session", at, data={"session": 1, "held_on": "2026-04-02",
                                                          "invited": 20, "present": 10})
    assert blocked(engine, settings, ref, "hold_session", at,
                   data={"session": 1, "held_on": "2026-04-02", "invited": 20, "present": 10}) == {
        "session_already_held"}
    assert blocked(engine, settings, ref, "cancel_session", at,
                   data={"session": 1, "reason": "Le formateur est absent."}) == {"session_already_held"}
    act(engine, settings, ref, "complete_action", at, data={"action": 1})
    assert blocked(engine, settings, ref, "complete_action", at, data={"action": 1}) == {"action_already_done"}

    # a cancelled session is neither held nor awaited by the final evaluation
    act(engine, settings, ref, "evaluate_session", at, data={"session": 1, "score": 3})
    act(engine, settings, ref, "cancel_session", at, data={"session": 2, "reason": "Marché annulé cette année."})
    assert blocked(engine, settings, ref, "hold_session", at,
                   data={"session": 2, "held_on": "2026-04-02", "invited": 5, "present": 5}) == {"session_cancelled"}
    case = act(engine, settings, ref, "evaluate", at, data={"summary": "Programme réduit à une session.", "score": 3})
    assert case.state == "evaluated"


# -- overdue actions ----------------------------------------------------------------------------


def test_an_overdue_action_reminds_the_officer_once_then_waits_for_the_next(engine: Engine, settings: Settings) -> None:
    ref = planned(engine, settings)
    # the training of 2 April is held on the day: its due date passes without a reminder
    act(engine, settings, ref, "hold_session", local(2026, 4, 2, 16, 0),
        data={"session": 1, "held_on": "2026-04-02", "invited": 20, "present": 18})
    assert running(engine, ref)["next_action"].due_at == local(2026, 4, 16, 0, 0)  # the cash book, 15 April
    assert tick(engine, settings, local(2026, 4, 15, 23, 59)).fired == 0

    # the cash book is not kept by 15 April: on the 16th the officer is told
    tick(engine, settings, local(2026, 4, 16, 0, 0))
    (flag,) = events(engine, ref, "flag_overdue_actions")
    assert flag.actor == "system"
    (message,) = messages(engine, "plan_action_overdue")
    assert message.address == "officer.agadir@odco.example"
    case = case_of(engine, ref)
    assert case.data["actions"][0]["reminded_on"] == "2026-04-16"
    assert case.data["notice"]["overdue"] == [CASH_BOOK["title"]]
    # the deadline moved on to the next due date: the marketing training of 23 April
    assert running(engine, ref)["next_action"].due_at == local(2026, 4, 24, 0, 0)
    tick(engine, settings, local(2026, 4, 20, 0, 0))
    assert len(messages(engine, "plan_action_overdue")) == 1  # once per overdue item

    act(engine, settings, ref, "cancel_session", local(2026, 4, 22, 9, 0),
        data={"session": 2, "reason": "Le marché hebdomadaire est suspendu."})
    assert running(engine, ref)["next_action"].due_at == local(2026, 5, 30, 0, 0)  # the labels, 29 May
    act(engine, settings, ref, "complete_action", local(2026, 5, 20, 9, 0), data={"action": 2})
    act(engine, settings, ref, "complete_action", local(2026, 5, 21, 9, 0), data={"action": 1})
    assert "next_action" not in running(engine, ref)  # nothing left to wait for
    assert "next_action" not in case_of(engine, ref).data["due"]
    tick(engine, settings, local(2026, 6, 30, 0, 0))
    assert len(messages(engine, "plan_action_overdue")) == 1


def test_a_grace_period_delays_the_reminder(engine: Engine, settings: Settings) -> None:
    settings = settings.model_copy(update={"accompaniment_action_grace_days": 3})
    ref = planned(engine, settings)
    assert running(engine, ref)["next_action"].due_at == local(2026, 4, 6, 0, 0)  # 2 April + 3 days
    assert tick(engine, settings, local(2026, 4, 5, 23, 0)).fired == 0
    tick(engine, settings, local(2026, 4, 6, 0, 0))
    assert case_of(engine, ref).data["notice"]["overdue"] == [ACCOUNTING["title"]]


# -- abandonment ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["diagnosis", "planning", "in_progress", "evaluated"])
def test_the_cooperative_may_abandon_at_any_open_stage(engine: Engine, settings: Settings, state: str) -> None:
    ref = open_programme(engine, settings)
    held = local(2026, 4, 2, 16, 0)
    road: list[tuple[str, datetime, dict[str, Any]]] = [
        ("record_diagnosis", T0, {"areas": ["accounting", "marketing"], "findings": "Pas de caisse."}),
        ("agree_plan", AGREED, {"actions": [CASH_BOOK], "sessions": [ACCOUNTING]}),
        ("hold_session", held, {"session": 1, "held_on": "2026-04-02", "invited": 20, "present": 4}),
        ("evaluate_session", held, {"session": 1, "score": 2}),
        ("evaluate", held, {"summary": "Programme peu suivi.", "score": 2}),
    ]
    stages = ACCOMPANIMENT.transition("abandon").source
    for trigger, at, data in road:
        if case_of(engine, ref).state == state:
            break
        act(engine, settings, ref, trigger, at, data=data)
    assert case_of(engine, ref).state == state in stages
    case = act(engine, settings, ref, "abandon", local(2026, 4, 3, 9, 0),
               data={"reason": "Le bureau de la coopérative a été renouvelé.", "requested_on": "2026-04-03"})
    assert case.state == "abandoned" and case.closed_at is not None
    assert case.data["abandonment"]["stage"] == state
    assert running(engine, ref) == {}


def test_abandon_is_not_possible_once_closed(engine: Engine, settings: Settings) -> None:
    ref = open_programme(engine, settings)
    act(engine, settings, ref, "abandon", T0, data={"reason": "Plus de besoin.", "requested_on": "2026-03-02"})
    assert blocked(engine, settings, ref, "abandon", T0,
                   data={"reason": "Plus de besoin.", "requested_on": "2026-03-02"}) == {"not_allowed_in_state"}


def test_the_receipt_tells_the_diagnosis_date_in_the_applicants_language(engine: Engine, settings: Settings) -> None:
    ref = open_programme(engine, settings)
    with Session(engine) as s:
        case = case_of(engine, ref)
        (receipt,) = s.exec(select(Outbox).where(col(Outbox.case_id) == case.id))
    assert receipt.address == "tifawin@example.ma" and receipt.language == "fr"
    assert ref in receipt.subject and "31 mars 2026" in receipt.body_text  # the diagnosis's last day
