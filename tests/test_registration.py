"""Registration in the central register and changes to a registration, at the service layer:
from an approved name to a numbered cooperative, every refusal with its reasons, late
transmissions counted per court, the numbering series restarting each 1 January, and
changes filed in time and late. Runs on every configured database."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import registration_store, service, timers
from cases.db import unit_of_work
from cases.models import Case, CaseEvent, Cooperative, NameEntry, Outbox, Timer
from cases.name_check import check_name
from cases.settings import Settings
from tests.conftest import local, login
from tests.test_name_approval import T0, act, actor, blocked, register, request
from workflows.spec import SYSTEM

NAME_AR = "تعاونية تيفاوين لزيت الأركان"
NAME_FR = "Coopérative Tifawin pour l'huile d'argan"
COURT = "Tribunal de première instance de Tiznit"


def open_filing(engine: Engine, settings: Settings, key: str, data: dict[str, Any], at: datetime,
                who: str = "officer.agadir", cooperative_id: int | None = None) -> str:
    with unit_of_work(engine) as s:
        opened = service.open_case(db_session=s, workflow_key=key, data=data, actor=actor(engine, who),
                                   now=at, settings=settings, cooperative_id=cooperative_id)
        return opened.case.reference


def approved_name(engine: Engine, settings: Settings, name: str = NAME_AR, at: datetime = T0) -> str:
    """A certificate of name issued at `at`: valid 60 full days (from 2 March: to 1 May)."""
    with unit_of_work(engine) as s:
        ref = service.open_case(db_session=s, workflow_key="name_approval", data=request(name),
                                actor=actor(engine, "officer.agadir"), now=at, settings=settings).case.reference
    act(engine, settings, ref, "approve", at + timedelta(hours=1), data={})
    return ref


def entry(certificate: str, **changes: Any) -> dict[str, Any]:
    """The clerk's copy of a local registration of 20 March 2026, received 5 days later."""
    return {
        "court": COURT,
        "local_number": "142",
        "local_registered_on": "2026-03-20",
        "certificate_reference": certificate,
        "name_ar": NAME_AR,
        "name_fr": NAME_FR,
        "member_kind": "natural",
        "members": 7,
        "women_members": 7,
        "capital": 7_000,
        "share_value": 100,
        "paid": 1_750,
        "province": "Tiznit",
        "sector": "agriculture",
        "applicant": {"full_name": "Fatima Ait Lahcen", "email": "tifawin@example.ma", "language": "ar"},
        "received_on": "2026-03-25",
        **changes,
    }


def case_row(engine: Engine, reference: str) -> Case:
    with Session(engine) as s:
        return s.exec(select(Case).where(col(Case.reference) == reference)).one()


def cooperative(engine: Engine, cooperative_id: int | None) -> Cooperative:
    with Session(engine) as s:
        coop = s.get(Cooperative, cooperative_id)
        assert coop is not None
        return coop


def events(engine: Engine, reference: str) -> list[CaseEvent]:
    case = case_row(engine, reference)
    with Session(engine) as s:
        return list(s.exec(select(CaseEvent).where(col(CaseEvent.case_id) == case.id)
                           .order_by(col(CaseEvent.seq))))


RECEIVED = local(2026, 3, 25, 9, 0)  # a Wednesday
RECORDED = local(2026, 3, 26, 10, 0)


# -- the life cycle --------------------------------------------------------------------------------


