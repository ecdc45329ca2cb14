"""Audits at the service layer: the life cycle with and without findings, the extraordinary
assembly an audit opens and waits for (linked both ways), the recommendations tracked one by
one, the 6 months of monitoring and the strike-off request, obstruction with its article, and
the planning list ordered by risk (service and route). Runs on every configured database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import audit_store
from cases.db import unit_of_work
from cases.models import Cooperative
from cases.settings import Settings
from tests.conftest import local, login
from tests.test_general_assembly import (
    act,
    actor,
    attendance,
    blocked,
    convocation,
    cooperative,
    deadlines,
    get,
    ordinary,
    outbox,
    tick,
)
from workflows.engine import ActionBlocked
from workflows.spec import SYSTEM

MANAGER = "manager.agadir"


def plan(engine: Engine, settings: Settings, number: str, at: datetime = local(2026, 3, 2, 10)) -> str:
    with unit_of_work(engine) as s:
        return audit_store.plan_audit(s, national_number=number, planned_for=date(2026, 4, 1),
                                      actor=actor(engine, MANAGER), now=at, settings=settings).reference


DRAFT = {"findings": ["Comptes 2025 non approuvés", "Registre des membres non tenu à jour"],
         "recommendations": ["Faire approuver les comptes 2025", "Mettre à jour le registre des membres"]}


def to_draft(engine: Engine, settings: Settings, ref: str) -> None:
    act(engine, settings, ref, "notify", local(2026, 3, 3, 9),
        data={"documents": ["statuts", "registre des membres", "comptes 2025"]})
    act(engine, settings, ref, "receive_documents", local(2026, 3, 10, 9), data={"received_on": "2026-03-10"})
    act(engine, settings, ref, "send_draft", local(2026, 4, 1, 9), data=DRAFT)


def file_with_findings(engine: Engine, settings: Settings, ref: str, at: datetime = local(2026, 4, 6, 9)) -> str:
    """File the report (the cooperative answered); returns the extraordinary assembly's case."""
    act(engine, settings, ref, "file_report", at, data={"answer_received_on": "2026-04-05"})
    (link,) = get(engine, ref).data["links"]
    assert link["relation"] == "extraordinary_assembly"
    return str(link["reference"])


def hold_assembly(engine: Engine, settings: Settings, ga: str, meeting_on: str = "2026-04-30") -> None:
    act(engine, settings, ga, "convene", local(2026, 4, 7, 9), data=convocation(
        1, "2026-04-07", meeting_on, kind="extraordinary", agenda=["Mesures de redressement"]))
    act(engine, settings, ga, "hold", local(2026, 4, 30, 18), data={
        **attendance(20, 16), "resolutions": [{"title": "Plan de redressement", "votes_for": 14, "votes_against": 2}]})


def test_an_audit_without_findings_is_closed(engine: Engine, settings: Settings) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    case = get(engine, ref)
    assert case.state == "planned" and case.data["risk_score"] == 20  # never audited
    assert case.data["risk_factors"] == [{"fr": "jamais contrôlée", "ar": "لم تخضع لأي مراقبة من قبل", "points": 20}]
    # a second control of the same cooperative cannot be planned while this one runs
    with pytest.raises(ActionBlocked) as exc:
        plan(engine, settings, "2019/1/000042")
    assert [r.code for r in exc.value.reasons] == ["audit_already_open"]

    act(engine, settings, ref, "notify", local(2026, 3, 3, 9), data={"documents": ["statuts", "comptes 2025"]})
    documents = deadlines(engine, ref)["documents"]
    assert documents.due_at == local(2026, 3, 19, 0, 0)  # the office's 15 full days: 4 to 18 March
    assert documents.basis == "internal:audit_document_request_days"
    assert outbox(engine, ref) == [("audit_notified", "coop@example.ma")]
    act(engine, settings, ref, "receive_documents", local(2026, 3, 12, 9), data={"received_on": "2026-03-12"})
    case = act(engine, settings, ref, "close_without_findings", local(2026, 3, 30, 9), data={})
    assert case.state == "closed" and case.data["findings_count"] == 0
    assert case.data["report_filed_on"] == "2026-03-30"
    assert outbox(engine, ref)[-1] == ("audit_closed", "coop@example.ma")


