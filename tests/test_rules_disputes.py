"""Dispute mediation as legal staff check it: a file that can be examined, a mediator free of
ties to the parties, where a failed mediation goes, and the one extension per stage."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rules.calendar import OFFICE_TZ
from rules.disputes import (
    DEFAULT_ADMISSIBILITY_DAYS,
    DEFAULT_EXTENSION_DAYS,
    DEFAULT_MEDIATION_DAYS,
    DisputePolicy,
    Mediator,
    Party,
    admissibility_reasons,
    conciliation_body,
    conflict_reasons,
    extension_reasons,
    family_name,
    mediator_reasons,
    minutes_reasons,
    outcome_reasons,
    session_reasons,
)
from rules.reasons import internal
from tests.reasons_check import assert_reason, codes

MEMBER = Party("member", "Ahmed Bennani", "2020/1/000123", ("M-17",))
BOARD = Party("board", "Conseil d'administration de la coopérative Al Amal", "2020/1/000123")
OTHER_COOP = Party("cooperative", "Coopérative Tifawin", "2019/1/000045")

# --- admissibility -------------------------------------------------------------------------------


def test_two_parties_and_a_subject_are_admissible() -> None:
    assert admissibility_reasons(parties=[MEMBER, BOARD], subject="Exclusion contestée") == []


@pytest.mark.parametrize(
    ("parties", "subject", "expected"),
    [
        ([MEMBER], "Exclusion contestée", ["dispute_needs_two_parties"]),
        ([], "Exclusion contestée", ["dispute_needs_two_parties"]),
        (
            [MEMBER, Party("member", "AHMED BENNANI", "2020/1/000123", ("M-17",))],
            "Exclusion",
            ["dispute_needs_two_parties"],
        ),
        ([MEMBER, BOARD], "   ", ["dispute_needs_subject"]),
        ([MEMBER], "", ["dispute_needs_two_parties", "dispute_needs_subject"]),
        (
            [Party("members_group", "Groupe des éleveurs", "2020/1/000123", ("M-1",)), BOARD],
            "Répartition des excédents",
            ["dispute_group_without_members"],
        ),
    ],
)
def test_inadmissible_files(parties: list[Party], subject: str, expected: list[str]) -> None:
    reasons = admissibility_reasons(parties=parties, subject=subject)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, None)  # office practice: no article


def test_a_group_with_two_members_is_admissible() -> None:
    group = Party("members_group", "Groupe des éleveurs", "2020/1/000123", ("M-1", "M-2"))
    assert admissibility_reasons(parties=[group, BOARD], subject="Répartition") == []


# --- family names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "family"),
    [
        ("Fatima Alaoui", "alaoui"),
        ("ALAOUI Fatima", "alaoui"),  # capitals mark the family name
        ("Fatima EL ALAOUI", "alaoui"),
        ("Fatima El Alaoui", "alaoui"),
        ("Fatima El-Alaoui", "alaoui"),
        ("Fatima ALAOUI", "alaoui"),
        ("Mohamed Ben Ali", "ali"),
        ("Karim Aoui", "aoui"),  # a name starting with "al" is not cut: Alaoui stays whole
        ("فاطمة العلوي", "علوي"),
        ("أحمد علوي", "علوي"),
        ("Hassan Aït Brahim", "brahim"),
        ("Bouchra", "bouchra"),
        ("", None),
        ("Fatima El", None),
    ],
)
def test_family_name_heuristic(full_name: str, family: str | None) -> None:
    assert family_name(full_name) == family


# --- conflicts of interest --------------------------------------------------------------------------


def mediator(
    full_name: str = "Samira Tazi",
    cooperatives: tuple[str, ...] = (),
    ties: tuple[str, ...] = (),
) -> Mediator:
    return Mediator("stazi", full_name, cooperatives, ties)


@pytest.mark.parametrize(
    ("agent", "parties", "expected"),
    [
        # works with the cooperative of a party
        (mediator(cooperatives=("2020/1/000123",)), [MEMBER, OTHER_COOP],
         ["mediator_tied_to_cooperative"]),
        (mediator(cooperatives=("2019/1/000045",)), [MEMBER, OTHER_COOP],
         ["mediator_tied_to_cooperative"]),
        # declared ties naming a party, whatever the case and accents
        (mediator(ties=("ahmed bennani",)), [MEMBER, OTHER_COOP], ["mediator_declared_tie"]),
        (mediator(ties=("Coopérative TIFAWIN",)), [MEMBER, OTHER_COOP],
         ["mediator_declared_tie"]),
        (mediator(ties=("M-17",)), [MEMBER, OTHER_COOP], ["mediator_declared_tie"]),
        (mediator(ties=("2019/1/000045",)), [MEMBER, OTHER_COOP], ["mediator_declared_tie"]),
        # same family name as a member party
        (mediator("Samira BENNANI"), [MEMBER, OTHER_COOP], ["mediator_same_family_name"]),
        (mediator("Samira Bennani"), [MEMBER, OTHER_COOP], ["mediator_same_family_name"]),
        (mediator("سميرة العلوي"), [Party("member", "أحمد علوي", None, ("M-9",)), OTHER_COOP],
         ["mediator_same_family_name"]),
        # several ties at once
        (mediator("Samira Bennani", ("2020/1/000123",)), [MEMBER, OTHER_COOP],
         ["mediator_tied_to_cooperative", "mediator_same_family_name"]),
    ],
)
def test_a_mediator_tied_to_a_party_is_refused(
    agent: Mediator, parties: list[Party], expected: list[str]
) -> None:
    reasons = conflict_reasons(mediator=agent, parties=parties)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, None)
        assert agent.full_name in reason.message.fr and agent.full_name in reason.message.ar


@pytest.mark.parametrize(
    ("agent", "parties"),
    [
        (mediator(), [MEMBER, OTHER_COOP]),
        (mediator(cooperatives=("2018/2/000001",)), [MEMBER, OTHER_COOP]),
        (mediator(ties=("Ahmed Benjelloun", "M-18")), [MEMBER, OTHER_COOP]),
        # a tie names a whole party, member id or cooperative, not a part of one
        (mediator(ties=("Ahmed", "M-1", "2020/1")), [MEMBER, OTHER_COOP]),
        # a shared first name is not a tie
        (mediator("Ahmed Tazi"), [MEMBER, OTHER_COOP]),
        # family names are only compared with natural persons, not with bodies
        (mediator("Samira Tifawin"), [MEMBER, OTHER_COOP]),
        (mediator("Samira Eleveurs"),
         [Party("members_group", "Groupe Eleveurs", "2020/1/000123", ("M-1", "M-2")), BOARD]),
        # Alaoui and Aoui are different names
        (mediator("Karim Aoui"), [Party("member", "Ahmed Alaoui", None, ("M-3",)), OTHER_COOP]),
        # across scripts family names are not compared (declared ties cover them)
        (mediator("Samira Alaoui"), [Party("member", "أحمد العلوي", None, ("M-4",)), OTHER_COOP]),
        # a party outside any known cooperative
        (mediator(cooperatives=("2020/1/000123",)),
         [Party("member", "Ahmed Bennani", None, ("M-17",)), OTHER_COOP]),
    ],
)
def test_a_mediator_without_ties_is_accepted(agent: Mediator, parties: list[Party]) -> None:
    assert conflict_reasons(mediator=agent, parties=parties) == []


# --- conciliation and extensions ---------------------------------------------------------------


def test_conciliation_goes_to_the_union_or_the_national_federation() -> None:
    union = conciliation_body(has_union=True)
    assert "union" in union.fr and "اتحاد" in union.ar
    federation = conciliation_body(has_union=False)
    assert federation.fr == "la Fédération nationale des coopératives"
    assert "الجامعة الوطنية" in federation.ar


def test_one_extension_per_stage() -> None:
    assert extension_reasons(already_extended=False) == []
    (reason,) = extension_reasons(already_extended=True)
    assert_reason(reason, "dispute_already_extended", internal("dispute_extension_days"))


def test_dispute_policy_time_limits() -> None:
    policy = DisputePolicy()
    assert (policy.admissibility_days, policy.mediation_days, policy.extension_days) == (
        DEFAULT_ADMISSIBILITY_DAYS, DEFAULT_MEDIATION_DAYS, DEFAULT_EXTENSION_DAYS,
    )
    custom = DisputePolicy(admissibility_days=5, mediation_days=45, extension_days=15)
    assert custom.days_for("admissibility") == 5
    assert custom.days_for("mediation") == 45
    assert custom.days_for("mediation", extended=True) == 60
    with pytest.raises(ValueError):
        DisputePolicy(mediation_days=0)


# --- sessions and outcome ------------------------------------------------------------------------

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=OFFICE_TZ)
MEDIATION_ENDS = datetime(2026, 5, 26, 0, 0, tzinfo=OFFICE_TZ)  # last day: 25 May


def test_a_session_ahead_and_within_the_mediation_period_can_be_set() -> None:
    assert session_reasons(at=NOW + timedelta(days=7), now=NOW, mediation_ends=MEDIATION_ENDS) == []
    assert session_reasons(at=NOW + timedelta(days=400), now=NOW, mediation_ends=None) == []


def test_a_session_in_the_past_is_refused_with_its_date() -> None:
    (reason,) = session_reasons(at=NOW - timedelta(hours=1), now=NOW, mediation_ends=MEDIATION_ENDS)
    assert_reason(reason, "session_in_the_past", None)
    assert "2026-03-02 09:00" in reason.message.fr and "2026-03-02 09:00" in reason.message.ar


def test_a_session_after_the_mediation_period_asks_for_an_extension_first() -> None:
    late = datetime(2026, 5, 26, 9, 0, tzinfo=OFFICE_TZ)
    (reason,) = session_reasons(at=late, now=NOW, mediation_ends=MEDIATION_ENDS)
    assert_reason(reason, "session_after_mediation_period", internal("dispute_mediation_days"))
    assert "2026-05-25" in reason.message.fr and "2026-05-25" in reason.message.ar
    on_the_last_day = datetime(2026, 5, 25, 15, 0, tzinfo=OFFICE_TZ)
    assert session_reasons(at=on_the_last_day, now=NOW, mediation_ends=MEDIATION_ENDS) == []


def test_minutes_wait_for_the_session() -> None:
    at = NOW + timedelta(hours=2)
    (reason,) = minutes_reasons(session_at=at, now=NOW)
    assert_reason(reason, "session_not_yet_held", None)
    assert minutes_reasons(session_at=at, now=at) == []


def test_an_outcome_needs_a_session_held() -> None:
    (reason,) = outcome_reasons(sessions_held=0)
    assert_reason(reason, "mediation_without_session", None)
    assert outcome_reasons(sessions_held=1) == []


def test_a_mediator_is_legal_staff_free_of_ties() -> None:
    (reason,) = mediator_reasons(username="officer.agadir", mediator=None, parties=[MEMBER, BOARD])
    assert_reason(reason, "mediator_not_legal_staff", None)
    assert "officer.agadir" in reason.message.fr and "officer.agadir" in reason.message.ar
    tied = mediator(cooperatives=("2020/1/000123",))
    assert codes(mediator_reasons(username="stazi", mediator=tied, parties=[MEMBER, BOARD])) == [
        "mediator_tied_to_cooperative", "mediator_tied_to_cooperative"]
    assert mediator_reasons(username="stazi", mediator=mediator(), parties=[MEMBER, BOARD]) == []