def test_an_approved_name_becomes_a_numbered_cooperative(engine: Engine, settings: Settings) -> None:
    na = approved_name(engine, settings)
    rg = open_filing(engine, settings, "registration", entry(na), RECEIVED)
    case = case_row(engine, rg)
    assert case.state == "received" and case.data["late_transmission"] is False
    assert case.data["transmission_delay_days"] == 5 and case.data["transmission_reasons"] == []
    with Session(engine) as s:
        (recording,) = s.exec(select(Timer).where(col(Timer.case_id) == case.id, col(Timer.kind) == "deadline"))
    assert recording.basis == "internal:register_recording_business_days"
    assert recording.due_at == local(2026, 3, 28, 0, 0)  # 2 business days: Thursday and Friday

    case = act(engine, settings, rg, "record", RECORDED)
    assert case.state == "recorded" and case.closed_at is not None
    coop = cooperative(engine, case.cooperative_id)
    assert coop.national_number == "2026/1/000001" == case.data["national_number"]
    assert (coop.reg_year, coop.reg_series, coop.reg_seq) == (2026, 1, 1)
    assert (coop.name_ar, coop.name_fr, coop.members, coop.women_members) == (NAME_AR, NAME_FR, 7, 7)
    assert coop.registered_on == date(2026, 3, 20) and coop.email == "tifawin@example.ma"
    assert coop.status == "active" and coop.region_code == "SMA"
    assert case.data["granted_name"] == NAME_AR
    assert case.data["links"] == [{"reference": na, "relation": "name_certificate"}]

    # the name case is closed: the certificate was used, by the system, for this registration
    name_case = case_row(engine, na)
    assert name_case.state == "used" and name_case.closed_at is not None
    assert name_case.data["registration"] == {"court": COURT, "local_number": "142", "registered_on": "2026-03-20"}
    assert name_case.data["links"] == [{"reference": rg, "relation": "registration"}]
    assert [(e.actor, e.trigger) for e in events(engine, na)][-1] == ("system", "use")
    assert timers_of(engine, na, "pending") == []

    # the name now blocks new requests as a register entry, no longer as a certificate
    with Session(engine) as s:
        entries = list(s.exec(select(NameEntry).where(col(NameEntry.active))))
        assert {(e.source, e.name, e.ref) for e in entries} == {
            ("register", NAME_AR, "2026/1/000001"), ("register", NAME_FR, "2026/1/000001")}
        verdict = check_name("التعاونية تيفاوين لزيت الأركان", db_session=s, settings=settings)
    assert verdict.status == "same_as"
    assert [(m.source, m.ref) for m in verdict.matches] == [("register", "2026/1/000001")]
    later = open_filing(engine, settings, "name_approval", request("Coopérative Tifawin pour l'huile d'argan"),
                        RECORDED + timedelta(days=1))
    assert "name_same_as" in blocked(engine, settings, later, "approve", RECORDED + timedelta(days=1), data={})

    # the cooperative is told, at the address the register now holds
    with Session(engine) as s:
        sent = s.exec(select(Outbox).where(col(Outbox.template) == "registration_recorded")).one()
    assert sent.address == "tifawin@example.ma" and sent.language == "ar" and rg in sent.subject
    assert NAME_AR in sent.body_text


def timers_of(engine: Engine, reference: str, status: str) -> list[Timer]:
    case = case_row(engine, reference)
    with Session(engine) as s:
        return list(s.exec(select(Timer).where(col(Timer.case_id) == case.id, col(Timer.status) == status)))


def test_an_unrecorded_copy_escalates_to_the_managers(engine: Engine, settings: Settings) -> None:
    rg = open_filing(engine, settings, "registration", entry(approved_name(engine, settings)), RECEIVED)
    timers.tick(engine=engine, now=local(2026, 3, 27, 23, 0), worker="w1", settings=settings)
    assert [t.action for t in timers_of(engine, rg, "breached")] == []
    timers.tick(engine=engine, now=local(2026, 3, 28, 0, 0), worker="w1", settings=settings)
    assert [t.action for t in timers_of(engine, rg, "breached")] == ["escalate:managers"]
    act(engine, settings, rg, "record", local(2026, 3, 30, 9, 0))
    assert [t.action for t in timers_of(engine, rg, "closed")] == ["escalate:managers"]


# -- refusals ------------------------------------------------------------------------------------------