def test_findings_open_an_extraordinary_assembly_linked_both_ways(engine: Engine, settings: Settings) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    to_draft(engine, settings, ref)
    # the cooperative may still answer the draft: 15 full days, to 16 April
    assert deadlines(engine, ref)["draft_answer"].due_at == local(2026, 4, 17, 0, 0)
    assert blocked(engine, settings, ref, "file_report", local(2026, 4, 16, 9), data={}) == {
        "audit_draft_answer_pending"}

    ga = file_with_findings(engine, settings, ref)
    audit = get(engine, ref)
    assert audit.state == "awaiting_assembly" and audit.data["findings_count"] == 2
    assert [(r["number"], r["status"]) for r in audit.data["recommendations"]] == [(1, "open"), (2, "open")]
    assert ("audit_assembly_required", "coop@example.ma") in outbox(engine, ref)
    waiting = deadlines(engine, ref)["extraordinary_assembly"]
    assert waiting.basis == "law:78" and waiting.due_at == local(2026, 5, 7, 0, 0)  # 30 full days after 6 April

    assembly = get(engine, ga)
    assert assembly.workflow_key == "general_assembly" and assembly.state == "open"
    assert assembly.data["kind"] == "extraordinary" and assembly.data["origin"] == "audit"
    assert assembly.data["links"] == [{"reference": ref, "relation": "demanded_by_audit"}]
    assert assembly.cooperative_id == audit.cooperative_id and assembly.delegation_id == audit.delegation_id
    assert assembly.data["held_by"] == "2026-05-06"
    assert deadlines(engine, ga)["assembly_held"].due_at == waiting.due_at

    # the audit waits: nothing an officer can do moves it, and the system step is not theirs
    assert blocked(engine, settings, ref, "assembly_held", local(2026, 4, 20, 9),
                   data={"assembly": ga, "held_on": "2026-04-20"}) == {"role_not_allowed"}

    hold_assembly(engine, settings, ga)
    audit = get(engine, ref)
    assert audit.state == "monitoring" and audit.data["assembly_on"] == "2026-04-30"
    # six months after a month's last day end on a month's last day (rules.assemblies.months_after)
    assert audit.data["monitoring_until"] == "2026-10-31"
    monitoring = deadlines(engine, ref)["monitoring"]
    assert monitoring.due_at == local(2026, 11, 1, 0, 0) and monitoring.basis == "law:78"
    assert monitoring.explanation_fr.startswith("2026-10-31 : fin des six mois de suivi")
    assert "extraordinary_assembly" not in deadlines(engine, ref)
    # the assembly's own case goes on to its filing, without touching the audit again
    act(engine, settings, ga, "file", local(2026, 5, 10, 9), data={
        "filed_on": "2026-05-10", "documents": ["minutes"], "local_register": "TPI Agadir"})
    assert get(engine, ref).state == "monitoring"


def test_recommendations_are_tracked_and_ineffective_measures_lead_to_strike_off(
    engine: Engine, settings: Settings
) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    to_draft(engine, settings, ref)
    hold_assembly(engine, settings, file_with_findings(engine, settings, ref))

    done = act(engine, settings, ref, "complete_recommendation", local(2026, 6, 1, 9),
               data={"number": 1, "done_on": "2026-05-28", "note": "comptes approuvés"})
    assert done.state == "monitoring"
    assert [(r["number"], r["status"], r["done_on"]) for r in done.data["recommendations"]] == [
        (1, "done", "2026-05-28"), (2, "open", None)]
    assert blocked(engine, settings, ref, "complete_recommendation", local(2026, 6, 2, 9),
                   data={"number": 1, "done_on": "2026-06-01"}) == {"audit_recommendation_already_done"}
    assert blocked(engine, settings, ref, "complete_recommendation", local(2026, 6, 2, 9),
                   data={"number": 3, "done_on": "2026-06-01"}) == {"audit_recommendation_unknown"}
    # too early: the cooperative has six months
    assert blocked(engine, settings, ref, "prepare_strike_off", local(2026, 7, 1, 9),
                   data={"court": "Tribunal de première instance d'Agadir"}) == {"strike_off_monitoring_not_ended"}

    tick(engine, settings, local(2026, 10, 31, 23, 59))
    assert get(engine, ref).state == "monitoring"
    tick(engine, settings, local(2026, 11, 1, 0, 0))
    assert get(engine, ref).state == "assessment"
    assert blocked(engine, settings, ref, "close_effective", local(2026, 11, 2, 9), data={}) == {
        "audit_recommendations_open"}
    case = act(engine, settings, ref, "prepare_strike_off", local(2026, 11, 2, 9),
               data={"court": "Tribunal de première instance d'Agadir"})
    assert case.state == "strike_off_requested" and case.closed_at is not None
    assert case.data["strike_off"]["open_recommendations"] == [2]
    assert outbox(engine, ref)[-1] == ("audit_strike_off", "coop@example.ma")


