"""Dispute mediation at the service layer, as legal staff and the parties live it: the life
cycle with its sessions and reminders, every guard's refusal with its reasons, the mediator
conflict check against the register, the one extension per stage, legal-only actions, and
the sessions each delegation's legal staff see. Runs on every configured database."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import service, timers
from cases.db import unit_of_work
from cases.models import Case, CaseEvent, Cooperative, Delegation, Outbox, Timer, User
from cases.settings import Settings
from notifications.render import render
from tests.conftest import _password_hash, local, login
from tests.test_name_approval import act, actor, blocked
from workflows.dispute import DISPUTE
from workflows.spec import SYSTEM

T0 = local(2026, 3, 2, 10, 0)  # a Monday
COOP = "2019/1/000045"
OTHER_COOP = "2020/1/000123"


def cooperative(engine: Engine, number: str, name: str, delegation: str = "AGA",
                email: str = "contact@tifawin.example") -> int:
    """A registered cooperative, with the contact its notifications go to."""
    with unit_of_work(engine) as s:
        deleg = s.exec(select(Delegation).where(col(Delegation.code) == delegation)).one()
        year, series, seq = (int(p) for p in number.split("/"))
        coop = Cooperative(
            national_number=number, reg_year=year, reg_series=series, reg_seq=seq, name_ar=name,
            name_fr=name, region_code=deleg.region_code, delegation_id=deleg.id, province="Tiznit",
            sector="agriculture", members=25, women_members=10, registered_on=date(year, 5, 1),
            email=email, language="fr",
        )
        s.add(coop)
        s.flush()
        assert coop.id is not None
        return coop.id


def staff(engine: Engine, username: str, role: str, delegation: str | None, full_name: str) -> None:
    with unit_of_work(engine) as s:
        deleg = s.exec(select(Delegation.id).where(col(Delegation.code) == delegation)).first() if delegation else None
        s.add(User(username=username, full_name=full_name, password_hash=_password_hash(), role=role,
                   delegation_id=deleg, email=f"{username}@odco.example"))


def party(kind: str, name: str, ref: str | None = COOP, members: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"kind": kind, "name": name, "cooperative_ref": ref, "member_ids": list(members)}


MEMBER = party("member", "Ahmed Bennani", members=("M-17",))
BOARD = party("board", "Conseil d'administration de la coopérative Tifawin")


def filing(*respondents: dict[str, Any], claimant: dict[str, Any] = MEMBER,
           subject: str = "Exclusion contestée d'un membre") -> dict[str, Any]:
    return {
        "claimant": claimant, "respondents": list(respondents), "subject": subject,
        "applicant": {"full_name": "Ahmed Bennani", "email": "ahmed@example.ma", "language": "fr"},
    }


def file(engine: Engine, settings: Settings, data: dict[str, Any], at: datetime = T0,
         who: str = "legal.agadir", coop: int | None = None) -> str:
    with unit_of_work(engine) as s:
        opened = service.open_case(db_session=s, workflow_key="dispute", data=data,
                                   actor=actor(engine, who), now=at, settings=settings,
                                   cooperative_id=coop)
        return opened.case.reference


def case_of(engine: Engine, reference: str) -> Case:
    with Session(engine) as s:
        return s.exec(select(Case).where(col(Case.reference) == reference)).one()


def running(engine: Engine, reference: str, kind: str = "deadline") -> dict[str, Timer]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        rows = s.exec(select(Timer).where(col(Timer.case_id) == case.id, col(Timer.kind) == kind,
                                          col(Timer.status).in_(("pending", "breached"))))
        return {t.deadline_key: t for t in rows}


def messages(engine: Engine, template: str) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).where(col(Outbox.template) == template).order_by(col(Outbox.id))))


def tick(engine: Engine, settings: Settings, at: datetime) -> timers.TickReport:
    return timers.tick(engine=engine, now=at, worker="w1", settings=settings)


def in_mediation(engine: Engine, settings: Settings, *, coop: int | None = None,
                 mediator: str = "legal.agadir") -> str:
    ref = file(engine, settings, filing(BOARD), coop=coop)
    act(engine, settings, ref, "admit", T0 + timedelta(hours=2), who="legal.agadir", data={})
    act(engine, settings, ref, "assign_mediator", T0 + timedelta(hours=3), who="legal.agadir",
        data={"mediator": mediator})
    return ref


SESSION = local(2026, 3, 12, 10, 0)  # a Thursday
PLACE = "Délégation d'Agadir, salle 2"


def hold_session(engine: Engine, settings: Settings, ref: str, at: datetime = SESSION) -> None:
    act(engine, settings, ref, "schedule_session", T0 + timedelta(days=1), who="legal.agadir",
        data={"at": at.isoformat(), "place": PLACE})
    act(engine, settings, ref, "record_minutes", at + timedelta(hours=3), who="legal.agadir",
        data={"minutes": "Les parties ont exposé leurs positions.", "present": ["Ahmed Bennani"]})


# -- the life cycle ---------------------------------------------------------------------------


def test_life_cycle_filed_admitted_mediated_settled(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine, COOP, "Coopérative Tifawin")
    ref = file(engine, settings, filing(BOARD), coop=coop)
    assert case_of(engine, ref).state == "filed"
    admissibility = running(engine, ref)["admissibility"]
    assert admissibility.basis == "internal:dispute_admissibility_days"
    assert admissibility.due_at == local(2026, 3, 17, 0, 0)  # 10 business days: 3 to 16 March
    # the receipt, with the tracking PIN, goes to the claimant's contact only: the cooperative
    # is the other side here (its board is the respondent)
    assert [m.address for m in messages(engine, "dispute_received")] == ["ahmed@example.ma"]
    assert "16 mars 2026" in messages(engine, "dispute_received")[0].body_text

    case = act(engine, settings, ref, "admit", T0 + timedelta(hours=2), who="legal.agadir", data={})
    assert case.state == "admitted"
    assert set(running(engine, ref)) == {"mediation"}
    assert running(engine, ref)["mediation"].basis == "internal:dispute_mediation_days"

    case = act(engine, settings, ref, "assign_mediator", T0 + timedelta(hours=3), who="legal.agadir",
               data={"mediator": "legal.agadir"})
    assert case.state == "in_mediation" and case.data["mediator"]["username"] == "legal.agadir"
    assert case.assignee_id == actor(engine, "legal.agadir").id  # the mediator holds the case

    case = act(engine, settings, ref, "schedule_session", T0 + timedelta(days=1), who="legal.agadir",
               data={"at": SESSION.isoformat(), "place": PLACE})
    assert case.state == "session_scheduled"
    assert set(running(engine, ref)) == {"mediation", "session"}  # the mediation period runs on
    convocations = messages(engine, "mediation_session_scheduled")
    assert sorted(m.address for m in convocations) == ["ahmed@example.ma", "contact@tifawin.example"]
    convocation = convocations[0]
    assert "12 mars 2026" in convocation.subject
    # the parties are reminded 3 days before the session's day, and so is the mediator
    reminders = [t for t in running(engine, ref, "reminder").values()]
    assert {t.due_at for t in reminders} == {local(2026, 3, 10, 0, 0)}

    assert tick(engine, settings, local(2026, 3, 9, 23, 59)).fired == 0
    assert tick(engine, settings, local(2026, 3, 10, 0, 0)).fired == 2
    # both parties (the board through the register's contact) and the mediator
    assert sorted(m.address for m in messages(engine, "mediation_session_reminder")) == [
        "ahmed@example.ma", "contact@tifawin.example", "legal.agadir@odco.example"]
    assert "12 mars 2026" in messages(engine, "mediation_session_reminder")[0].subject

    # the session day ends without minutes: the case waits for them, with their own limit
    tick(engine, settings, local(2026, 3, 13, 0, 0))
    case = case_of(engine, ref)
    assert case.state == "awaiting_minutes"
    assert running(engine, ref)["minutes"].due_at == local(2026, 3, 20, 0, 0)  # 5 business days

    case = act(engine, settings, ref, "record_minutes", local(2026, 3, 13, 9, 0), who="legal.agadir",
               data={"minutes": "Les parties acceptent une réintégration.", "present": ["Ahmed Bennani"]})
    assert case.state == "in_mediation"
    assert [s["status"] for s in case.data["sessions"]] == ["held"]

    case = act(engine, settings, ref, "settle", local(2026, 3, 16, 11, 0), who="legal.agadir",
               data={"terms": "Réintégration du membre au 1er avril.", "signed_on": "2026-03-16"})
    assert case.state == "settled" and case.closed_at is not None
    assert case.data["agreement"]["signed_on"] == "2026-03-16"
    assert running(engine, ref) == {}
    assert sorted(m.address for m in messages(engine, "dispute_settled")) == [
        "ahmed@example.ma", "contact@tifawin.example"]  # each side told once


def test_the_convocation_tells_time_and_place_when_the_message_has_them() -> None:
    """The session's hour and place are in the case's `notice`; the template tells them
    to the parties as soon as the notification context carries them."""
    notice = {"session_time": "10:00", "session_place": PLACE}
    context = {"office": "ODCO", "reference": "LD-2026-000001", "workflow": "Médiation", "state": "",
               "delegation": "Délégation d'Agadir", "today": date(2026, 3, 3), "recipient_name": "A",
               "deadlines": {"session": {"last_day": date(2026, 3, 12)}}, "notice": notice}
    message = render("mediation_session_scheduled", "fr", context)
    assert "12 mars 2026 à 10:00" in message.text and PLACE in message.text
    assert "12/03/2026 à 10:00" in message.sms


# -- admissibility ------------------------------------------------------------------------------


def test_a_filing_without_respondent_nor_subject_is_closed_as_inadmissible(engine: Engine, settings: Settings) -> None:
    ref = file(engine, settings, filing(subject=""))
    assert blocked(engine, settings, ref, "admit", T0, who="legal.agadir", data={}) == {
        "dispute_needs_two_parties", "dispute_needs_subject"}
    case = act(engine, settings, ref, "declare_inadmissible", T0 + timedelta(hours=1), who="legal.agadir",
               data={"reason": "La demande ne désigne aucune partie adverse ni l'objet du litige."})
    assert case.state == "inadmissible" and case.closed_at is not None
    assert [r["code"] for r in case.data["inadmissibility"]["rules"]] == [
        "dispute_needs_two_parties", "dispute_needs_subject"]
    (message,) = messages(engine, "dispute_inadmissible")
    assert message.address == "ahmed@example.ma"
    assert "ne désigne aucune partie adverse" in message.body_text and "art. 79" in message.body_text


def test_a_group_of_members_names_its_members(engine: Engine, settings: Settings) -> None:
    group = party("members_group", "Groupe des éleveurs", members=("M-1",))
    ref = file(engine, settings, filing(BOARD, claimant=group))
    assert blocked(engine, settings, ref, "admit", T0, who="legal.agadir", data={}) == {
        "dispute_group_without_members"}


# -- the mediator ---------------------------------------------------------------------------------


def test_a_mediator_tied_to_a_party_is_refused_and_an_untied_one_accepted(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine, COOP, "Coopérative Tifawin")
    staff(engine, "legal.amzil", "legal", "AGA", "Samira Amzil")
    staff(engine, "legal.bennani", "legal", "AGA", "Khadija BENNANI")
    staff(engine, "legal.rabat", "legal", "RAB", "Omar Tazi")
    # legal.amzil follows the cooperative in another case: a tie found in the register
    with unit_of_work(engine) as s:
        followed = service.open_case(
            db_session=s, workflow_key="accompaniment", actor=actor(engine, "officer.agadir"), now=T0,
            settings=settings, cooperative_id=coop,
            data={"motive": "Tenue de la comptabilité",
                  "applicant": {"full_name": "Coopérative Tifawin", "language": "fr"}},
        )
        reference = followed.case.reference
    with unit_of_work(engine) as s:
        service.assign(db_session=s, reference=reference, assignee="legal.amzil",
                       actor=actor(engine, "manager.agadir"), now=T0)

    ref = file(engine, settings, filing(BOARD), coop=coop)
    act(engine, settings, ref, "admit", T0, who="legal.agadir", data={})
    at = T0 + timedelta(hours=1)
    assert blocked(engine, settings, ref, "assign_mediator", at, who="legal.agadir",
                   data={"mediator": "legal.amzil"}) == {"mediator_tied_to_cooperative"}
    assert blocked(engine, settings, ref, "assign_mediator", at, who="legal.agadir",
                   data={"mediator": "legal.bennani"}) == {"mediator_same_family_name"}
    assert blocked(engine, settings, ref, "assign_mediator", at, who="legal.agadir",
                   data={"mediator": "legal.agadir", "declared_ties": ["M-17"]}) == {"mediator_declared_tie"}
    assert blocked(engine, settings, ref, "assign_mediator", at, who="legal.agadir",
                   data={"mediator": "officer.agadir"}) == {"mediator_not_legal_staff"}
    assert blocked(engine, settings, ref, "assign_mediator", at, who="legal.agadir",
                   data={"mediator": "legal.rabat"}) == {"mediator_not_legal_staff"}  # another delegation

    case = act(engine, settings, ref, "assign_mediator", at, who="manager.agadir",
               data={"mediator": "legal.agadir", "declared_ties": ["Coopérative Al Amal"]})
    assert case.state == "in_mediation"
    assert case.data["mediator"] == {"username": "legal.agadir", "full_name": "legal.agadir",
                                     "declared_ties": ["Coopérative Al Amal"],
                                     "assigned_at": at.isoformat()}
    with Session(engine) as s:
        assigned = s.exec(select(CaseEvent).where(col(CaseEvent.case_id) == case.id,
                                                  col(CaseEvent.kind) == "assigned")).one()
    assert assigned.data == {"assignee": "legal.agadir"}


# -- sessions and outcome ------------------------------------------------------------------------------


def test_session_and_outcome_guards(engine: Engine, settings: Settings) -> None:
    ref = in_mediation(engine, settings)
    now = T0 + timedelta(days=1)
    assert blocked(engine, settings, ref, "schedule_session", now, who="legal.agadir",
                   data={"at": T0.isoformat(), "place": PLACE}) == {"session_in_the_past"}
    too_late = datetime.fromisoformat(case_of(engine, ref).data["due"]["mediation"]) + timedelta(hours=9)
    assert blocked(engine, settings, ref, "schedule_session", now, who="legal.agadir",
                   data={"at": too_late.isoformat(), "place": PLACE}) == {"session_after_mediation_period"}
    assert blocked(engine, settings, ref, "settle", now, who="legal.agadir",
                   data={"terms": "Accord sans séance ?", "signed_on": "2026-03-03"}) == {"mediation_without_session"}
    assert blocked(engine, settings, ref, "fail", now, who="legal.agadir",
                   data={"referral": "court"}) == {"mediation_without_session"}

    act(engine, settings, ref, "schedule_session", now, who="legal.agadir",
        data={"at": SESSION.isoformat(), "place": PLACE})
    assert blocked(engine, settings, ref, "record_minutes", SESSION - timedelta(hours=1), who="legal.agadir",
                   data={"minutes": "Trop tôt pour un procès-verbal."}) == {"session_not_yet_held"}


def test_a_cancelled_session_stops_its_reminders_and_tells_the_parties(engine: Engine, settings: Settings) -> None:
    ref = in_mediation(engine, settings)
    act(engine, settings, ref, "schedule_session", T0 + timedelta(days=1), who="legal.agadir",
        data={"at": SESSION.isoformat(), "place": PLACE})
    case = act(engine, settings, ref, "cancel_session", T0 + timedelta(days=2), who="legal.agadir",
               data={"reason": "Le conseil d'administration est empêché."})
    assert case.state == "in_mediation"
    assert case.data["sessions"][0]["status"] == "cancelled"
    assert running(engine, ref, "reminder") == {} and set(running(engine, ref)) == {"mediation"}
    assert len(messages(engine, "mediation_session_cancelled")) == 1
    tick(engine, settings, local(2026, 3, 13, 0, 0))
    assert messages(engine, "mediation_session_reminder") == []


@pytest.mark.parametrize(("has_union", "body"), [
    (False, "la Fédération nationale des coopératives"),
    (True, "l'union de coopératives à laquelle la coopérative adhère"),
])
def test_a_failed_mediation_is_referred_to_conciliation(
    engine: Engine, settings: Settings, has_union: bool, body: str,
) -> None:
    ref = in_mediation(engine, settings)
    hold_session(engine, settings, ref)
    case = act(engine, settings, ref, "fail", SESSION + timedelta(days=1), who="legal.agadir",
               data={"referral": "conciliation", "has_union": has_union})
    assert case.state == "failed"
    assert case.data["referral"]["to"] == "conciliation"
    assert case.data["referral"]["body"]["fr"] == body
    assert case.data["referral"]["basis"] == "law:79"
    assert "art. 79" in messages(engine, "dispute_failed")[0].body_text


def test_a_failed_mediation_may_go_to_court(engine: Engine, settings: Settings) -> None:
    ref = in_mediation(engine, settings)
    hold_session(engine, settings, ref)
    case = act(engine, settings, ref, "fail", SESSION + timedelta(days=1), who="legal.agadir",
               data={"referral": "court", "note": "Le conseil refuse toute conciliation."})
    assert case.data["referral"] == {"to": "court", "note": "Le conseil refuse toute conciliation.",
                                     "basis": "law:79"}


# Each open state, and the step that leads to it from the one before.
ROAD = [
    ("filed", None, {}),
    ("admitted", "admit", {}),
    ("in_mediation", "assign_mediator", {"mediator": "legal.agadir"}),
    ("session_scheduled", "schedule_session", {"at": SESSION.isoformat(), "place": PLACE}),
    ("awaiting_minutes", "close_session_day", {}),
]


def _to_state(engine: Engine, settings: Settings, state: str) -> str:
    ref = file(engine, settings, filing(BOARD))
    for reached, trigger, data in ROAD:
        if trigger == "close_session_day":
            act(engine, settings, ref, trigger, local(2026, 3, 13, 0, 0), who=SYSTEM)
        elif trigger is not None:
            act(engine, settings, ref, trigger, T0 + timedelta(hours=1), who="legal.agadir", data=data)
        if reached == state:
            break
    assert case_of(engine, ref).state == state
    return ref


@pytest.mark.parametrize("state", [state for state, _, _ in ROAD])
def test_a_party_may_withdraw_at_any_open_stage(engine: Engine, settings: Settings, state: str) -> None:
    ref = _to_state(engine, settings, state)
    case = act(engine, settings, ref, "withdraw", local(2026, 3, 13, 9, 0), who="legal.agadir",
               data={"by": "Ahmed Bennani", "note": "Accord trouvé hors médiation."})
    assert case.state == "withdrawn" and case.closed_at is not None
    assert all(s["status"] != "scheduled" for s in case.data.get("sessions", ()))
    assert running(engine, ref) == {} and running(engine, ref, "reminder") == {}


# -- time limits and their one extension ------------------------------------------------------------


def test_each_stage_may_be_extended_once(engine: Engine, settings: Settings) -> None:
    ref = file(engine, settings, filing(BOARD))
    case = act(engine, settings, ref, "extend_admissibility", T0 + timedelta(days=3), who="manager.agadir",
               data={"reason": "Pièces demandées au conseil d'administration."})
    assert case.state == "filed"
    deadline = running(engine, ref)["admissibility"]
    assert deadline.days == 40  # 10 business days and the extension's 30
    assert deadline.due_at == local(2026, 4, 29, 0, 0)  # Eid al-Fitr (20 March) is not counted
    assert "40 jours ouvrables" in deadline.explanation_fr and "2026-04-28" in deadline.explanation_fr
    assert case.data["due"]["admissibility"] == deadline.due_at.isoformat()
    assert "28 avril 2026" in messages(engine, "dispute_extended")[0].body_text

    assert blocked(engine, settings, ref, "extend_admissibility", T0 + timedelta(days=4), who="legal.agadir",
                   data={"reason": "Encore des pièces."}) == {"dispute_already_extended"}

    # the mediation stage has its own extension
    act(engine, settings, ref, "admit", T0 + timedelta(days=5), who="legal.agadir", data={})
    act(engine, settings, ref, "assign_mediator", T0 + timedelta(days=5), who="legal.agadir",
        data={"mediator": "legal.agadir"})
    before = running(engine, ref)["mediation"]
    act(engine, settings, ref, "extend_mediation", T0 + timedelta(days=6), who="legal.agadir",
        data={"reason": "Les parties demandent une séance supplémentaire."})
    after = running(engine, ref)["mediation"]
    assert (before.days, after.days) == (60, 90) and after.due_at > before.due_at
    assert after.started_at == before.started_at
    assert blocked(engine, settings, ref, "extend_mediation", T0 + timedelta(days=7), who="legal.agadir",
                   data={"reason": "Encore une fois."}) == {"dispute_already_extended"}


def test_an_extension_after_the_breach_puts_the_deadline_back_ahead(engine: Engine, settings: Settings) -> None:
    ref = file(engine, settings, filing(BOARD))
    tick(engine, settings, local(2026, 3, 17, 0, 0))
    assert running(engine, ref)["admissibility"].status == "breached"
    assert [m.address for m in messages(engine, "deadline_breached")] == ["manager.agadir@odco.example"]
    act(engine, settings, ref, "extend_admissibility", local(2026, 3, 17, 9, 0), who="manager.agadir",
        data={"reason": "Dossier complexe : trois parties."})
    assert running(engine, ref)["admissibility"].status == "pending"


# -- who acts --------------------------------------------------------------------------------------------


def test_only_legal_staff_act_on_disputes(engine: Engine, settings: Settings) -> None:
    ref = file(engine, settings, filing(BOARD), who="officer.agadir")  # filed at the counter
    for who in ("officer.agadir", "manager.agadir"):
        assert blocked(engine, settings, ref, "admit", T0, who=who, data={}) == {"role_not_allowed"}
        assert blocked(engine, settings, ref, "declare_inadmissible", T0, who=who,
                       data={"reason": "Hors compétence de l'Office."}) == {"role_not_allowed"}
    assert blocked(engine, settings, ref, "extend_admissibility", T0, who="officer.agadir",
                   data={"reason": "Pièces manquantes."}) == {"role_not_allowed"}
    officer = actor(engine, "officer.agadir")
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == ref)).one()
        options = service.available_actions(db_session=s, case=case, actor=officer, now=T0, settings=settings)
    assert options and not any(o.allowed for o in options)
    act(engine, settings, ref, "admit", T0, who="legal.agadir", data={})
    assert blocked(engine, settings, ref, "assign_mediator", T0, who="officer.agadir",
                   data={"mediator": "legal.agadir"}) == {"role_not_allowed"}


def test_legal_staff_of_another_delegation_cannot_act(engine: Engine, settings: Settings) -> None:
    staff(engine, "legal.rabat", "legal", "RAB", "Omar Tazi")
    ref = file(engine, settings, filing(BOARD))
    with pytest.raises(service.NotFound):
        act(engine, settings, ref, "admit", T0, who="legal.rabat", data={})


def test_the_definition_cites_its_bases() -> None:
    bases = {d.basis.code for s in DISPUTE.states for d in s.deadlines}
    assert {"internal:dispute_admissibility_days", "internal:dispute_mediation_days",
            "internal:dispute_minutes_business_days"} <= bases
    assert all(t.roles <= {"legal", "manager", "system"} for t in DISPUTE.transitions)


# -- the sessions legal staff see --------------------------------------------------------------------------


def test_legal_staff_see_the_sessions_of_their_delegation(engine: Engine, settings: Settings, client: TestClient) -> None:
    staff(engine, "legal.rabat", "legal", "RAB", "Omar Tazi")
    agadir = in_mediation(engine, settings)
    act(engine, settings, agadir, "schedule_session", T0 + timedelta(days=1), who="legal.agadir",
        data={"at": SESSION.isoformat(), "place": PLACE})
    with unit_of_work(engine) as s:
        rabat = service.open_case(db_session=s, workflow_key="dispute", data=filing(BOARD),
                                  actor=actor(engine, "legal.rabat"), now=T0, settings=settings).case.reference
    act(engine, settings, rabat, "admit", T0, who="legal.rabat", data={})
    act(engine, settings, rabat, "assign_mediator", T0, who="legal.rabat", data={"mediator": "legal.rabat"})
    act(engine, settings, rabat, "schedule_session", T0, who="legal.rabat",
        data={"at": local(2026, 3, 11, 9, 0).isoformat(), "place": "Délégation de Rabat"})

    def listing(who: str, **params: str) -> Any:
        return client.get("/api/v1/disputes/sessions",
                          params={"from": "2026-03-01", "to": "2026-03-31", **params}, headers=login(client, who))

    mine = listing("legal.agadir")
    assert mine.status_code == 200, mine.text
    assert [(r["reference"], r["number"], r["place"], r["status"]) for r in mine.json()] == [
        (agadir, 1, PLACE, "scheduled")]
    assert mine.json()[0]["mediator"] == "legal.agadir"
    assert mine.json()[0]["parties"] == ["Ahmed Bennani", "Conseil d'administration de la coopérative Tifawin"]
    assert [r["reference"] for r in listing("legal.rabat").json()] == [rabat]
    assert [r["reference"] for r in listing("manager.agadir").json()] == [agadir]
    assert [r["reference"] for r in listing("manager.hq").json()] == [rabat, agadir]  # by date
    assert listing("legal.agadir", to="2026-03-11").json() == []  # the window's last day is included
    assert len(listing("legal.agadir", to="2026-03-12").json()) == 1
    assert listing("officer.agadir").status_code == 403
    assert listing("legal.agadir", to="2026-02-01").status_code == 422


def test_each_party_hears_of_the_dispute_and_only_the_claimant_gets_the_pin(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine, COOP, "Coopérative Tifawin")
    other = party("cooperative", "Coopérative Amal Tiznit", ref=OTHER_COOP) | {
        "email": "amal@example.ma", "phone": "0612345678", "language": "ar"}
    with unit_of_work(engine) as s:
        opened = service.open_case(db_session=s, workflow_key="dispute", data=filing(BOARD, other),
                                   actor=actor(engine, "legal.agadir"), now=T0, settings=settings, cooperative_id=coop)
        ref, pin = opened.case.reference, opened.pin
    (receipt,) = messages(engine, "dispute_received")
    assert receipt.address == "ahmed@example.ma" and pin in receipt.body_text
    act(engine, settings, ref, "admit", T0 + timedelta(hours=2), who="legal.agadir", data={})
    admitted = messages(engine, "dispute_admitted")
    assert sorted((m.channel, m.address) for m in admitted) == [
        ("email", "ahmed@example.ma"), ("email", "amal@example.ma"), ("email", "contact@tifawin.example"),
        ("sms", "+212612345678")]
    assert next(m for m in admitted if m.address == "amal@example.ma").language == "ar"
    with Session(engine) as s:
        others = [m for m in s.exec(select(Outbox)) if m.address != "ahmed@example.ma"]
    assert {m.template for m in others} == {"dispute_admitted"}
    assert not any(re.search(rf"(?<!\d){pin}(?!\d)", m.body_text + m.subject) for m in others)