def test_a_certificate_expired_before_the_local_registration_is_refused_then_returned(
    engine: Engine, settings: Settings
) -> None:
    na = approved_name(engine, settings)
    act(engine, settings, na, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    late = entry(na, local_registered_on="2026-05-04", received_on="2026-05-08")
    rg = open_filing(engine, settings, "registration", late, local(2026, 5, 8, 9, 0))
    with pytest.raises(service.ActionBlocked) as exc:
        act(engine, settings, rg, "record", local(2026, 5, 8, 10, 0))
    (reason,) = exc.value.reasons
    assert reason.code == "registration_certificate_expired"
    assert "2026-05-01" in reason.message.fr and "2026-05-04" in reason.message.ar
    assert reason.basis is not None and reason.basis.code == "decree:4"

    reasons = "Certificat de dénomination expiré le 1er mai, avant l'immatriculation du 4 mai."
    case = act(engine, settings, rg, "return_to_clerk", local(2026, 5, 8, 11, 0), data={"reasons": reasons})
    assert case.state == "returned" and case.cooperative_id is None
    assert case.data["refusal_reason"] == reasons
    assert case_row(engine, na).state == "expired"  # the name case is not touched
    with Session(engine) as s:
        assert s.exec(select(Cooperative)).first() is None
        sent = s.exec(select(Outbox).where(col(Outbox.template) == "registration_returned")).one()
    assert sent.address == "tifawin@example.ma" and "1er mai" in sent.body_text


def test_a_return_needs_its_reasons(engine: Engine, settings: Settings) -> None:
    rg = open_filing(engine, settings, "registration", entry(approved_name(engine, settings)), RECEIVED)
    assert blocked(engine, settings, rg, "return_to_clerk", RECORDED, data={"reasons": ""}) == {"data_invalid"}


def test_a_name_other_than_the_granted_one_is_refused(engine: Engine, settings: Settings) -> None:
    na = approved_name(engine, settings)
    rg = open_filing(engine, settings, "registration", entry(na, name_ar="تعاونية تيفاوين للعسل"), RECEIVED)
    assert blocked(engine, settings, rg, "record", RECORDED) == {"registration_name_mismatch"}


def test_the_same_name_written_otherwise_is_accepted(engine: Engine, settings: Settings) -> None:
    na = approved_name(engine, settings)
    rg = open_filing(engine, settings, "registration", entry(na, name_ar="التعاونية تيفاوين لزيت الاركان"), RECEIVED)
    assert act(engine, settings, rg, "record", RECORDED).state == "recorded"


def test_a_certificate_never_approved_is_refused(engine: Engine, settings: Settings) -> None:
    with unit_of_work(engine) as s:
        pending = service.open_case(db_session=s, workflow_key="name_approval", data=request(NAME_AR),
                                    actor=actor(engine, "officer.agadir"), now=T0, settings=settings).case.reference
    rg = open_filing(engine, settings, "registration", entry(pending), RECEIVED)
    assert blocked(engine, settings, rg, "record", RECORDED) == {"registration_certificate_not_granted"}
    unknown = open_filing(engine, settings, "registration", entry("NA-2026-999999"), RECEIVED)
    assert blocked(engine, settings, unknown, "record", RECORDED) == {"registration_certificate_missing"}


def test_a_certificate_serves_one_registration(engine: Engine, settings: Settings) -> None:
    na = approved_name(engine, settings)
    first = open_filing(engine, settings, "registration", entry(na), RECEIVED)
    second = open_filing(engine, settings, "registration", entry(na, local_number="150"), RECEIVED)
    act(engine, settings, first, "record", RECORDED)
    assert blocked(engine, settings, second, "record", RECORDED) == {"registration_certificate_already_used"}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"members": 4, "women_members": 4, "capital": 4_000, "paid": 1_000}, "founding_too_few_members"),
        ({"capital": 900, "share_value": 100, "paid": 900}, "founding_capital_too_low"),
        ({"paid": 1_749}, "founding_quarter_not_paid"),
    ],
)
def test_founding_minimums(engine: Engine, settings: Settings, changes: dict[str, Any], code: str) -> None:
    rg = open_filing(engine, settings, "registration", entry(approved_name(engine, settings), **changes), RECEIVED)
    with pytest.raises(service.ActionBlocked) as exc:
        act(engine, settings, rg, "record", RECORDED)
    (reason,) = exc.value.reasons
    assert reason.code == code
    assert reason.basis is not None and reason.basis.code == "law:7-14"
    assert reason.message.fr and reason.message.ar


