"""The general-assembly table of the law as an officer checks it: when the ordinary assembly
is due, notice periods in full days, quorum by kind, call and size, majorities, the filings
after the meeting, and the fine when an assembly is not held."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rules.assemblies import (
    AssemblyKind,
    attendance_reasons,
    attendee_reasons,
    convocation_reasons,
    due_after_year_end,
    filing_date_reasons,
    filing_due,
    filing_reasons,
    forced_meeting_due,
    forced_meeting_reasons,
    late_reason,
    latest_notice_day,
    majority_reasons,
    meeting_date_reasons,
    months_after,
    next_call,
    no_quorum_reasons,
    notice_reasons,
    pending_meeting_reasons,
    quorum_reasons,
    quorum_table,
    required_quorum,
    resolution_votes_reasons,
)
from rules.calendar import OFFICE_TZ, full_days_between, full_days_deadline, local_day
from rules.reasons import law
from tests.reasons_check import assert_reason, codes

GA = law("35-46")


# --- when the ordinary assembly is due --------------------------------------------------------


@pytest.mark.parametrize(
    ("year_end", "due"),
    [
        (date(2024, 12, 31), date(2025, 6, 30)),  # the usual calendar year
        (date(2025, 6, 30), date(2025, 12, 31)),  # month end to month end
        (date(2025, 9, 30), date(2026, 3, 31)),
        (date(2023, 2, 28), date(2023, 8, 31)),  # end of February is a month end
        (date(2024, 2, 29), date(2024, 8, 31)),
        (date(2025, 3, 15), date(2025, 9, 15)),  # mid-month: same day number
        (date(2025, 3, 30), date(2025, 9, 30)),
        (date(2025, 8, 30), date(2026, 2, 28)),  # a day February lacks: its last day
    ],
)
def test_ordinary_assembly_is_due_within_six_months_of_the_year_end(
    year_end: date, due: date
) -> None:
    assert due_after_year_end(year_end) == due


def test_months_after_refuses_a_negative_period() -> None:
    with pytest.raises(ValueError):
        months_after(date(2025, 1, 1), -1)
    assert months_after(date(2025, 1, 31), 0) == date(2025, 1, 31)


# --- notice -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "notice_on", "meeting_on", "in_time"),
    [
        # first call: 15 full days, neither the notice day nor the meeting day counted
        (1, date(2025, 3, 1), date(2025, 3, 17), True),  # 2nd..16th: 15 full days
        (1, date(2025, 3, 1), date(2025, 3, 16), False),  # 14
        (1, date(2025, 3, 1), date(2025, 4, 30), True),
        (1, date(2025, 3, 1), date(2025, 3, 1), False),  # same day
        (1, date(2025, 3, 5), date(2025, 3, 1), False),  # meeting before the notice
        # second and third calls: 10 full days
        (2, date(2025, 3, 1), date(2025, 3, 12), True),  # 2nd..11th: 10 full days
        (2, date(2025, 3, 1), date(2025, 3, 11), False),  # 9
        (3, date(2025, 3, 1), date(2025, 3, 12), True),
        (3, date(2025, 3, 1), date(2025, 3, 11), False),
        # across a month and a year end
        (1, date(2024, 12, 20), date(2025, 1, 5), True),  # 21 Dec .. 4 Jan: 15
        (1, date(2024, 12, 20), date(2025, 1, 4), False),
    ],
)
def test_notice_periods_in_full_days(
    call: int, notice_on: date, meeting_on: date, in_time: bool
) -> None:
    reasons = notice_reasons(notice_on=notice_on, meeting_on=meeting_on, call=call)
    if in_time:
        assert reasons == []
    else:
        assert len(reasons) == 1
        assert_reason(reasons[0], "assembly_notice_too_short", GA)


def test_a_short_notice_says_by_when_it_should_have_gone_out() -> None:
    (reason,) = notice_reasons(notice_on=date(2025, 3, 2), meeting_on=date(2025, 3, 17), call=1)
    assert "2025-03-01" in reason.message.fr and "2025-03-01" in reason.message.ar
    assert "14 jour(s)" in reason.message.fr
    assert "15 يوما كاملا" in reason.message.ar
    (later,) = notice_reasons(notice_on=date(2025, 3, 2), meeting_on=date(2025, 3, 12), call=2)
    assert "10 أيام كاملة" in later.message.ar and "10 jours francs" in later.message.fr


@pytest.mark.parametrize(("call", "days"), [(1, 15), (2, 10), (3, 10)])
def test_latest_notice_day_is_the_boundary(call: int, days: int) -> None:
    meeting = date(2025, 6, 20)
    latest = latest_notice_day(meeting_on=meeting, call=call)
    assert full_days_between(latest, meeting) == days
    assert notice_reasons(notice_on=latest, meeting_on=meeting, call=call) == []
    late = latest + timedelta(days=1)
    assert codes(notice_reasons(notice_on=late, meeting_on=meeting, call=call)) == [
        "assembly_notice_too_short"
    ]


@pytest.mark.parametrize("call", [0, 4, -1])
def test_only_three_calls_exist(call: int) -> None:
    (reason,) = notice_reasons(notice_on=date(2025, 1, 1), meeting_on=date(2025, 3, 1), call=call)
    assert_reason(reason, "assembly_call_out_of_range", GA)
    (reason,) = quorum_reasons(kind="ordinary", call=call, members=10, present=10)
    assert reason.code == "assembly_call_out_of_range"
    with pytest.raises(ValueError):
        required_quorum("ordinary", call, 10)
    with pytest.raises(ValueError):
        next_call(call)


@pytest.mark.parametrize(("call", "following"), [(1, 2), (2, 3), (3, None)])
def test_next_call(call: int, following: int | None) -> None:
    assert next_call(call) == following


# --- quorum -------------------------------------------------------------------------------------

QUORUM_TABLE = [
    # ordinary, first call: half, rounded up
    ("ordinary", 1, 5, 3),
    ("ordinary", 1, 10, 5),
    ("ordinary", 1, 15, 8),
    ("ordinary", 1, 20, 10),
    ("ordinary", 1, 21, 11),
    ("ordinary", 1, 1000, 500),
    # ordinary, second call: a quarter
    ("ordinary", 2, 5, 2),
    ("ordinary", 2, 15, 4),
    ("ordinary", 2, 20, 5),
    ("ordinary", 2, 21, 6),
    ("ordinary", 2, 100, 25),
    # ordinary, third call: up to 20 members a tenth with at least 2; above, no quorum
    ("ordinary", 3, 5, 2),
    ("ordinary", 3, 10, 2),
    ("ordinary", 3, 19, 2),
    ("ordinary", 3, 20, 2),
    ("ordinary", 3, 21, 1),
    ("ordinary", 3, 500, 1),
    # extraordinary, first call: three quarters
    ("extraordinary", 1, 5, 4),
    ("extraordinary", 1, 15, 12),
    ("extraordinary", 1, 20, 15),
    ("extraordinary", 1, 21, 16),
    ("extraordinary", 1, 100, 75),
    # extraordinary, second call: half
    ("extraordinary", 2, 15, 8),
    ("extraordinary", 2, 20, 10),
    ("extraordinary", 2, 21, 11),
    # extraordinary, third call: as the ordinary third call
    ("extraordinary", 3, 20, 2),
    ("extraordinary", 3, 21, 1),
]


@pytest.mark.parametrize(("kind", "call", "members", "required"), QUORUM_TABLE)
def test_quorum_table(kind: AssemblyKind, call: int, members: int, required: int) -> None:
    assert required_quorum(kind, call, members) == required
    assert quorum_reasons(kind=kind, call=call, members=members, present=required) == []
    if required > 1:
        reasons = quorum_reasons(kind=kind, call=call, members=members, present=required - 1)
        assert len(reasons) == 1
        assert_reason(reasons[0], "assembly_quorum_not_met", GA)
        assert str(required) in reasons[0].message.fr


def test_quorum_not_met_points_to_the_next_call_or_says_it_was_the_last() -> None:
    (first,) = quorum_reasons(kind="ordinary", call=1, members=15, present=7)
    assert "deuxième" in first.message.fr and "même ordre du jour" in first.message.fr
    assert "الثانية" in first.message.ar
    (last,) = quorum_reasons(kind="ordinary", call=3, members=15, present=1)
    assert "dernière" in last.message.fr and "الأخيرة" in last.message.ar


def test_attendance_over_membership_is_refused_with_the_quorum() -> None:
    reasons = quorum_reasons(kind="ordinary", call=1, members=10, present=11)
    assert codes(reasons) == ["assembly_attendance_exceeds_members"]
    assert_reason(reasons[0], "assembly_attendance_exceeds_members", GA)


def test_quorum_inputs_are_checked() -> None:
    with pytest.raises(ValueError):
        required_quorum("annual", 1, 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        required_quorum("ordinary", 1, 0)
    with pytest.raises(ValueError):
        quorum_reasons(kind="ordinary", call=1, members=10, present=-1)


def test_quorum_table_lists_both_kinds_and_three_calls() -> None:
    rows = quorum_table(21)
    assert [(r.kind, r.call, r.required) for r in rows] == [
        ("ordinary", 1, 11),
        ("ordinary", 2, 6),
        ("ordinary", 3, 1),
        ("extraordinary", 1, 16),
        ("extraordinary", 2, 11),
        ("extraordinary", 3, 1),
    ]
    assert all(r.basis == GA for r in rows)


# --- attendance: proxies and legal persons ------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "proxies", "legal", "total", "expected"),
    [
        (10, 10, 0, 20, []),  # one proxy each: allowed
        (10, 11, 0, 21, ["assembly_too_many_proxies"]),
        (0, 1, 0, 1, ["assembly_too_many_proxies"]),
        (20, 0, 10, 30, []),  # exactly a third
        (20, 0, 11, 30, ["assembly_legal_persons_over_third"]),
        (3, 0, 1, 3, []),
        (5, 0, 2, 5, ["assembly_legal_persons_over_third"]),  # 40%
        (10, 11, 11, 21, ["assembly_too_many_proxies", "assembly_legal_persons_over_third"]),
    ],
)
def test_attendance_rules(
    present: int, proxies: int, legal: int, total: int, expected: list[str]
) -> None:
    reasons = attendance_reasons(
        members=50,
        present_in_person=present,
        proxies=proxies,
        legal_person_votes=legal,
        total_votes=total,
    )
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, GA)


def test_attendance_cannot_exceed_the_members() -> None:
    reasons = attendance_reasons(
        members=10, present_in_person=6, proxies=5, legal_person_votes=0, total_votes=11
    )
    assert codes(reasons) == ["assembly_attendance_exceeds_members"]


def test_attendance_inputs_are_checked() -> None:
    with pytest.raises(ValueError):
        attendance_reasons(
            members=10, present_in_person=-1, proxies=0, legal_person_votes=0, total_votes=0
        )
    with pytest.raises(ValueError):
        attendance_reasons(
            members=10, present_in_person=5, proxies=0, legal_person_votes=6, total_votes=5
        )


# --- majorities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "votes_for", "votes_against", "chair", "expected"),
    [
        # ordinary: absolute majority of votes cast, the chair breaks a tie
        ("ordinary", 5, 4, None, None),
        ("ordinary", 1, 0, None, None),
        ("ordinary", 4, 5, None, "resolution_no_majority"),
        ("ordinary", 4, 5, "for", "resolution_no_majority"),  # no tie: the chair adds nothing
        ("ordinary", 4, 4, None, "resolution_tie_needs_chair"),
        ("ordinary", 4, 4, "for", None),
        ("ordinary", 4, 4, "against", "resolution_tie_chair_against"),
        ("ordinary", 0, 0, None, "resolution_no_votes_cast"),
        # extraordinary: two thirds of votes cast, boundary included
        ("extraordinary", 2, 1, None, None),
        ("extraordinary", 20, 10, None, None),
        ("extraordinary", 19, 10, None, "resolution_below_two_thirds"),
        ("extraordinary", 6, 3, None, None),
        ("extraordinary", 5, 3, None, "resolution_below_two_thirds"),
        ("extraordinary", 67, 33, None, None),
        ("extraordinary", 66, 34, None, "resolution_below_two_thirds"),
        ("extraordinary", 3, 3, "for", "resolution_below_two_thirds"),  # no casting vote here
        ("extraordinary", 5, 4, None, "resolution_below_two_thirds"),  # a majority, not 2/3
        ("extraordinary", 0, 0, None, "resolution_no_votes_cast"),
    ],
)
def test_majorities(
    kind: AssemblyKind,
    votes_for: int,
    votes_against: int,
    chair: str | None,
    expected: str | None,
) -> None:
    reasons = majority_reasons(
        kind=kind,
        votes_for=votes_for,
        votes_against=votes_against,
        chair_vote=chair,  # type: ignore[arg-type]
    )
    if expected is None:
        assert reasons == []
    else:
        assert len(reasons) == 1
        assert_reason(reasons[0], expected, GA)


def test_two_thirds_refusal_says_how_many_votes_were_needed() -> None:
    (reason,) = majority_reasons(kind="extraordinary", votes_for=19, votes_against=10)
    assert "au moins 20" in reason.message.fr


def test_negative_votes_are_refused() -> None:
    with pytest.raises(ValueError):
        majority_reasons(kind="ordinary", votes_for=-1, votes_against=0)


# --- after the meeting, and forced meetings ----------------------------------------------------


def test_filing_is_due_thirty_full_days_after_the_meeting() -> None:
    meeting = date(2025, 6, 10)
    assert filing_due(meeting) == date(2025, 7, 10)
    # the same last day as the calendar's full-day deadline (which ends at midnight after it)
    start = datetime(2025, 6, 10, 17, 0, tzinfo=OFFICE_TZ)
    assert filing_due(meeting) == local_day(full_days_deadline(start, 30)) - timedelta(days=1)


def test_filing_lateness_boundary() -> None:
    meeting = date(2025, 6, 10)
    assert filing_reasons(meeting_on=meeting, filed_on=date(2025, 7, 10)) == []
    (reason,) = filing_reasons(meeting_on=meeting, filed_on=date(2025, 7, 11))
    assert_reason(reason, "assembly_filing_late", GA)
    assert "1 jour(s)" in reason.message.fr


@pytest.mark.parametrize(
    ("requested_on", "due"),
    [
        (date(2025, 1, 15), date(2025, 3, 15)),
        (date(2025, 12, 31), date(2026, 2, 28)),
        (date(2025, 11, 30), date(2026, 1, 31)),
        (date(2025, 12, 29), date(2026, 2, 28)),
    ],
)
def test_forced_meeting_is_held_within_two_months(requested_on: date, due: date) -> None:
    assert forced_meeting_due(requested_on) == due


@pytest.mark.parametrize(
    ("members", "requesters", "expected"),
    [
        (9, 3, []),
        (9, 2, ["forced_meeting_too_few_requesters"]),
        (10, 4, []),  # a third of 10, rounded up
        (10, 3, ["forced_meeting_too_few_requesters"]),
        (30, 10, []),
        (30, 9, ["forced_meeting_too_few_requesters"]),
        (10, 11, ["forced_meeting_more_requesters_than_members"]),
    ],
)
def test_a_third_of_members_can_force_an_assembly(
    members: int, requesters: int, expected: list[str]
) -> None:
    reasons = forced_meeting_reasons(members=members, requesters=requesters)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, GA)


# --- not held: the fine ------------------------------------------------------------------------


def test_late_reason_cites_the_fine_of_article_97() -> None:
    reason = late_reason(kind="ordinary", due_on=date(2025, 6, 30))
    assert_reason(reason, "assembly_overdue", law(97))
    assert "8 000 à 40 000 dirhams" in reason.message.fr
    assert "8.000 إلى 40.000 درهم" in reason.message.ar
    assert "2025-06-30" in reason.message.fr and "2025-06-30" in reason.message.ar
    assert "démissionnaires" in reason.message.fr


def test_repeated_lateness_has_its_own_code() -> None:
    reason = late_reason(kind="extraordinary", due_on=date(2025, 6, 30), repeated=True)
    assert_reason(reason, "assembly_overdue_repeated", law(97))
    assert "extraordinaire" in reason.message.fr and "الاستثنائي" in reason.message.ar


# --- the officer's checks on the record of a meeting ---------------------------------------------


AGENDA = ["Approbation des comptes", "Affectation du résultat"]


def test_a_later_call_repeats_the_first_kind_order_and_agenda() -> None:
    assert convocation_reasons(kind="ordinary", expected_kind="ordinary", call=2, expected_call=2,
                               agenda=AGENDA, first_agenda=AGENDA) == []
    # spacing and letter case do not make another item
    assert convocation_reasons(kind="ordinary", expected_kind="ordinary", call=2, expected_call=2,
                               agenda=[" approbation des  COMPTES", "Affectation du résultat"],
                               first_agenda=AGENDA) == []
    changed = convocation_reasons(kind="ordinary", expected_kind="ordinary", call=2, expected_call=2,
                                  agenda=[*AGENDA, "Élection du conseil"], first_agenda=AGENDA)
    (reason,) = changed
    assert_reason(reason, "assembly_agenda_changed", GA)
    assert "Approbation des comptes ; Affectation du résultat" in reason.message.fr
    assert codes(convocation_reasons(kind="extraordinary", expected_kind="ordinary", call=3,
                                     expected_call=2, agenda=AGENDA, first_agenda=AGENDA)) == [
        "assembly_kind_mismatch", "assembly_call_not_next"]
    assert codes(convocation_reasons(kind="ordinary", expected_kind="ordinary", call=4,
                                     expected_call=4, agenda=AGENDA, first_agenda=None)) == [
        "assembly_call_out_of_range"]
    # the first call sets the agenda
    assert convocation_reasons(kind="ordinary", expected_kind="ordinary", call=1, expected_call=1,
                               agenda=["Autre chose"], first_agenda=None) == []


@pytest.mark.parametrize(
    ("call", "present", "last_call", "expected"),
    [
        (1, 9, False, []),  # 20 members, 10 needed: the next call
        (1, 10, False, ["assembly_quorum_met"]),
        (1, 9, True, ["assembly_not_last_call"]),
        (3, 1, True, []),  # 2 needed at the third call of a small cooperative
        (3, 1, False, ["assembly_no_further_call"]),
        (3, 2, True, ["assembly_quorum_met"]),
    ],
)
def test_a_meeting_without_quorum_leads_to_the_next_call_or_ends_at_the_third(
    call: int, present: int, last_call: bool, expected: list[str]
) -> None:
    reasons = no_quorum_reasons(kind="ordinary", call=call, members=20, present=present, last_call=last_call)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, GA)


def test_record_dates_votes_and_steps_in_order() -> None:
    assert meeting_date_reasons(meeting_on=date(2026, 5, 6), today=date(2026, 5, 6)) == []
    (early,) = meeting_date_reasons(meeting_on=date(2026, 5, 6), today=date(2026, 5, 5))
    assert_reason(early, "assembly_meeting_not_yet_held", None)
    assert resolution_votes_reasons(title="Comptes", votes_for=8, votes_against=1, abstentions=1, voters=10) == []
    (votes,) = resolution_votes_reasons(title="Comptes", votes_for=8, votes_against=2, abstentions=1, voters=10)
    assert_reason(votes, "resolution_more_votes_than_voters", GA)
    assert "11 voix" in votes.message.fr
    assert filing_date_reasons(meeting_on=date(2026, 5, 6), filed_on=date(2026, 5, 6), today=date(2026, 5, 6)) == []
    assert codes(filing_date_reasons(meeting_on=date(2026, 5, 6), filed_on=date(2026, 5, 5),
                                     today=date(2026, 5, 4))) == ["assembly_filed_before_meeting", "date_in_future"]
    assert pending_meeting_reasons(pending=True, wanted=True) == []
    assert codes(pending_meeting_reasons(pending=True, wanted=False)) == ["assembly_meeting_pending"]
    assert codes(pending_meeting_reasons(pending=False, wanted=True)) == ["assembly_not_convened"]
    assert attendee_reasons(assigned=True) == []
    (nobody,) = attendee_reasons(assigned=False)
    assert_reason(nobody, "assembly_no_attendee", None)