def test_effective_measures_close_the_audit(engine: Engine, settings: Settings) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    to_draft(engine, settings, ref)
    hold_assembly(engine, settings, file_with_findings(engine, settings, ref))
    for number in (1, 2):
        act(engine, settings, ref, "complete_recommendation", local(2026, 6, 1, 9),
            data={"number": number, "done_on": "2026-06-01"})
    assert blocked(engine, settings, ref, "prepare_strike_off", local(2026, 7, 1, 9), data={"court": "TPI Agadir"}) == {
        "strike_off_monitoring_not_ended", "strike_off_measures_effective"}
    tick(engine, settings, local(2026, 11, 1, 0, 0))
    assert blocked(engine, settings, ref, "prepare_strike_off", local(2026, 11, 2, 9), data={"court": "TPI Agadir"}) == {
        "strike_off_measures_effective"}
    assert act(engine, settings, ref, "close_effective", local(2026, 11, 2, 9), data={}).state == "closed"


def test_an_assembly_that_ends_unheld_sends_the_audit_to_assessment(engine: Engine, settings: Settings) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    to_draft(engine, settings, ref)
    ga = file_with_findings(engine, settings, ref)
    tick(engine, settings, local(2026, 5, 7, 0, 0))  # 30 days over: both cases escalate
    assert get(engine, ga).state == "overdue"
    assert "extraordinary_assembly" in deadlines(engine, ref, "breached")
    act(engine, settings, ga, "cancel", local(2026, 5, 20, 9), who=MANAGER,
        data={"reason": "Le conseil refuse de convoquer l'assemblée."})
    audit = get(engine, ref)
    assert audit.state == "assessment" and audit.data["assembly_not_held"] == "cancelled"
    case = act(engine, settings, ref, "prepare_strike_off", local(2026, 5, 21, 9), data={"court": "TPI Agadir"})
    assert case.state == "strike_off_requested"


def test_obstruction_is_recorded_with_article_99(engine: Engine, settings: Settings) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    act(engine, settings, ref, "notify", local(2026, 3, 3, 9), data={"documents": ["comptes 2025"]})
    case = act(engine, settings, ref, "record_obstruction", local(2026, 3, 20, 9), data={
        "observed_on": "2026-03-19", "facts": "Le président refuse de remettre les comptes."})
    assert case.state == "obstructed" and case.closed_at is not None
    reason = case.data["obstruction"]["reason"]
    assert reason["code"] == "audit_obstructed" and reason["basis"]["code"] == "law:99"
    assert "50 000 à 100 000 dirhams" in reason["message"]["fr"]
    assert outbox(engine, ref)[-2:] == [("audit_obstruction", "coop@example.ma"),
                                        ("audit_obstruction", "legal.agadir@odco.example")]


def test_only_a_manager_cancels_a_planned_audit(engine: Engine, settings: Settings) -> None:
    cooperative(engine, "2019/1/000042")
    ref = plan(engine, settings, "2019/1/000042")
    assert blocked(engine, settings, ref, "cancel", local(2026, 3, 3, 9),
                   data={"reason": "Coopérative en cours de dissolution"}) == {"role_not_allowed"}
    assert act(engine, settings, ref, "cancel", local(2026, 3, 3, 9), who=MANAGER,
               data={"reason": "Coopérative en cours de dissolution"}).state == "cancelled"


# -- the planning list ----------------------------------------------------------------------------


def _record_history(engine: Engine, settings: Settings) -> dict[str, str]:
    """Five cooperatives with different records, played through the workflows."""
    numbers = {name: f"2019/1/{n:06d}" for n, name in enumerate(
        ("late_twice", "filed_late", "audited", "clean", "under_audit", "dissolved", "big"), start=1)}
    for name, number in numbers.items():
        cooperative(engine, number, members=150 if name == "big" else 20,
                    status="dissolved" if name == "dissolved" else "active")
    coop_id = {name: _coop_id(engine, number) for name, number in numbers.items()}

    # two assemblies not held in time
    for year_end, opened in (("2024-12-31", local(2025, 1, 2, 5, 30)), ("2025-12-31", local(2026, 1, 2, 5, 30))):
        ref = ordinary(engine, settings, coop_id["late_twice"], year_end, at=opened)
        act(engine, settings, ref, "mark_overdue", opened, who=SYSTEM)
    # minutes filed late
    ref = ordinary(engine, settings, coop_id["filed_late"])
    act(engine, settings, ref, "convene", local(2026, 4, 1, 9), data=convocation(1, "2026-04-01", "2026-04-20"))
    act(engine, settings, ref, "hold", local(2026, 4, 21, 9), data=attendance(20, 11))
    act(engine, settings, ref, "file", local(2026, 6, 1, 9),
        data={"filed_on": "2026-06-01", "documents": ["minutes"], "local_register": "TPI Agadir"})
    # a past control with two findings, its report filed two years before, whose assembly
    # never met: a strike-off request followed
    past = plan(engine, settings, numbers["audited"], at=local(2024, 3, 1, 9))
    act(engine, settings, past, "notify", local(2024, 3, 1, 9), data={"documents": ["comptes"]})
    act(engine, settings, past, "receive_documents", local(2024, 3, 5, 9), data={"received_on": "2024-03-05"})
    act(engine, settings, past, "send_draft", local(2024, 3, 6, 9), data=DRAFT)
    ga = file_with_findings(engine, settings, past, at=local(2024, 3, 25, 9))
    act(engine, settings, ga, "cancel", local(2024, 3, 26, 9), who=MANAGER,
        data={"reason": "Le conseil refuse de convoquer l'assemblée."})
    act(engine, settings, past, "prepare_strike_off", local(2024, 3, 27, 9), data={"court": "TPI Agadir"})
    # a control under way
    plan(engine, settings, numbers["under_audit"])
    return numbers


