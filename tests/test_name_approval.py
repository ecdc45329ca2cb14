"""Name approval at the service layer: the life cycle, every guard's refusal with its
reasons, and the deadlines with their legal basis. Runs on every configured database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cases import service, users
from cases.db import unit_of_work
from cases.models import Case, CaseEvent, Cooperative, Delegation, NameEntry, Timer
from cases.name_check import entries_for
from cases.settings import Settings
from tests.conftest import local
from workflows.engine import ActionBlocked
from workflows.spec import SYSTEM, Actor

FOUNDERS = ["Fatima", "Aicha", "Khadija", "Zahra", "Malika"]


def request(*names: str, founders: list[str] = FOUNDERS, sector: str = "agriculture") -> dict[str, Any]:
    return {
        "names": list(names),
        "founders": founders,
        "sector": sector,
        "purpose": "huile d'argan",
        "province": "Tiznit",
        "applicant": {"full_name": "Fatima Ait Lahcen", "email": "fatima@example.ma", "language": "ar"},
    }


def actor(engine: Engine, username: str) -> Actor:
    with Session(engine) as s:
        user = users.get_by_username(db_session=s, username=username)
        assert user is not None
        return users.actor_of(user)


def register(engine: Engine, name_ar: str, name_fr: str, number: str = "2020/1/000042") -> None:
    """A cooperative already in the central register."""
    with unit_of_work(engine) as s:
        delegation = s.exec(select(Delegation).where(Delegation.code == "AGA")).scalars().one()  # type: ignore[call-overload]
        year, series, seq = (int(p) for p in number.split("/"))
        coop = Cooperative(
            national_number=number, reg_year=year, reg_series=series, reg_seq=seq,
            name_ar=name_ar, name_fr=name_fr, region_code="SMA", delegation_id=delegation.id,
            province="Tiznit", sector="agriculture", members=12, women_members=12,
            registered_on=date(year, 5, 1),
        )
        s.add(coop)
        s.flush()
        s.add_all(entries_for([name_ar, name_fr], source="register", ref=number, cooperative_id=coop.id))


def open_(engine: Engine, settings: Settings, data: dict[str, Any], at: datetime,
          who: str = "officer.agadir") -> str:
    with unit_of_work(engine) as s:
        opened = service.open_case(db_session=s, workflow_key="name_approval", data=data,
                                   actor=actor(engine, who), now=at, settings=settings)
        return opened.case.reference


def act(engine: Engine, settings: Settings, reference: str, trigger: str, at: datetime,
        who: Actor | str = "officer.agadir", data: dict[str, Any] | None = None) -> Case:
    who = actor(engine, who) if isinstance(who, str) else who
    with unit_of_work(engine) as s:
        case = service.get(db_session=s, reference=reference, actor=who)
        return service.act(db_session=s, reference=reference, trigger=trigger, actor=who,
                           data=data, expected_version=case.version, now=at, settings=settings)


def blocked(engine: Engine, settings: Settings, reference: str, trigger: str, at: datetime,
            who: Actor | str = "officer.agadir", data: dict[str, Any] | None = None) -> set[str]:
    with pytest.raises(ActionBlocked) as exc:
        act(engine, settings, reference, trigger, at, who, data)
    for reason in exc.value.reasons:
        assert reason.message.fr and reason.message.ar
    return {r.code for r in exc.value.reasons}


def timers(engine: Engine, reference: str, status: str = "pending") -> dict[str, Timer]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(Case.reference == reference)).scalars().one()  # type: ignore[call-overload]
        rows = s.exec(select(Timer).where(Timer.case_id == case.id, Timer.status == status,  # type: ignore[call-overload]
                                          Timer.kind == "deadline")).scalars()
        return {t.deadline_key: t for t in rows}


T0 = local(2026, 3, 2, 10, 0)


def test_life_cycle_with_expiry_and_extension(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("تعاونية تيفاوين لزيت الأركان", "Coopérative Tifawin"), T0)
    decision = timers(engine, ref)["decision"]
    assert decision.basis == "law:7"
    assert decision.due_at == local(2026, 3, 5, 0, 0)  # 2 full days: 3 and 4 March

    case = act(engine, settings, ref, "approve", T0 + timedelta(hours=3), data={})
    assert case.state == "approved"
    assert case.data["granted_name"] == "تعاونية تيفاوين لزيت الأركان"
    running = timers(engine, ref)
    assert set(running) == {"certificate_validity"}
    assert running["certificate_validity"].due_at == local(2026, 5, 2, 0, 0)
    assert "2026-05-01" in running["certificate_validity"].explanation_fr
    assert "المادة 4" in running["certificate_validity"].explanation_ar
    assert timers(engine, ref, "cancelled").keys() == {"decision"}

    # the scheduler fires the expiry when the 60 days are over
    case = act(engine, settings, ref, "expire", local(2026, 5, 2, 0, 1), who=SYSTEM)
    assert case.state == "expired"
    window = timers(engine, ref)["extension_window"]
    assert window.due_at == local(2026, 5, 10, 0, 0)  # 7 full days after 2 May: 3..9 May

    case = act(engine, settings, ref, "extend", local(2026, 5, 6, 9, 0),
               data={"requested_on": "2026-05-06", "all_signatories": True})
    assert case.state == "approved"
    # 60 more days after the original last day (1 May): valid to 30 June
    assert timers(engine, ref)["certificate_validity"].due_at == local(2026, 7, 1, 0, 0)

    case = act(engine, settings, ref, "expire", local(2026, 7, 1, 0, 1), who=SYSTEM)
    codes = blocked(engine, settings, ref, "extend", local(2026, 7, 2, 9, 0),
                    data={"requested_on": "2026-07-02", "all_signatories": True})
    assert codes == {"certificate_already_extended"}


def test_extension_asked_on_day_eight_is_refused_with_the_date(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tudert"), T0)
    act(engine, settings, ref, "approve", T0, data={})
    act(engine, settings, ref, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    with pytest.raises(ActionBlocked) as exc:
        act(engine, settings, ref, "extend", local(2026, 5, 10, 9, 0),
            data={"requested_on": "2026-05-10", "all_signatories": True})
    (reason,) = exc.value.reasons
    assert reason.code == "extension_asked_too_late"
    assert "2026-05-09" in reason.message.fr and "2026-05-09" in reason.message.ar
    assert reason.basis is not None and reason.basis.code == "decree:4"


def test_extension_needs_every_signatory(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tamount"), T0)
    act(engine, settings, ref, "approve", T0, data={})
    act(engine, settings, ref, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    assert blocked(engine, settings, ref, "extend", local(2026, 5, 3, 9, 0),
                   data={"requested_on": "2026-05-03", "all_signatories": False}) == {
        "extension_needs_all_signatories"}


def test_fewer_than_five_founders_cannot_be_approved(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Azir", founders=FOUNDERS[:4]), T0)
    assert blocked(engine, settings, ref, "approve", T0, data={}) == {"too_few_founders"}


def test_name_without_the_cooperative_word_is_refused(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Société Al Amal"), T0)
    codes = blocked(engine, settings, ref, "approve", T0, data={})
    assert codes == {"no_name_available", "name_missing_cooperative_word"}


def test_agrarian_reform_is_outside_the_office(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative de la réforme agraire Al Fath"), T0)
    assert "name_agrarian_reform" in blocked(engine, settings, ref, "approve", T0, data={})


def test_first_available_name_is_granted_in_order_of_preference(engine: Engine, settings: Settings) -> None:
    register(engine, "تعاونية الأمل", "Coopérative Al Amal")
    ref = open_(engine, settings, request("Coopérative El Amal", "تعاونية النجاح", "Coopérative Tiwizi"), T0)
    case = act(engine, settings, ref, "approve", T0, data={})
    assert case.data["granted_name"] == "تعاونية النجاح"


def test_same_as_registered_name_across_scripts_is_refused(engine: Engine, settings: Settings) -> None:
    register(engine, "تعاونية الأمل", "Coopérative Al Amal")
    ref = open_(engine, settings, request("التعاونية الأمل", "COOPERATIVE EL-AMAL"), T0)
    codes = blocked(engine, settings, ref, "approve", T0, data={})
    assert codes == {"no_name_available", "name_same_as"}


def test_a_valid_certificate_blocks_its_name_until_it_lapses(engine: Engine, settings: Settings) -> None:
    first = open_(engine, settings, request("Coopérative Tafoukt"), T0)
    act(engine, settings, first, "approve", T0, data={})
    second = open_(engine, settings, request("Coopérative Tafoukt"), T0 + timedelta(days=1))
    assert "name_same_as" in blocked(engine, settings, second, "approve", T0 + timedelta(days=1), data={})

    act(engine, settings, first, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    act(engine, settings, first, "close_unextended", local(2026, 5, 10, 0, 0), who=SYSTEM)
    third = open_(engine, settings, request("Coopérative Tafoukt"), local(2026, 5, 11, 9, 0))
    case = act(engine, settings, third, "approve", local(2026, 5, 11, 9, 0), data={})
    assert case.data["granted_name"] == "Coopérative Tafoukt"


def test_too_like_waits_for_the_officer_then_is_granted(engine: Engine, settings: Settings) -> None:
    register(engine, "تعاونية الشروق للعسل", "Coopérative Chourouk pour le miel")
    name = "Coopérative Chorouk du miel"  # another spelling: same skeleton, different letters
    ref = open_(engine, settings, request(name), T0)
    with Session(engine) as s:
        opened = s.exec(select(CaseEvent).where(CaseEvent.kind == "opened")).scalars().one()  # type: ignore[call-overload]
    (verdict,) = opened.data["facts"]["verdicts"]
    assert verdict["status"] == "too_like"
    assert verdict["matches"][0]["ref"] == "2020/1/000042"

    assert blocked(engine, settings, ref, "approve", T0, data={}) == {"name_too_like"}
    case = act(engine, settings, ref, "approve", T0, data={"accept_similar": [name]})
    assert case.data["granted_name"] == name


def test_sensitive_words_need_a_manager(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Royale du Safran"), T0)
    assert blocked(engine, settings, ref, "approve", T0, data={}) == {"sensitive_words_need_manager"}
    act(engine, settings, ref, "refer", T0, data={"note": "mot « royale »"})
    case = act(engine, settings, ref, "approve", T0, who="manager.agadir", data={})
    assert case.state == "approved"


def test_only_office_roles_decide(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    assert "role_not_allowed" in blocked(engine, settings, ref, "approve", T0, who="legal.agadir", data={})
    act(engine, settings, ref, "approve", T0, data={})
    # only the scheduler lets a certificate expire
    assert blocked(engine, settings, ref, "expire", T0, data={}) == {"role_not_allowed"}


def test_refusal_needs_a_reason_and_closes_the_case(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    assert blocked(engine, settings, ref, "refuse", T0, data={}) == {"data_invalid"}
    case = act(engine, settings, ref, "refuse", T0, data={"reason": "dossier incomplet"})
    assert case.state == "refused" and case.closed_at == T0
    assert timers(engine, ref) == {}


def test_other_delegation_cannot_see_or_act(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    with Session(engine) as s, pytest.raises(service.NotFound):
        service.get(db_session=s, reference=ref, actor=actor(engine, "officer.rabat"))
    with Session(engine) as s:
        assert service.get(db_session=s, reference=ref, actor=actor(engine, "manager.hq"))


def test_two_officers_acting_at_once_one_wins(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    first, second = actor(engine, "officer.agadir"), actor(engine, "officer.agadir2")
    s1, s2 = Session(engine, expire_on_commit=False), Session(engine, expire_on_commit=False)
    try:
        # both officers loaded the case at version 1
        service.act(db_session=s1, reference=ref, trigger="approve", actor=first, data={},
                    expected_version=1, now=T0, settings=settings)
        s1.commit()
        with pytest.raises(service.Conflict) as exc:
            service.act(db_session=s2, reference=ref, trigger="refuse", actor=second,
                        data={"reason": "nom déjà pris"}, expected_version=1, now=T0, settings=settings)
        s2.rollback()
        assert exc.value.current_version == 2
    finally:
        s1.close()
        s2.close()
    with Session(engine) as s:
        case = s.exec(select(Case).where(Case.reference == ref)).scalars().one()  # type: ignore[call-overload]
        events = s.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,  # type: ignore[call-overload]
                                                CaseEvent.kind == "transition")).scalars().all()
    assert case.state == "approved"
    assert [e.trigger for e in events] == ["approve"]


def test_references_count_per_year(engine: Engine, settings: Settings) -> None:
    a = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    b = open_(engine, settings, request("Coopérative Azir"), T0)
    c = open_(engine, settings, request("Coopérative Tudert"), local(2027, 1, 4, 9, 0))
    assert (a, b, c) == ("NA-2026-000001", "NA-2026-000002", "NA-2027-000001")


def test_certificate_name_entry_follows_the_case(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    act(engine, settings, ref, "approve", T0, data={})
    act(engine, settings, ref, "use", T0 + timedelta(days=10),
        data={"court": "Tribunal de première instance de Tiznit", "local_number": "123",
              "registered_on": "2026-03-12"})
    with Session(engine) as s:
        entries = s.exec(select(NameEntry).where(NameEntry.source == "certificate")).scalars().all()  # type: ignore[call-overload]
    assert [(e.ref, e.active) for e in entries] == [(ref, False)]


@pytest.mark.parametrize(("registered", "proposed", "status"), [
    ("Coopérative Al Amal", "Coopérative Al Amal Tiznit", "too_like"),      # one word added
    ("Coopérative Al Amal", "Coopérative Al Amel", "too_like"),             # another spelling
    ("Coopérative Al Amal", "Coopérative Al Amal pour le miel Azilal", "available"),  # a new activity and place
    ("Coopérative Al Amal Tiznit", "Coopérative Al Baraka Tiznit", "available"),      # another distinctive word
])
def test_too_like_is_a_word_added_or_a_spelling(engine: Engine, settings: Settings, registered: str,
                                                 proposed: str, status: str) -> None:
    from cases.name_check import check_name

    register(engine, "تعاونية الوحدة للنسيج", registered)
    with Session(engine) as s:
        assert check_name(proposed, db_session=s, settings=settings).status == status


def test_a_registration_made_in_time_uses_an_expired_certificate(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    act(engine, settings, ref, "approve", T0, data={})
    act(engine, settings, ref, "expire", local(2026, 5, 2, 0, 0), who=SYSTEM)
    late = {"court": "TPI Tiznit", "local_number": "77", "registered_on": "2026-05-02"}
    assert blocked(engine, settings, ref, "use", local(2026, 5, 4, 9, 0), data=late) == {"registered_after_expiry"}
    case = act(engine, settings, ref, "use", local(2026, 5, 4, 9, 0), data={**late, "registered_on": "2026-05-01"})
    assert case.state == "used"