def test_a_copy_dated_before_its_registration_is_invalid(engine: Engine, settings: Settings) -> None:
    with pytest.raises(service.Invalid):
        open_filing(engine, settings, "registration", entry("NA-2026-000001", received_on="2026-03-19"), RECEIVED)


# -- late transmissions ---------------------------------------------------------------------------


def test_a_late_copy_is_flagged_recorded_and_counted_per_court(
    engine: Engine, settings: Settings, client: TestClient
) -> None:
    na = approved_name(engine, settings)
    # registered locally on 20 March, received 21 days later: one day over the clerk's 20
    rg = open_filing(engine, settings, "registration", entry(na, received_on="2026-04-10"), local(2026, 4, 10, 9, 0))
    case = case_row(engine, rg)
    assert case.data["late_transmission"] is True and case.data["transmission_delay_days"] == 21
    (warning,) = case.data["transmission_reasons"]
    assert warning["code"] == "late_transmission" and warning["basis"]["code"] == "decree:1-13"
    assert "Tiznit" in warning["message"]["fr"] and "2026-04-10" in warning["message"]["ar"]
    opened = events(engine, rg)[0]
    assert opened.data["payload"]["transmission_reasons"][0]["code"] == "late_transmission"
    # a warning, not a refusal: the cooperative is not at fault
    assert act(engine, settings, rg, "record", local(2026, 4, 10, 11, 0)).state == "recorded"

    other = "Tribunal de première instance d'Inezgane"
    for name, received in (("تعاونية أمودو", "2026-04-20"), ("تعاونية أسيف", "2026-03-30"),
                           ("تعاونية تودرت", "2026-04-15")):
        ref = approved_name(engine, settings, name)
        open_filing(engine, settings, "registration",
                    entry(ref, court=other, name_ar=name, name_fr=f"Coopérative {name[-4:]}", received_on=received),
                    local(2026, 4, 20, 9, 0))
    # a copy of last year, late too, is outside the report
    open_filing(engine, settings, "registration",
                entry(na, local_registered_on="2025-11-03", received_on="2025-12-30"), local(2026, 4, 20, 9, 0))
    # and another delegation's late copy is not Agadir's to see
    with unit_of_work(engine) as s:
        rabat = actor(engine, "officer.rabat")
        service.open_case(db_session=s, workflow_key="registration", actor=rabat, now=local(2026, 4, 20, 9, 0),
                          settings=settings,
                          data=entry(na, court="Tribunal de première instance de Rabat", received_on="2026-05-01"))

    with Session(engine) as s:
        agadir = registration_store.late_transmissions_by_court(
            db_session=s, since=date(2026, 1, 1), actor=actor(engine, "manager.agadir"))
        everywhere = registration_store.late_transmissions_by_court(db_session=s, since=date(2026, 1, 1))
    assert [(c.court, c.received, c.late, c.longest_delay_days) for c in agadir] == [
        (other, 3, 2, 31), (COURT, 1, 1, 21)]
    assert {c.court: c.late for c in everywhere} == {
        other: 2, COURT: 1, "Tribunal de première instance de Rabat": 1}

    response = client.get("/api/v1/register/late-transmissions", params={"since": "2026-01-01"},
                          headers=login(client, "manager.agadir"))
    assert response.status_code == 200, response.text
    assert response.json()[0] == {"court": other, "received": 3, "late": 2, "longest_delay_days": 31}
    officer = client.get("/api/v1/register/late-transmissions", headers=login(client, "officer.agadir"))
    assert officer.status_code == 403