def _coop_id(engine: Engine, number: str) -> int:
    with Session(engine) as s:
        coop_id = s.exec(select(Cooperative.id).where(col(Cooperative.national_number) == number)).one()
        assert coop_id is not None
        return coop_id


def test_the_planning_list_puts_the_riskiest_first(engine: Engine, settings: Settings) -> None:
    numbers = _record_history(engine, settings)
    with Session(engine) as s:
        entries = audit_store.planning(s, actor=actor(engine, MANAGER), now=local(2026, 6, 15, 9),
                                       settings=settings)
    # a cooperative with a control under way, or dissolved, is not planned; equal scores
    # keep the order of the national numbers
    assert [e.national_number for e in entries] == [
        numbers[n] for n in ("late_twice", "audited", "filed_late", "big", "clean")]
    by_name = {name: next(e for e in entries if e.national_number == number)
               for name, number in numbers.items() if name not in ("under_audit", "dissolved")}
    assert {name: e.score.score for name, e in by_name.items()} == {
        "late_twice": 60, "audited": 40, "filed_late": 30, "big": 30, "clean": 20}
    assert by_name["late_twice"].record.overdue_assemblies == 2
    assert by_name["late_twice"].score.factors[0][0].fr.startswith("2 assemblée(s) générale(s) non tenue(s)")
    assert by_name["filed_late"].record.late_filings == 1
    audited = by_name["audited"].record
    assert audited.past_findings == 2 and audited.years_since_last_audit is not None
    assert 2.2 < audited.years_since_last_audit < 2.3  # report filed on 25 March 2024
    assert by_name["big"].record.members == 150


def test_the_planning_weights_are_office_settings(engine: Engine, settings: Settings) -> None:
    numbers = _record_history(engine, settings)
    weights = settings.model_copy(update={"audit_risk_weights": {"points_per_late_filing": 50,
                                                                 "max_late_filing_points": 50}})
    with Session(engine) as s:
        entries = audit_store.planning(s, actor=actor(engine, MANAGER), now=local(2026, 6, 15, 9),
                                       settings=weights, limit=2)
    assert [e.national_number for e in entries] == [numbers["filed_late"], numbers["late_twice"]]
    wrong = settings.model_copy(update={"audit_risk_weights": {"points_per_nothing": 1}})
    with Session(engine) as s, pytest.raises(ValueError, match="points_per_nothing"):
        audit_store.planning(s, actor=actor(engine, MANAGER), now=local(2026, 6, 15, 9), settings=wrong)


def test_the_planning_route_is_for_managers(client: TestClient, engine: Engine, settings: Settings) -> None:
    numbers = _record_history(engine, settings)
    assert client.get("/api/v1/audits/planning", headers=login(client, "officer.agadir")).status_code == 403
    response = client.get("/api/v1/audits/planning?limit=3", headers=login(client, MANAGER))
    assert response.status_code == 200, response.text
    lines = response.json()
    assert [line["national_number"] for line in lines] == [
        numbers[n] for n in ("late_twice", "audited", "filed_late")]
    assert [line["rank"] for line in lines] == [1, 2, 3]
    assert lines[0]["score"] == 60 and lines[0]["overdue_assemblies"] == 2
    assert "non tenue" in lines[0]["explanation"]["fr"] and lines[0]["explanation"]["ar"]
    # headquarters sees every delegation; a manager elsewhere, only their own
    cooperative(engine, "2019/1/000099", delegation="RAB")
    everywhere = client.get("/api/v1/audits/planning", headers=login(client, "manager.hq")).json()
    assert len(everywhere) == 6 and numbers["clean"] in [line["national_number"] for line in everywhere]
    agadir = client.get("/api/v1/audits/planning", headers=login(client, MANAGER)).json()
    assert "2019/1/000099" not in [line["national_number"] for line in agadir]

    planned: dict[str, Any] = client.post("/api/v1/audits", headers=login(client, MANAGER), json={
        "national_number": numbers["clean"], "planned_for": "2026-04-01"}).json()
    assert planned["state"] == "planned" and planned["reference"].startswith("AU-")
