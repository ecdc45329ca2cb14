"""The central register as its clerk at the office checks an incoming entry: founding
minimums, the certificate of name it used, the national number, and late transmissions and
changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rules.calendar import OFFICE_TZ, full_days_deadline
from rules.reasons import Reason, decree, law
from rules.registration import (
    ChangeKind,
    MemberKind,
    NationalNumber,
    certificate_reasons,
    change_filing_due,
    change_filing_reasons,
    change_target_reasons,
    founding_reasons,
    last_valid_day,
    national_number,
    next_national_number,
    parse_national_number,
    series_for,
    transmission_delay,
    transmission_reasons,
)
from tests.reasons_check import assert_reason, codes

FOUNDING = law("7-14")
REGISTER = decree("1-13")


# --- national numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "series"), [("natural", 1), ("legal", 2), ("mixed", 3), ("union", 4)]
)
def test_series(kind: MemberKind, series: int) -> None:
    assert series_for(kind) == series


def test_unknown_kind_has_no_series() -> None:
    with pytest.raises(ValueError):
        series_for("association")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("year", "series", "seq", "text"),
    [
        (2025, 1, 42, "2025/1/000042"),
        (2025, 1, 1, "2025/1/000001"),
        (2016, 4, 999_999, "2016/4/999999"),
        (2030, 3, 123_456, "2030/3/123456"),
    ],
)
def test_national_number_format_and_parse(year: int, series: int, seq: int, text: str) -> None:
    assert national_number(year, series, seq) == text
    assert parse_national_number(text) == NationalNumber(year, series, seq)
    assert str(parse_national_number(f"  {text} ")) == text


@pytest.mark.parametrize(
    ("year", "series", "seq"),
    [(2025, 5, 1), (2025, 0, 1), (2025, 1, 0), (2025, 1, 1_000_000), (999, 1, 1)],
)
def test_national_number_refuses_impossible_parts(year: int, series: int, seq: int) -> None:
    with pytest.raises(ValueError):
        national_number(year, series, seq)


@pytest.mark.parametrize(
    "text",
    ["2025/1/42", "2025-1-000042", "2025/5/000001", "25/1/000001", "2025/1/0000042", "",
     "2025/1/000000", "2025/01/000001", "x2025/1/000001"],
)
def test_parse_refuses_what_is_not_a_national_number(text: str) -> None:
    with pytest.raises(ValueError):
        parse_national_number(text)


def test_national_numbers_sort_by_year_series_and_rank() -> None:
    numbers = ["2025/1/000010", "2024/2/000001", "2025/1/000002"]
    assert sorted(numbers, key=parse_national_number) == [
        "2024/2/000001", "2025/1/000002", "2025/1/000010",
    ]


@pytest.mark.parametrize(
    ("last", "year", "series", "expected"),
    [
        (None, 2025, 1, "2025/1/000001"),
        ("2025/1/000041", 2025, 1, "2025/1/000042"),
        ("2024/1/000999", 2025, 1, "2025/1/000001"),  # restarts each 1 January
        ("2025/4/000007", 2025, 4, "2025/4/000008"),
    ],
)
def test_next_national_number(last: str | None, year: int, series: int, expected: str) -> None:
    assert next_national_number(last, year=year, series=series) == expected


def test_next_national_number_checks_series_and_year() -> None:
    with pytest.raises(ValueError):
        next_national_number("2025/2/000001", year=2025, series=1)
    with pytest.raises(ValueError):
        next_national_number("2026/1/000001", year=2025, series=1)


# --- founding minimums --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "capital", "share", "paid", "expected"),
    [
        (5, 1000, 100, 250, []),  # every minimum exactly met
        (4, 1000, 100, 250, ["founding_too_few_members"]),
        (5, 999, 100, 250, ["founding_capital_too_low"]),
        (5, 1000, 99, 250, ["founding_share_too_low"]),
        (5, 1000, 100, 249, ["founding_quarter_not_paid"]),
        (5, 1001, 100, 250, ["founding_quarter_not_paid"]),  # a quarter of 1,001 is 251
        (5, 1001, 100, 251, []),
        (5, 1000, 100, 1000, []),
        (5, 1000, 100, 1001, ["founding_paid_inconsistent"]),
        (5, 1000, 100, -1, ["founding_paid_inconsistent"]),
        (
            2, 500, 50, 0,
            ["founding_too_few_members", "founding_capital_too_low", "founding_share_too_low",
             "founding_quarter_not_paid"],
        ),
    ],
)
def test_founding_minimums(
    members: int, capital: int, share: int, paid: int, expected: list[str]
) -> None:
    reasons = founding_reasons(members=members, capital=capital, share_value=share, paid=paid)
    assert codes(reasons) == expected
    for reason in reasons:
        assert_reason(reason, reason.code, FOUNDING)


def test_quarter_refusal_says_how_much_was_due() -> None:
    (reason,) = founding_reasons(members=5, capital=1001, share_value=100, paid=250)
    assert "251 dirhams" in reason.message.fr and "251" in reason.message.ar


# --- the certificate of name ------------------------------------------------------------------

ISSUED = datetime(2025, 3, 1, 10, 30, tzinfo=OFFICE_TZ)
VALID_UNTIL = full_days_deadline(ISSUED, 60)  # midnight closing 30 April 2025
LAST_DAY = date(2025, 4, 30)


def check(
    *,
    state: str | None = "approved",
    granted: str | None = "Coopérative Al Amal",
    registered: str = "Coopérative Al Amal",
    valid_until: datetime | None = VALID_UNTIL,
    on: date = date(2025, 4, 1),
) -> list[Reason]:
    return certificate_reasons(
        certificate_state=state,
        granted_name=granted,
        registered_name=registered,
        valid_until=valid_until,
        local_registered_on=on,
    )


def test_last_valid_day_of_a_certificate() -> None:
    assert last_valid_day(VALID_UNTIL) == LAST_DAY
    # an end that is not a midnight covers its own day
    assert last_valid_day(datetime(2025, 4, 30, 15, 0, tzinfo=OFFICE_TZ)) == LAST_DAY


@pytest.mark.parametrize("state", ["approved", "expired", "lapsed"])
def test_registered_on_the_last_valid_day_is_accepted(state: str) -> None:
    assert check(state=state, on=LAST_DAY) == []


@pytest.mark.parametrize("state", ["approved", "expired", "lapsed"])
def test_registered_the_day_after_is_refused(state: str) -> None:
    (reason,) = check(state=state, on=LAST_DAY + timedelta(days=1))
    assert_reason(reason, "registration_certificate_expired", decree(4))
    assert "2025-04-30" in reason.message.fr and "2025-04-30" in reason.message.ar


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (None, "registration_certificate_missing"),
        ("used", "registration_certificate_already_used"),
        ("refused", "registration_certificate_not_granted"),
        ("submitted", "registration_certificate_not_granted"),
        ("manager_review", "registration_certificate_not_granted"),
    ],
)
def test_certificate_must_exist_and_be_granted(state: str | None, code: str) -> None:
    (reason,) = check(state=state)
    assert_reason(reason, code, decree(1))


def test_unknown_validity_is_refused() -> None:
    (reason,) = check(valid_until=None)
    assert_reason(reason, "registration_certificate_validity_unknown", decree(4))


@pytest.mark.parametrize(
    ("granted", "registered"),
    [
        ("Coopérative Al Amal", "COOPERATIVE EL-AMAL"),  # case, accents, article, hyphen
        ("Coopérative Al Amal", "Coop. Amal"),
        ("Coopérative Les Oliviers", "Cooperative Olivier"),  # plural
        ("تعاونية الأمل", "تعاونيّة الامل"),  # shadda, hamza seat
        ("تعاونية الأمل", "التعاونية الأمل"),
    ],
)
def test_same_name_across_accents_and_articles_is_accepted(granted: str, registered: str) -> None:
    assert check(granted=granted, registered=registered) == []


@pytest.mark.parametrize(
    ("granted", "registered"),
    [
        ("Coopérative Al Amal", "Coopérative Al Nour"),
        ("Coopérative Al Amal", "Coopérative Al Amal Tiznit"),
        ("تعاونية الأمل", "تعاونية النور"),
        (None, "Coopérative Al Amal"),
    ],
)
def test_another_name_is_refused(granted: str | None, registered: str) -> None:
    (reason,) = check(granted=granted, registered=registered)
    assert_reason(reason, "registration_name_mismatch", decree(1))
    assert registered in reason.message.fr and registered in reason.message.ar


def test_an_expired_certificate_and_another_name_give_both_reasons() -> None:
    reasons = check(registered="Coopérative Al Nour", on=date(2025, 6, 1))
    assert codes(reasons) == ["registration_certificate_expired", "registration_name_mismatch"]


# --- transmission of the local entry --------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_on", "delay", "late"),
    [
        (date(2025, 3, 1), 0, False),
        (date(2025, 3, 21), 20, False),  # the 20th day is in time
        (date(2025, 3, 22), 21, True),
        (date(2025, 5, 1), 61, True),
    ],
)
def test_transmission_within_twenty_days(received_on: date, delay: int, late: bool) -> None:
    registered = date(2025, 3, 1)
    assert transmission_delay(local_registered_on=registered, received_on=received_on) == delay
    reasons = transmission_reasons(
        local_registered_on=registered, received_on=received_on, court="Tiznit"
    )
    if not late:
        assert reasons == []
    else:
        (reason,) = reasons
        assert_reason(reason, "late_transmission", REGISTER)
        assert "Tiznit" in reason.message.fr and "Tiznit" in reason.message.ar
        assert f"{delay} jours" in reason.message.fr


def test_a_copy_cannot_arrive_before_the_registration() -> None:
    with pytest.raises(ValueError):
        transmission_delay(local_registered_on=date(2025, 3, 2), received_on=date(2025, 3, 1))


# --- changes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "late"),
    [
        (date(2025, 3, 1), False),
        (date(2025, 3, 31), False),  # the 30th day
        (date(2025, 4, 1), True),
        (date(2025, 12, 1), True),
    ],
)
def test_changes_are_filed_within_thirty_days(filed_on: date, late: bool) -> None:
    decided = date(2025, 3, 1)
    assert change_filing_due(decided) == date(2025, 3, 31)
    reasons = change_filing_reasons(decided_on=decided, filed_on=filed_on)
    if not late:
        assert reasons == []
    else:
        (reason,) = reasons
        assert_reason(reason, "late_change_filing", law(12))


@pytest.mark.parametrize(
    ("kind", "fr", "ar"),
    [
        ("board", "conseil d'administration", "مجلس الإدارة"),
        ("statutes", "statuts", "النظام الأساسي"),
        ("merger", "fusion", "الاندماج"),
        ("dissolution", "dissolution", "الحل"),
    ],
)
def test_late_change_names_what_changed(kind: ChangeKind, fr: str, ar: str) -> None:
    (reason,) = change_filing_reasons(
        decided_on=date(2025, 3, 1), filed_on=date(2025, 4, 3), kind=kind
    )
    assert fr in reason.message.fr and ar in reason.message.ar
    assert "3 jour(s)" in reason.message.fr


# --- the cooperative a change is filed against ------------------------------------------------


def test_a_change_to_an_active_cooperative_may_be_entered() -> None:
    assert change_target_reasons(national_number="2024/1/000042", status="active") == []


def test_a_change_needs_a_registered_cooperative() -> None:
    (reason,) = change_target_reasons(national_number=None, status=None)
    assert_reason(reason, "change_cooperative_unknown", law(12))


@pytest.mark.parametrize(("status", "fr", "ar"), [("dissolved", "dissoute", "منحلة"),
                                                   ("struck_off", "radiée", "مشطب")])
def test_a_closed_entry_takes_no_change(status: str, fr: str, ar: str) -> None:
    (reason,) = change_target_reasons(national_number="2019/2/000007", status=status)
    assert_reason(reason, "change_cooperative_closed", law(12))
    assert "2019/2/000007" in reason.message.fr and fr in reason.message.fr
    assert "2019/2/000007" in reason.message.ar and ar in reason.message.ar
