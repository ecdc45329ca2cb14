"""General-assembly supervision at the service layer: the life cycle, the law's notice and
quorum tables played through the workflow, the agenda that cannot change between calls, the
filing deadline, the overdue assembly escalated with Art. 97, members forcing an assembly,
and the yearly opening by the scheduler. Runs on every configured database."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api import scheduler
from cases import assembly_store, service, timers, users, worklists
from cases.clock import FixedClock
from cases.db import unit_of_work
from cases.errors import Invalid
from cases.models import Case, CaseEvent, Cooperative, Delegation, Outbox, Timer
from cases.settings import Settings
from notifications import sms
from tests.conftest import local
from workflows.engine import ActionBlocked
from workflows.spec import SYSTEM, Actor

OFFICER = "officer.agadir"
AGENDA = ["Rapport moral et financier 2025", "Approbation des comptes", "Affectation du résultat"]


# -- helpers shared with the audit tests -----------------------------------------------------------


def actor(engine: Engine, username: str) -> Actor:
    with Session(engine) as s:
        user = users.get_by_username(db_session=s, username=username)
        assert user is not None
        return users.actor_of(user)


def cooperative(
    engine: Engine, number: str = "2019/1/000042", *, members: int = 20, status: str = "active",
    registered_on: date = date(2019, 5, 2), delegation: str = "AGA",
    email: str | None = "coop@example.ma",
) -> int:
    """A cooperative of the register, reachable by email."""
    with unit_of_work(engine) as s:
        d = s.exec(select(Delegation).where(col(Delegation.code) == delegation)).one()
        year, series, seq = (int(p) for p in number.split("/"))
        coop = Cooperative(
            national_number=number, reg_year=year, reg_series=series, reg_seq=seq,
            name_ar=f"تعاونية {seq}", name_fr=f"Coopérative {seq}", region_code=d.region_code,
            delegation_id=d.id, province="Agadir-Ida-Ou-Tanane", sector="agriculture",
            members=members, women_members=0, email=email, language="fr", status=status,
            registered_on=registered_on,
        )
        s.add(coop)
        s.flush()
        assert coop.id is not None
        return coop.id


def open_assembly(engine: Engine, settings: Settings, coop_id: int, data: dict[str, Any], at: datetime) -> str:
    with unit_of_work(engine) as s:
        coop = s.get(Cooperative, coop_id)
        assert coop is not None
        return assembly_store.open_assembly(
            s, data=data, cooperative_id=coop_id, delegation_id=coop.delegation_id, actor=SYSTEM,
            now=at, settings=settings,
        ).reference


def ordinary(engine: Engine, settings: Settings, coop_id: int, year_end: str = "2025-12-31",
             at: datetime | None = None) -> str:
    return open_assembly(engine, settings, coop_id,
                         {"kind": "ordinary", "origin": "year_end", "financial_year_end": year_end},
                         at or local(2026, 1, 2, 5, 30))


def extraordinary(engine: Engine, settings: Settings, coop_id: int, members: int = 20) -> str:
    """Forced by a third of the members: an extraordinary assembly, due 2 months later."""
    return open_assembly(engine, settings, coop_id, {
        "kind": "extraordinary", "origin": "members_request", "requested_on": "2026-03-02",
        "requesters": -(-members // 3), "members": members,
    }, local(2026, 3, 2, 10, 0))


def act(engine: Engine, settings: Settings, reference: str, trigger: str, at: datetime,
        who: Actor | str = OFFICER, data: dict[str, Any] | None = None) -> Case:
    who = actor(engine, who) if isinstance(who, str) else who
    with unit_of_work(engine) as s:
        case = service.get(db_session=s, reference=reference, actor=who)
        return service.act(db_session=s, reference=reference, trigger=trigger, actor=who,
                           data=data, expected_version=case.version, now=at, settings=settings)


def blocked(engine: Engine, settings: Settings, reference: str, trigger: str, at: datetime,
            who: Actor | str = OFFICER, data: dict[str, Any] | None = None) -> set[str]:
    with pytest.raises(ActionBlocked) as exc:
        act(engine, settings, reference, trigger, at, who, data)
    for reason in exc.value.reasons:
        assert reason.message.fr and reason.message.ar
    return {r.code for r in exc.value.reasons}


def get(engine: Engine, reference: str) -> Case:
    with Session(engine) as s:
        return s.exec(select(Case).where(col(Case.reference) == reference)).one()


def deadlines(engine: Engine, reference: str, *status: str) -> dict[str, Timer]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        rows = s.exec(select(Timer).where(col(Timer.case_id) == case.id, col(Timer.kind) == "deadline",
                                          col(Timer.status).in_(status or ("pending",))))
        return {t.deadline_key: t for t in rows}


def outbox(engine: Engine, reference: str) -> list[tuple[str, str]]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        rows = s.exec(select(Outbox).where(col(Outbox.case_id) == case.id).order_by(col(Outbox.id)))
        return [(o.template, o.address) for o in rows]


def tick(engine: Engine, settings: Settings, at: datetime) -> timers.TickReport:
    return timers.tick(engine=engine, now=at, worker="w1", settings=settings)


def convocation(call: int, notice_on: str, meeting_on: str, kind: str = "ordinary",
                agenda: list[str] = AGENDA) -> dict[str, Any]:
    return {"kind": kind, "call": call, "meeting_on": meeting_on, "meeting_time": "10:00",
            "place": "Siège de la coopérative, Agadir", "agenda": agenda, "notice_on": notice_on,
            "notice_means": "registered_letter"}


def attendance(members: int, present: int, proxies: int = 0, **more: Any) -> dict[str, Any]:
    return {"members": members, "present_in_person": present, "proxies": proxies, **more}


# Calls played before the one under test: notice 10 full days before, nobody comes.
CALL_DAYS = {1: ("2026-04-01", "2026-04-20"), 2: ("2026-04-21", "2026-05-04"),
             3: ("2026-05-05", "2026-05-18")}


def reach_call(engine: Engine, settings: Settings, ref: str, call: int, members: int,
               kind: str = "ordinary") -> None:
    """Play the calls before `call`, each without a quorum (nobody came)."""
    for earlier in range(1, call):
        notice, meeting = CALL_DAYS[earlier]
        act(engine, settings, ref, "convene", local(2026, 4, 1, 9), data=convocation(earlier, notice, meeting, kind))
        act(engine, settings, ref, "adjourn", local(2026, 5, 30, 9), data=attendance(members, 0))


# -- the life cycle -------------------------------------------------------------------------------


def test_life_cycle_of_an_ordinary_assembly(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine)
    ref = ordinary(engine, settings, coop)
    case = get(engine, ref)
    assert case.state == "open" and case.data["held_by"] == "2026-06-30"
    held = deadlines(engine, ref)["assembly_held"]
    assert held.due_at == local(2026, 7, 1, 0, 0)  # the end of 30 June, 6 months after 31 December
    assert held.basis == "law:35-46" and "2026-06-30" in held.explanation_fr
    assert "المادة 35-46" in held.explanation_ar
    assert outbox(engine, ref) == [("assembly_due", "coop@example.ma")]

    act(engine, settings, ref, "convene", local(2026, 4, 20, 9), data=convocation(1, "2026-04-20", "2026-05-06"))
    # an officer is sent to attend: the case is theirs, and they are told
    with unit_of_work(engine) as s:
        assembly_store.send_to_attend(s, reference=ref, officer="officer.agadir2",
                                      actor=actor(engine, "manager.agadir"), now=local(2026, 4, 21, 9),
                                      settings=settings)
    case = get(engine, ref)
    assert case.state == "convened" and case.assignee_id == actor(engine, "officer.agadir2").id
    assert ("assembly_attendance", "officer.agadir2@odco.example") in outbox(engine, ref)

    case = act(engine, settings, ref, "hold", local(2026, 5, 6, 15), who="officer.agadir2", data={
        **attendance(20, 9, 2, legal_person_votes=3),
        "resolutions": [
            {"title": "Approbation des comptes", "votes_for": 8, "votes_against": 2, "abstentions": 1},
            {"title": "Achat d'un camion", "votes_for": 5, "votes_against": 5, "chair_vote": "against"},
        ],
    })
    assert case.state == "held" and case.data["held_late"] is False
    assert [(r["title"], r["adopted"]) for r in case.data["resolutions"]] == [
        ("Approbation des comptes", True), ("Achat d'un camion", False)]
    assert case.data["resolutions"][1]["reasons"][0]["code"] == "resolution_tie_chair_against"
    assert case.data["calls"] == [{"call": 1, "meeting_on": "2026-05-06", "members": 20, "present": 11,
                                   "required": 10, "outcome": "held"}]
    filing = deadlines(engine, ref)["filing"]
    assert filing.due_at == local(2026, 6, 6, 0, 0)  # 30 full days after 6 May: 7 May to 5 June
    assert ("assembly_filing_due", "coop@example.ma") in outbox(engine, ref)
    assert "assembly_held" not in deadlines(engine, ref)

    case = act(engine, settings, ref, "file", local(2026, 6, 1, 9), data={
        "filed_on": "2026-06-01", "documents": ["minutes", "accounts"], "local_register": "TPI Agadir"})
    assert case.state == "filed" and case.closed_at is not None and case.data["filed_late"] is False
    assert deadlines(engine, ref) == {}


# -- the notice table, through the workflow -------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "notice_on", "meeting_on", "in_time"),
    [
        (1, "2026-06-01", "2026-06-17", True),  # 2 to 16 June: 15 full days
        (1, "2026-06-01", "2026-06-16", False),  # 14
        (2, "2026-06-01", "2026-06-12", True),  # 2 to 11 June: 10 full days
        (2, "2026-06-01", "2026-06-11", False),  # 9
        (3, "2026-06-01", "2026-06-12", True),
        (3, "2026-06-01", "2026-06-11", False),
    ],
)
def test_notice_table(engine: Engine, settings: Settings, call: int, notice_on: str, meeting_on: str,
                      in_time: bool) -> None:
    ref = ordinary(engine, settings, cooperative(engine))
    reach_call(engine, settings, ref, call, members=20)
    at = local(2026, 6, 1, 9)
    if in_time:
        assert act(engine, settings, ref, "convene", at, data=convocation(call, notice_on, meeting_on)).state == "convened"
        return
    with pytest.raises(ActionBlocked) as exc:
        act(engine, settings, ref, "convene", at, data=convocation(call, notice_on, meeting_on))
    (reason,) = exc.value.reasons
    assert reason.code == "assembly_notice_too_short" and reason.basis is not None
    assert reason.basis.code == "law:35-46"
    required = 15 if call == 1 else 10
    assert f"{required} jours francs" in reason.message.fr
    assert get(engine, ref).state == ("open" if call == 1 else "awaiting_next_call")


# -- the quorum table, through the workflow -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "call", "members", "required"),
    [
        ("ordinary", 1, 20, 10),  # half
        ("ordinary", 2, 20, 5),  # a quarter
        ("ordinary", 3, 20, 2),  # up to 20 members: a tenth, at least 2
        ("ordinary", 3, 15, 2),
        ("ordinary", 1, 15, 8),  # shares are rounded up
        ("ordinary", 3, 21, 1),  # above 20 members: no quorum, someone must be there
        ("extraordinary", 1, 20, 15),  # three quarters
        ("extraordinary", 2, 20, 10),  # half
        ("extraordinary", 3, 20, 2),  # as the ordinary third call
        ("extraordinary", 1, 7, 6),
    ],
)
def test_quorum_table(engine: Engine, settings: Settings, kind: str, call: int, members: int,
                      required: int) -> None:
    refs = []
    for n in range(2):
        coop = cooperative(engine, f"2019/1/{100 + n:06d}", members=members)
        ref = ordinary(engine, settings, coop) if kind == "ordinary" else extraordinary(engine, settings, coop, members)
        reach_call(engine, settings, ref, call, members, kind)
        notice, meeting = "2026-05-19", "2026-06-05"
        act(engine, settings, ref, "convene", local(2026, 5, 19, 9), data=convocation(call, notice, meeting, kind))
        refs.append(ref)
    met, short = refs
    at = local(2026, 6, 5, 16)

    # one short: the assembly may not deliberate, and the officer is told how many it needed
    with pytest.raises(ActionBlocked) as exc:
        act(engine, settings, short, "hold", at, data=attendance(members, required - 1))
    (reason,) = exc.value.reasons
    assert reason.code == "assembly_quorum_not_met"
    assert f"si {required} membre(s) au moins" in reason.message.fr
    # it is recorded as such: the next call, or, after the third, not held
    ended = act(engine, settings, short, "adjourn" if call < 3 else "fail", at,
                data=attendance(members, required - 1))
    assert ended.state == ("awaiting_next_call" if call < 3 else "not_held")

    # exactly the quorum, counting proxies: held; and it cannot be recorded as a failure
    proxies = min(required // 2, required - required // 2)
    assert blocked(engine, settings, met, "adjourn" if call < 3 else "fail", at,
                   data=attendance(members, required - proxies, proxies)) == {"assembly_quorum_met"}
    assert act(engine, settings, met, "hold", at, data=attendance(members, required - proxies, proxies)).state == "held"


# -- calls, agenda and the record of the meeting ----------------------------------------------------


def test_the_agenda_cannot_change_between_calls(engine: Engine, settings: Settings) -> None:
    ref = ordinary(engine, settings, cooperative(engine))
    reach_call(engine, settings, ref, 2, members=20)
    at = local(2026, 6, 1, 9)
    changed = [*AGENDA[:2], "Élection du conseil d'administration"]
    assert blocked(engine, settings, ref, "convene", at,
                   data=convocation(2, "2026-06-01", "2026-06-12", agenda=changed)) == {"assembly_agenda_changed"}
    assert blocked(engine, settings, ref, "convene", at,
                   data=convocation(2, "2026-06-01", "2026-06-12", agenda=AGENDA[:2])) == {"assembly_agenda_changed"}
    assert blocked(engine, settings, ref, "convene", at,
                   data=convocation(3, "2026-06-01", "2026-06-12")) == {"assembly_call_not_next"}
    assert blocked(engine, settings, ref, "convene", at, data=convocation(
        2, "2026-06-01", "2026-06-12", kind="extraordinary")) == {"assembly_kind_mismatch"}
    # the same items, written with other spacing and case, are the same agenda
    same = [f"  {item.upper()} " for item in AGENDA]
    case = act(engine, settings, ref, "convene", at, data=convocation(2, "2026-06-01", "2026-06-12", agenda=same))
    assert case.state == "convened" and case.data["agenda"] == AGENDA and case.data["call"] == 2


def test_the_record_of_a_meeting_is_checked(engine: Engine, settings: Settings) -> None:
    ref = ordinary(engine, settings, cooperative(engine))
    act(engine, settings, ref, "convene", local(2026, 4, 1, 9), data=convocation(1, "2026-04-01", "2026-04-20"))
    # not before the meeting day
    assert blocked(engine, settings, ref, "hold", local(2026, 4, 19, 18), data=attendance(20, 12)) == {
        "assembly_meeting_not_yet_held"}
    on_the_day = local(2026, 4, 20, 18)
    # one proxy per member present; legal persons hold at most a third of the votes
    assert blocked(engine, settings, ref, "hold", on_the_day,
                   data=attendance(20, 5, 6, legal_person_votes=5)) == {
        "assembly_too_many_proxies", "assembly_legal_persons_over_third"}
    assert blocked(engine, settings, ref, "hold", on_the_day, data=attendance(20, 15, 8)) == {
        "assembly_attendance_exceeds_members"}
    # one member, one vote
    assert blocked(engine, settings, ref, "hold", on_the_day, data={
        **attendance(20, 10), "resolutions": [{"title": "Comptes", "votes_for": 9, "votes_against": 2}]}) == {
        "resolution_more_votes_than_voters"}
    # no officer can be sent before one is assigned
    assert blocked(engine, settings, ref, "send_to_attend", on_the_day) == {"assembly_no_attendee"}
    # the third call is the last: no fourth, and the first is not the last
    assert blocked(engine, settings, ref, "fail", on_the_day, data=attendance(20, 0)) == {"assembly_not_last_call"}


def test_after_the_third_call_there_is_no_fourth(engine: Engine, settings: Settings) -> None:
    ref = ordinary(engine, settings, cooperative(engine, members=8))
    reach_call(engine, settings, ref, 3, members=8)
    act(engine, settings, ref, "convene", local(2026, 6, 1, 9), data=convocation(3, "2026-06-01", "2026-06-12"))
    at = local(2026, 6, 12, 18)
    assert blocked(engine, settings, ref, "adjourn", at, data=attendance(8, 1)) == {"assembly_no_further_call"}
    case = act(engine, settings, ref, "fail", at, data=attendance(8, 1))
    assert case.state == "not_held" and [c["outcome"] for c in case.data["calls"]] == ["no_quorum"] * 3


def test_an_extraordinary_assembly_decides_by_two_thirds(engine: Engine, settings: Settings) -> None:
    ref = extraordinary(engine, settings, cooperative(engine))
    act(engine, settings, ref, "convene", local(2026, 3, 10, 9),
        data=convocation(1, "2026-03-10", "2026-03-30", kind="extraordinary", agenda=["Modification des statuts"]))
    case = act(engine, settings, ref, "hold", local(2026, 3, 30, 18), data={
        **attendance(20, 16),
        "resolutions": [{"title": "Article 5 des statuts", "votes_for": 10, "votes_against": 6},
                        {"title": "Article 9 des statuts", "votes_for": 10, "votes_against": 5}]})
    first, second = case.data["resolutions"]
    assert not first["adopted"] and first["reasons"][0]["code"] == "resolution_below_two_thirds"
    assert second["adopted"]


# -- the filing deadline ---------------------------------------------------------------------------


def test_minutes_filed_after_thirty_days_are_late_and_escalated(engine: Engine, settings: Settings) -> None:
    ref = ordinary(engine, settings, cooperative(engine))
    act(engine, settings, ref, "convene", local(2026, 4, 1, 9), data=convocation(1, "2026-04-01", "2026-04-20"))
    act(engine, settings, ref, "hold", local(2026, 4, 21, 9), data=attendance(20, 11))
    assert get(engine, ref).data["meeting_on"] == "2026-04-20"
    assert deadlines(engine, ref)["filing"].due_at == local(2026, 5, 21, 0, 0)  # last day 20 May

    tick(engine, settings, local(2026, 5, 20, 23, 59))
    assert "filing" in deadlines(engine, ref)
    tick(engine, settings, local(2026, 5, 21, 0, 0))
    breached = deadlines(engine, ref, "breached")["filing"]
    assert "2026-05-20" in breached.explanation_fr and "art. 35-46" in breached.explanation_fr
    assert ("deadline_breached", "manager.agadir@odco.example") in outbox(engine, ref)

    filing = {"documents": ["minutes", "accounts", "auditor_report"], "local_register": "TPI Agadir"}
    assert blocked(engine, settings, ref, "file", local(2026, 5, 25, 9),
                   data={**filing, "filed_on": "2026-04-19"}) == {"assembly_filed_before_meeting"}
    assert blocked(engine, settings, ref, "file", local(2026, 5, 25, 9),
                   data={**filing, "filed_on": "2026-05-26"}) == {"date_in_future"}
    case = act(engine, settings, ref, "file", local(2026, 5, 25, 9), data={**filing, "filed_on": "2026-05-22"})
    assert case.state == "filed" and case.data["filed_late"] is True
    (late,) = case.data["filing"]["reasons"]
    assert late["code"] == "assembly_filing_late" and "2 jour(s) de retard" in late["message"]["fr"]
    assert deadlines(engine, ref, "breached") == {}


# -- not held in time: overdue, with Art. 97 ---------------------------------------------------------


def test_an_assembly_not_held_in_time_escalates_with_article_97(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine)
    ref = ordinary(engine, settings, coop)
    tick(engine, settings, local(2026, 6, 30, 23, 59))
    assert get(engine, ref).state == "open"

    report = tick(engine, settings, local(2026, 7, 1, 0, 0))
    assert report.fired == 2  # the legal deadline, then the escalation it leaves behind
    case = get(engine, ref)
    assert case.state == "overdue"
    assert case.data["late_reason"]["code"] == "assembly_overdue"
    assert case.data["late_reason"]["basis"]["code"] == "law:97"
    assert "8 000 à 40 000 dirhams" in case.data["late_reason"]["message"]["fr"]
    late = deadlines(engine, ref, "breached")["assembly_late"]
    assert late.basis == "law:97"
    assert "art. 97" in late.explanation_fr and "المادة 97" in late.explanation_ar
    assert "2026-06-30" in late.explanation_fr
    with Session(engine) as s:
        (escalation,) = s.exec(select(CaseEvent).where(col(CaseEvent.case_id) == case.id,
                                                      col(CaseEvent.kind) == "escalate")).all()
        assert "art. 97" in escalation.data["timer"]["fr"]
        listed = worklists.list_cases(db_session=s, actor=SYSTEM, now=local(2026, 7, 2),
                                      filters=worklists.CaseFilters(overdue=True))
        assert [r.case.reference for r in listed] == [ref]
    assert outbox(engine, ref)[1:] == [("assembly_overdue", "coop@example.ma"),
                                       ("deadline_breached", "manager.agadir@odco.example")]

    # convened late: still overdue until it is held, and the record says it was late
    act(engine, settings, ref, "convene", local(2026, 7, 2, 9), data=convocation(1, "2026-07-02", "2026-07-20"))
    assert "assembly_late" in deadlines(engine, ref, "breached")
    case = act(engine, settings, ref, "hold", local(2026, 7, 20, 18), data=attendance(20, 12))
    assert case.state == "held" and case.data["held_late"] is True
    assert deadlines(engine, ref, "breached") == {}

    # the next year again: the board is deemed to have resigned on repetition
    again = ordinary(engine, settings, coop, "2026-12-31", at=local(2027, 1, 2, 5, 30))
    tick(engine, settings, local(2027, 7, 1, 0, 0))
    assert get(engine, again).data["late_reason"]["code"] == "assembly_overdue_repeated"


def test_a_meeting_convened_in_time_but_recorded_late_can_still_be_recorded(
    engine: Engine, settings: Settings
) -> None:
    ref = ordinary(engine, settings, cooperative(engine))
    act(engine, settings, ref, "convene", local(2026, 6, 1, 9), data=convocation(1, "2026-06-01", "2026-06-29"))
    tick(engine, settings, local(2026, 7, 1, 0, 0))
    assert get(engine, ref).state == "overdue"
    assert blocked(engine, settings, ref, "convene", local(2026, 7, 1, 9),
                   data=convocation(2, "2026-07-01", "2026-07-12")) == {"assembly_meeting_pending"}
    case = act(engine, settings, ref, "hold", local(2026, 7, 1, 9), data=attendance(20, 10))
    assert case.state == "held" and case.data["held_late"] is False


# -- a third of the members force an assembly ---------------------------------------------------------


def test_a_third_of_the_members_open_a_case_due_in_two_months(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine, members=30)
    ref = extraordinary(engine, settings, coop, members=30)
    case = get(engine, ref)
    assert case.data["held_by"] == "2026-05-02" and case.data["kind"] == "extraordinary"
    assert deadlines(engine, ref)["assembly_held"].due_at == local(2026, 5, 3, 0, 0)

    request = {"kind": "ordinary", "origin": "members_request", "requested_on": "2026-03-02",
               "requesters": 9, "members": 30}
    with pytest.raises(ActionBlocked) as exc:
        open_assembly(engine, settings, coop, request, local(2026, 3, 2, 10))
    assert {r.code for r in exc.value.reasons} == {"forced_meeting_too_few_requesters"}
    # the definition's own data check says the same to any other caller
    with unit_of_work(engine) as s, pytest.raises(Invalid) as invalid:
        service.open_case(db_session=s, workflow_key="general_assembly", data=request, actor=SYSTEM,
                          now=local(2026, 3, 2, 10), settings=settings, delegation_id=get(engine, ref).delegation_id)
    (error,) = invalid.value.errors
    assert "forced_meeting_too_few_requesters" in error["msg"] and "10 sur 30" in error["msg"]


# -- the yearly opening --------------------------------------------------------------------------------


def _assembly_cases(engine: Engine) -> list[Case]:
    with Session(engine) as s:
        return list(s.exec(select(Case).where(col(Case.workflow_key) == "general_assembly")
                           .order_by(col(Case.cooperative_id))))


def test_the_yearly_opening_is_idempotent(engine: Engine, settings: Settings) -> None:
    active = [cooperative(engine, f"2019/1/{n:06d}") for n in range(1, 6)]
    cooperative(engine, "2019/1/000090", status="dissolved")
    cooperative(engine, "2026/1/000001", registered_on=date(2026, 1, 15))  # after the year's end
    small = settings.model_copy(update={"assembly_opening_batch": 2})
    clock = FixedClock(local(2025, 12, 31, 5, 30))
    ctx = scheduler.Context(engine=engine, settings=small, clock=clock, worker="w1")

    scheduler.open_general_assemblies(ctx)  # on 31 December the year is not over yet: 2024's
    assert {c.data["financial_year_end"] for c in _assembly_cases(engine)} == {"2024-12-31"}
    clock.set(local(2026, 1, 1, 5, 30))
    scheduler.open_general_assemblies(ctx)
    scheduler.open_general_assemblies(ctx)
    opened = [c for c in _assembly_cases(engine) if c.data["financial_year_end"] == "2025-12-31"]
    assert [c.cooperative_id for c in opened] == active
    assert {c.data["held_by"] for c in opened} == {"2026-06-30"}
    assert all(c.state == "open" and c.delegation_id is not None for c in opened)


def test_two_schedulers_open_each_case_once(engine: Engine, settings: Settings) -> None:
    active = [cooperative(engine, f"2019/1/{n:06d}") for n in range(1, 9)]
    small = settings.model_copy(update={"assembly_opening_batch": 3})
    now = local(2026, 1, 1, 5, 30)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            counts.append(assembly_store.open_due(engine=engine, now=now, settings=small))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(counts) == len(active)
    assert sorted(c.cooperative_id for c in _assembly_cases(engine)) == active


def test_a_financial_year_ending_in_june(engine: Engine, settings: Settings) -> None:
    coop = cooperative(engine)
    june = settings.model_copy(update={"financial_year_end_month": 6, "financial_year_end_day": 30})
    assert assembly_store.last_year_end(date(2026, 7, 1), june) == date(2026, 6, 30)
    assert assembly_store.last_year_end(date(2026, 6, 30), june) == date(2025, 6, 30)
    assert assembly_store.open_due(engine=engine, now=local(2026, 7, 1, 5, 30), settings=june) == 1
    (case,) = _assembly_cases(engine)
    assert case.cooperative_id == coop and case.data["held_by"] == "2026-12-31"
    feb = settings.model_copy(update={"financial_year_end_month": 2, "financial_year_end_day": 29})
    assert assembly_store.year_end(2027, feb) == date(2027, 2, 28)


# -- the messages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_messages_tell_the_last_day_and_fit_two_sms(engine: Engine, settings: Settings, language: str) -> None:
    coop = cooperative(engine)
    with unit_of_work(engine) as s:
        c = s.get(Cooperative, coop)
        assert c is not None
        c.language, c.phone = language, "0612345678"
        s.add(c)
    ref = ordinary(engine, settings, coop)
    tick(engine, settings, local(2026, 7, 1, 0, 0))
    with Session(engine) as s:
        rows = list(s.exec(select(Outbox).where(col(Outbox.recipient) == "applicant")))
    emails = {o.template: o for o in rows if o.channel == "email"}
    texts = {o.template: o for o in rows if o.channel == "sms"}
    assert set(emails) == set(texts) == {"assembly_due", "assembly_overdue"}
    day = {"fr": "30 juin 2026", "ar": "30 يونيو 2026"}[language]
    assert day in emails["assembly_due"].body_text and ref in emails["assembly_due"].subject
    assert "2026-06-30" in emails["assembly_due"].body_text
    assert day in emails["assembly_overdue"].body_text and "97" in emails["assembly_overdue"].body_text
    assert "30/06/2026" in texts["assembly_due"].body_text
    for row in texts.values():
        assert row.status == "pending" and sms.segments(row.body_text) <= 2, row.body_text
        if language == "fr":
            assert sms.encoding(row.body_text) == "gsm7"