def test_a_certificate_that_expired_after_a_timely_local_registration_is_still_good(
    engine: Engine, settings: Settings
) -> None:
    """Registered locally on 28 April, within the certificate's validity (to 1 May); the
    clerk's copy only arrives on 25 May, after the certificate expired."""
    na = approved_name(engine, settings)
    act(engine, settings, na, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    rg = open_filing(engine, settings, "registration",
                     entry(na, local_registered_on="2026-04-28", received_on="2026-05-25"), local(2026, 5, 25, 9, 0))
    case = act(engine, settings, rg, "record", local(2026, 5, 25, 10, 0))
    assert case.state == "recorded" and case.data["late_transmission"] is True
    name_case = case_row(engine, na)
    assert name_case.data["links"] == [{"reference": rg, "relation": "registration"}]
    # the name case had not lapsed yet (nobody closed the extension window): it is used
    assert name_case.state == "used"
    assert name_case.data["registration"]["registered_on"] == "2026-04-28"


def test_a_lapsed_certificate_still_records_a_timely_registration(engine: Engine, settings: Settings) -> None:
    na = approved_name(engine, settings)
    act(engine, settings, na, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    act(engine, settings, na, "close_unextended", local(2026, 5, 10, 0, 0), who=SYSTEM)
    rg = open_filing(engine, settings, "registration",
                     entry(na, local_registered_on="2026-04-28", received_on="2026-05-25"), local(2026, 5, 25, 9, 0))
    assert act(engine, settings, rg, "record", local(2026, 5, 25, 10, 0)).state == "recorded"
    assert case_row(engine, na).state == "lapsed"
    (used,) = [e for e in events(engine, na) if e.kind == "used_by"]
    assert used.data["reference"] == rg and used.data["registration"]["registered_on"] == "2026-04-28"


# -- national numbers ----------------------------------------------------------------------------------


def record_at(engine: Engine, settings: Settings, name: str, kind: str, at: datetime) -> str:
    """A certificate issued on 1 December 2026, a local registration on 20 December, and its
    copy recorded at `at`; the cooperative's national number."""
    na = approved_name(engine, settings, name, local(2026, 12, 1, 10, 0))
    data = entry(na, name_ar=name, name_fr=f"Coopérative {len(name)} {kind}", member_kind=kind,
                 local_registered_on="2026-12-20", received_on=at.date().isoformat())
    rg = open_filing(engine, settings, "registration", data, at)
    return cooperative(engine, act(engine, settings, rg, "record", at).cooperative_id).national_number


def test_numbers_run_per_series_and_restart_on_the_first_of_january(engine: Engine, settings: Settings) -> None:
    assert record_at(engine, settings, "تعاونية أمودو", "natural", local(2026, 12, 30, 9, 0)) == "2026/1/000001"
    assert record_at(engine, settings, "تعاونية أسيف", "natural", local(2026, 12, 30, 10, 0)) == "2026/1/000002"
    assert record_at(engine, settings, "اتحاد تعاونيات تودرت", "union", local(2026, 12, 31, 9, 0)) == "2026/4/000001"
    assert record_at(engine, settings, "تعاونية تامونت", "legal", local(2026, 12, 31, 10, 0)) == "2026/2/000001"
    assert record_at(engine, settings, "تعاونية أزير", "mixed", local(2026, 12, 31, 11, 0)) == "2026/3/000001"
    # the year is the recording's: registered locally in December, recorded in January
    assert record_at(engine, settings, "تعاونية تافوكت", "natural", local(2027, 1, 4, 9, 0)) == "2027/1/000001"
    assert record_at(engine, settings, "تعاونية إيمي", "natural", local(2027, 1, 4, 10, 0)) == "2027/1/000002"


def test_numbers_follow_entries_imported_in_bulk(engine: Engine, settings: Settings) -> None:
    register(engine, "تعاونية الأمل", "Coopérative Al Amal", "2026/1/000041")
    assert record_at(engine, settings, "تعاونية أمودو", "natural", local(2026, 12, 30, 9, 0)) == "2026/1/000042"


def test_concurrent_recordings_get_distinct_numbers(engine: Engine, settings: Settings) -> None:
    names = ["تعاونية أمودو", "تعاونية أسيف", "تعاونية تودرت", "تعاونية تامونت"]
    filings = []
    for name in names:
        na = approved_name(engine, settings, name)
        filings.append(open_filing(engine, settings, "registration",
                                   entry(na, name_ar=name, name_fr=f"Coopérative {name[-5:]}"), RECEIVED))
    start = threading.Barrier(len(filings))
    errors: list[BaseException] = []

    def record(reference: str) -> None:
        try:
            start.wait()
            act(engine, settings, reference, "record", RECORDED)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(ref,)) for ref in filings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        numbers = sorted(s.exec(select(Cooperative.national_number)))
    assert numbers == ["2026/1/000001", "2026/1/000002", "2026/1/000003", "2026/1/000004"]


# -- changes -------------------------------------------------------------------------------------------


def registered(engine: Engine) -> int:
    register(engine, "تعاونية الأمل", "Coopérative Al Amal", "2020/1/000042")
    with Session(engine) as s:
        coop = s.exec(select(Cooperative).where(col(Cooperative.national_number) == "2020/1/000042")).one()
        return coop.id or 0


def change(kind: str, decided_on: str, filed_on: str) -> dict[str, Any]:
    return {"kind": kind, "decided_on": decided_on, "filed_on": filed_on, "court": COURT,
            "summary": "Assemblée générale : nouveau conseil d'administration élu."}


def test_a_change_filed_in_time_is_recorded(engine: Engine, settings: Settings) -> None:
    coop = registered(engine)
    rc = open_filing(engine, settings, "registration_change", change("board", "2026-02-01", "2026-03-03"),
                     RECEIVED, cooperative_id=coop)
    case = case_row(engine, rc)
    assert case.data["late_filing"] is False and case.data["lateness_reasons"] == []
    case = act(engine, settings, rc, "record", RECORDED)
    assert case.state == "recorded" and cooperative(engine, coop).status == "active"


def test_a_late_change_is_flagged_with_its_article_and_recorded(engine: Engine, settings: Settings) -> None:
    coop = registered(engine)
    rc = open_filing(engine, settings, "registration_change", change("statutes", "2026-02-01", "2026-03-04"),
                     RECEIVED, cooperative_id=coop)
    case = case_row(engine, rc)
    assert case.data["late_filing"] is True
    (late,) = case.data["lateness_reasons"]
    assert late["code"] == "late_change_filing" and late["basis"]["code"] == "law:12"
    assert "2026-03-03" in late["message"]["fr"] and "1 jour(s)" in late["message"]["fr"]
    assert act(engine, settings, rc, "record", RECORDED).state == "recorded"


def test_a_recorded_dissolution_closes_the_entry(engine: Engine, settings: Settings) -> None:
    coop = registered(engine)
    rc = open_filing(engine, settings, "registration_change", change("dissolution", "2026-03-01", "2026-03-10"),
                     RECEIVED, cooperative_id=coop)
    act(engine, settings, rc, "record", RECORDED)
    assert cooperative(engine, coop).status == "dissolved"
    after = open_filing(engine, settings, "registration_change", change("board", "2026-03-15", "2026-03-20"),
                        RECORDED, cooperative_id=coop)
    with pytest.raises(service.ActionBlocked) as exc:
        act(engine, settings, after, "record", RECORDED + timedelta(hours=1))
    (reason,) = exc.value.reasons
    assert reason.code == "change_cooperative_closed" and "2020/1/000042" in reason.message.fr
    case = act(engine, settings, after, "return_to_clerk", RECORDED + timedelta(hours=2),
               data={"reasons": "La coopérative est dissoute depuis le 1er mars 2026."})
    assert case.state == "returned"


def test_a_change_needs_a_registered_cooperative(engine: Engine, settings: Settings) -> None:
    rc = open_filing(engine, settings, "registration_change", change("board", "2026-03-01", "2026-03-10"), RECEIVED)
    assert blocked(engine, settings, rc, "record", RECORDED) == {"change_cooperative_unknown"}
