"""What a user of the deadlines checks: the law's full days, the office's business days,
Moroccan holidays and their corrections, and the office's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

import rules.calendar as cal
from rules.calendar import (
    OFFICE_TZ,
    Counting,
    HolidayCalendar,
    HolidayCorrection,
    business_days_deadline,
    deadline,
    end_of_day,
    explain,
    fraction_elapsed,
    full_days_between,
    full_days_deadline,
    local_day,
)
from rules.reasons import Text, decree, internal, law

CERTIFICATE = Text(fr="la délivrance du certificat", ar="تسليم الشهادة")
PLAIN = HolidayCalendar()


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OFFICE_TZ)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


# --- time zone ---------------------------------------------------------------------------
# tzdb (2026f): UTC+1 with a UTC+0 break around Ramadan (2026-02-15 03:00 -> 02:00 local,
# back on 2026-03-22 02:00 -> 03:00), then permanent UTC+0 from 2026-09-20 02:00 local.


@pytest.mark.parametrize(
    ("day", "ends_at_utc"),
    [
        (date(2025, 12, 31), utc(2025, 12, 31, 23)),  # UTC+1
        (date(2026, 2, 14), utc(2026, 2, 14, 23)),  # midnight before the Ramadan fall-back
        (date(2026, 3, 1), utc(2026, 3, 2)),  # inside Ramadan 2026: UTC+0
        (date(2026, 3, 21), utc(2026, 3, 22)),  # Ramadan break ends at 02:00 on the 22nd
        (date(2026, 5, 1), utc(2026, 5, 1, 23)),  # outside Ramadan: UTC+1
        (date(2026, 9, 19), utc(2026, 9, 19, 23)),  # last day of UTC+1
        (date(2026, 10, 15), utc(2026, 10, 16)),  # permanent UTC+0 (tzdb 2026c)
        (date(2027, 6, 1), utc(2027, 6, 2)),
    ],
)
def test_end_of_day_is_next_local_midnight_as_a_utc_instant(
    day: date, ends_at_utc: datetime
) -> None:
    due = end_of_day(day)
    assert due == ends_at_utc
    assert due.utcoffset() == timedelta(0)
    assert due.astimezone(OFFICE_TZ).replace(tzinfo=None) == datetime.combine(
        day + timedelta(days=1), datetime.min.time()
    )


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (utc(2026, 5, 1, 23, 30), date(2026, 5, 2)),  # already the 2nd in Casablanca (UTC+1)
        (utc(2026, 3, 1, 23, 30), date(2026, 3, 1)),  # still the 1st (Ramadan, UTC+0)
        (utc(2026, 10, 15, 23, 30), date(2026, 10, 15)),  # still the 15th (UTC+0 since Sep 20)
        (local(2026, 7, 30, 0, 1), date(2026, 7, 30)),
    ],
)
def test_local_day_is_the_day_in_casablanca(moment: datetime, day: date) -> None:
    assert local_day(moment) == day


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        local_day(datetime(2026, 5, 1, 12))
    with pytest.raises(ValueError):
        full_days_deadline(datetime(2026, 5, 1, 12), 2)


# --- full days (the law's periods) -------------------------------------------------------


@pytest.mark.parametrize(
    ("event_at", "days", "last_day", "due_utc"),
    [
        # 2 full days from a request on Thursday: Friday and Saturday count, the weekend too.
        (local(2026, 3, 5, 10), 2, date(2026, 3, 7), utc(2026, 3, 8)),
        # Name certificate valid 60 days from issue.
        (local(2026, 3, 2, 10), 60, date(2026, 5, 1), utc(2026, 5, 1, 23)),
        # Across a month end, a year end, a leap day.
        (local(2026, 1, 31, 9), 30, date(2026, 3, 2), utc(2026, 3, 3)),
        (local(2026, 12, 20, 9), 15, date(2027, 1, 4), utc(2027, 1, 5)),
        (local(2028, 2, 27, 9), 2, date(2028, 2, 29), utc(2028, 3, 1)),
        # An event late on Thursday still starts from Thursday; just after midnight, Friday.
        (local(2026, 3, 5, 23, 59), 2, date(2026, 3, 7), utc(2026, 3, 8)),
        (local(2026, 3, 6, 0, 1), 2, date(2026, 3, 8), utc(2026, 3, 9)),
        # The same instant given in UTC is already the next day in Casablanca (UTC+1).
        (utc(2026, 6, 10, 23, 30), 2, date(2026, 6, 13), utc(2026, 6, 13, 23)),
        # A 30-day filing period whose last day is after the switch to permanent UTC+0.
        (local(2026, 9, 1, 11), 30, date(2026, 10, 1), utc(2026, 10, 2)),
        # Holidays do not stop a full-day period: 2026-11-06 and 2026-11-18 are counted.
        (local(2026, 11, 5, 9), 20, date(2026, 11, 25), utc(2026, 11, 26)),
    ],
)
def test_full_days_deadline(
    event_at: datetime, days: int, last_day: date, due_utc: datetime
) -> None:
    due = full_days_deadline(event_at, days)
    assert due == due_utc
    assert local_day(due) - timedelta(days=1) == last_day
    assert deadline(event_at, days, Counting.FULL_DAYS, PLAIN) == due_utc


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError):
        full_days_deadline(local(2026, 3, 5, 10), -1)
    with pytest.raises(ValueError):
        PLAIN.add_business_days(date(2026, 3, 5), -1)


@pytest.mark.parametrize(
    ("notice", "meeting", "full_days", "fifteen_days_enough"),
    [
        (date(2026, 5, 1), date(2026, 5, 17), 15, True),
        (date(2026, 5, 1), date(2026, 5, 16), 14, False),
        (date(2026, 12, 25), date(2027, 1, 10), 15, True),
        (date(2026, 5, 1), date(2026, 5, 2), 0, False),
        (date(2026, 5, 1), date(2026, 5, 1), 0, False),
        (date(2026, 5, 17), date(2026, 5, 1), 0, False),
    ],
)
def test_full_days_between_for_notice_periods(
    notice: date, meeting: date, full_days: int, fifteen_days_enough: bool
) -> None:
    assert full_days_between(notice, meeting) == full_days
    assert (full_days_between(notice, meeting) >= 15) is fifteen_days_enough


# --- holidays ----------------------------------------------------------------------------

HOLIDAYS_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 11),
    date(2026, 1, 14),  # Amazigh New Year
    date(2026, 3, 20),  # Eid al-Fitr (estimated)
    date(2026, 3, 21),
    date(2026, 5, 1),
    date(2026, 5, 27),  # Eid al-Adha (estimated)
    date(2026, 5, 28),
    date(2026, 6, 16),  # 1 Muharram (estimated)
    date(2026, 7, 30),
    date(2026, 8, 14),
    date(2026, 8, 20),
    date(2026, 8, 21),
    date(2026, 8, 25),  # Mawlid (estimated)
    date(2026, 8, 26),
    date(2026, 10, 31),  # Unity Day
    date(2026, 11, 6),
    date(2026, 11, 18),
]


def test_the_2026_holidays_are_exactly_the_expected_ones() -> None:
    found = [day for day, _ in PLAIN.holidays_between(date(2026, 1, 1), date(2026, 12, 31))]
    assert found == HOLIDAYS_2026


@pytest.mark.parametrize(
    ("day", "is_holiday"),
    [
        (date(2026, 10, 31), True),
        (date(2025, 10, 31), False),  # Unity Day was instituted on 2025-11-04, first off 2026
        (date(2024, 1, 14), True),
        (date(2023, 1, 14), False),  # Amazigh New Year is a holiday from 2024
        (date(2027, 1, 14), True),
        (date(2026, 3, 19), False),
    ],
)
def test_holidays_start_in_the_right_year(day: date, is_holiday: bool) -> None:
    assert PLAIN.is_holiday(day) is is_holiday


@pytest.mark.parametrize(
    ("day", "fr", "ar"),
    [
        (date(2026, 11, 6), "La marche verte", "ذكرى المسيرة الخضراء"),
        (date(2026, 11, 18), "Fête de l'indépendance", "عيد الاستقلال"),
        (date(2026, 1, 14), "Nouvel an Amazigh", "رأس السنة الأمازيغية"),
        (date(2026, 10, 31), "Fête de l'Unité", "عيد الوحدة"),
        (date(2026, 5, 27), "Fête du sacrifice (estimé)", "عيد الأضحى (تقديري)"),
    ],
)
def test_holiday_names_are_bilingual(day: date, fr: str, ar: str) -> None:
    assert PLAIN.name_of(day) == Text(fr=fr, ar=ar)


def test_an_ordinary_day_has_no_name() -> None:
    assert PLAIN.name_of(date(2026, 3, 19)) is None


@pytest.fixture
def fresh_package_cache() -> Iterator[None]:
    cal._package_year.cache_clear()
    cal._package_languages.cache_clear()
    yield
    cal._package_year.cache_clear()
    cal._package_languages.cache_clear()


class _FakeHolidays(dict[date, str]):
    supported_languages: tuple[str, ...] = ("ar", "fr")
    default_language = "ar"


def test_a_fixed_holiday_missing_from_the_package_is_added(
    monkeypatch: pytest.MonkeyPatch, fresh_package_cache: None
) -> None:
    # An older `holidays` release knows nothing of Unity Day nor of the Amazigh New Year.
    def country_holidays(country: str, years: object = (), language: str | None = None) -> object:
        fake = _FakeHolidays()
        if years == 2026:
            fake[date(2026, 11, 6)] = "La marche verte" if language == "fr" else "المسيرة"
        return fake

    monkeypatch.setattr(cal.holidays, "country_holidays", country_holidays)
    calendar = HolidayCalendar()
    assert calendar.name_of(date(2026, 10, 31)) == Text(fr="Fête de l'Unité", ar="عيد الوحدة")
    assert calendar.is_holiday(date(2026, 1, 14))
    assert calendar.is_holiday(date(2026, 11, 18))
    # The package's own name wins where it has one.
    assert calendar.name_of(date(2026, 11, 6)) == Text(fr="La marche verte", ar="المسيرة")


def test_without_a_french_catalogue_both_names_are_in_the_default_language(
    monkeypatch: pytest.MonkeyPatch, fresh_package_cache: None
) -> None:
    asked: list[str | None] = []

    class ArabicOnly(_FakeHolidays):
        supported_languages = ("ar",)

    def country_holidays(country: str, years: object = (), language: str | None = None) -> object:
        asked.append(language)
        fake = ArabicOnly()
        if years == 2026:
            fake[date(2026, 11, 6)] = "ذكرى المسيرة الخضراء" if language == "ar" else "Green March"
        return fake

    monkeypatch.setattr(cal.holidays, "country_holidays", country_holidays)
    name = HolidayCalendar().name_of(date(2026, 11, 6))
    assert name == Text(fr="ذكرى المسيرة الخضراء", ar="ذكرى المسيرة الخضراء")
    assert "fr" not in asked


# --- business days (the office's service levels) -----------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 -> Monday
        (date(2026, 3, 5), 2, date(2026, 3, 9)),  # Thursday + 2 -> Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # from a Saturday
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # 0 is the start itself, whatever it is
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # a full week
        (date(2026, 11, 5), 1, date(2026, 11, 9)),  # Fri 6 Nov, Green March
        (date(2026, 11, 17), 1, date(2026, 11, 19)),  # Wed 18 Nov, Independence Day
        (date(2026, 11, 6), 1, date(2026, 11, 9)),  # from the holiday itself
        (date(2026, 3, 19), 1, date(2026, 3, 23)),  # Eid al-Fitr Fri 20 (est.) + weekend
        (date(2026, 5, 26), 1, date(2026, 5, 29)),  # Eid al-Adha Wed 27, Thu 28 (est.)
        (date(2026, 5, 26), 3, date(2026, 6, 2)),
        (date(2026, 8, 19), 1, date(2026, 8, 24)),  # 20, 21 Aug then the weekend
        (date(2026, 8, 19), 2, date(2026, 8, 27)),  # ... then Mawlid 25, 26 Aug (est.)
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # 1 Jan, then the weekend
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    assert PLAIN.add_business_days(start, n) == expected
    if start < expected:
        assert PLAIN.business_days_between(start, expected) == n


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2026, 3, 9), True),  # Monday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 11, 6), False),  # Friday, Green March
        (date(2026, 10, 30), True),  # the Friday before Unity Day
    ],
)
def test_is_business_day(day: date, business: bool) -> None:
    assert PLAIN.is_business_day(day) is business


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 3, 6), date(2026, 3, 9), 1),
        (date(2026, 3, 5), date(2026, 3, 12), 5),
        (date(2026, 11, 2), date(2026, 11, 20), 12),  # three weeks minus 6 and 18 Nov
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 9), date(2026, 3, 2), 0),
    ],
)
def test_business_days_between(start: date, end: date, count: int) -> None:
    assert PLAIN.business_days_between(start, end) == count


@pytest.mark.parametrize(
    ("request_at", "days", "due_utc"),
    [
        (local(2026, 3, 6, 15), 1, utc(2026, 3, 10)),  # due end of Mon 9 Mar (UTC+0)
        (local(2026, 4, 3, 15), 1, utc(2026, 4, 6, 23)),  # due end of Mon 6 Apr (UTC+1)
        (local(2026, 11, 4, 9), 2, utc(2026, 11, 10)),  # Thu 5, (Fri 6 off), Mon 9
    ],
)
def test_business_days_deadline(request_at: datetime, days: int, due_utc: datetime) -> None:
    assert business_days_deadline(request_at, days, PLAIN) == due_utc
    assert deadline(request_at, days, Counting.BUSINESS_DAYS, PLAIN) == due_utc


def test_deadline_dispatches_on_the_counting() -> None:
    friday = local(2026, 3, 6, 15)
    assert deadline(friday, 1, Counting.FULL_DAYS, PLAIN) == utc(2026, 3, 8)  # end of Sat
    assert deadline(friday, 1, Counting.BUSINESS_DAYS, PLAIN) == utc(2026, 3, 10)  # end of Mon


# --- the office's corrections ------------------------------------------------------------

EID_SEEN_LATE = Text(fr="Aïd al-Fitr", ar="عيد الفطر")


@pytest.mark.parametrize(
    ("corrections", "expected"),
    [
        ((), date(2026, 3, 23)),
        # The office closes on Monday 23 March too: the deadline moves to Tuesday.
        ((HolidayCorrection(date(2026, 3, 23), EID_SEEN_LATE, True),), date(2026, 3, 24)),
        # Eid was not on Friday 20 March after all: Friday is a working day again.
        ((HolidayCorrection(date(2026, 3, 20), None, False),), date(2026, 3, 20)),
        # Moved by one day (Sat 21, Sun 22): Friday works again.
        (
            (
                HolidayCorrection(date(2026, 3, 20), None, False),
                HolidayCorrection(date(2026, 3, 22), EID_SEEN_LATE, True),
            ),
            date(2026, 3, 20),
        ),
    ],
)
def test_corrections_move_business_deadlines(
    corrections: tuple[HolidayCorrection, ...], expected: date
) -> None:
    calendar = HolidayCalendar(corrections)
    assert calendar.add_business_days(date(2026, 3, 19), 1) == expected
    assert business_days_deadline(local(2026, 3, 19, 11), 1, calendar) == end_of_day(expected)


def test_corrections_show_in_names_and_lists() -> None:
    calendar = HolidayCalendar(
        [
            HolidayCorrection(date(2026, 3, 20), None, False),
            HolidayCorrection(date(2026, 3, 23), EID_SEEN_LATE, True),
            HolidayCorrection(date(2026, 4, 10), None, True),  # no name given
        ]
    )
    assert calendar.name_of(date(2026, 3, 20)) is None
    assert calendar.name_of(date(2026, 3, 23)) == EID_SEEN_LATE
    assert calendar.name_of(date(2026, 4, 10)) == Text(
        fr="Jour férié déclaré par l'Office", ar="عطلة أعلنها المكتب"
    )
    assert [d for d, _ in calendar.holidays_between(date(2026, 3, 1), date(2026, 4, 30))] == [
        date(2026, 3, 21),
        date(2026, 3, 23),
        date(2026, 4, 10),
    ]


def test_the_latest_correction_for_a_day_wins() -> None:
    calendar = HolidayCalendar(
        [
            HolidayCorrection(date(2026, 3, 23), EID_SEEN_LATE, True),
            HolidayCorrection(date(2026, 3, 23), None, False),
        ]
    )
    assert not calendar.is_holiday(date(2026, 3, 23))


def test_a_correction_can_remove_a_fixed_holiday() -> None:
    calendar = HolidayCalendar([HolidayCorrection(date(2026, 11, 18), None, False)])
    assert calendar.is_business_day(date(2026, 11, 18))
    assert PLAIN.is_holiday(date(2026, 11, 18))  # other calendars are not affected


# --- fraction of the time used -----------------------------------------------------------

REQUEST = local(2026, 3, 5, 10)  # Thursday, during the 2026 Ramadan (UTC+0)


@pytest.mark.parametrize(
    ("at", "fraction"),
    [
        (local(2026, 3, 5, 15), 0.0),  # the day of the request is not counted
        (local(2026, 3, 6, 12), 0.25),
        (local(2026, 3, 7, 0), 0.5),
        (local(2026, 3, 7, 12), 0.75),
        (local(2026, 3, 8, 0), 1.0),
        (local(2026, 3, 9, 0), 1.5),
        (local(2026, 3, 1, 0), 0.0),  # before the request
    ],
)
def test_fraction_elapsed_full_days(at: datetime, fraction: float) -> None:
    due = full_days_deadline(REQUEST, 2)  # last day Sat 7 March
    assert fraction_elapsed(REQUEST, due, at, Counting.FULL_DAYS, PLAIN) == pytest.approx(fraction)


def test_fraction_elapsed_full_days_over_a_clock_change() -> None:
    start = local(2026, 3, 2, 10)
    due = full_days_deadline(start, 60)
    half = fraction_elapsed(start, due, local(2026, 4, 2), Counting.FULL_DAYS, PLAIN)
    assert half == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize(
    ("at", "fraction"),
    [
        (local(2026, 3, 5, 18), 0.0),
        (local(2026, 3, 6, 12), 0.125),  # half of Friday
        (local(2026, 3, 7, 12), 0.25),  # the weekend does not consume the budget
        (local(2026, 3, 9, 0), 0.25),
        (local(2026, 3, 10, 0), 0.5),  # Friday and Monday used
        (local(2026, 3, 11, 0), 0.75),
        (local(2026, 3, 12, 0), 1.0),
        (local(2026, 3, 13, 0), 1.25),
    ],
)
def test_fraction_elapsed_business_days(at: datetime, fraction: float) -> None:
    due = business_days_deadline(REQUEST, 4, PLAIN)  # Fri 6, Mon 9, Tue 10, Wed 11
    assert due == utc(2026, 3, 12)
    assert fraction_elapsed(REQUEST, due, at, Counting.BUSINESS_DAYS, PLAIN) == pytest.approx(
        fraction
    )


@pytest.mark.parametrize(
    ("at", "fraction"),
    [
        (local(2026, 11, 9, 0), 0.0),  # Fri 6 Nov is a holiday, then the weekend
        (local(2026, 11, 9, 12), 0.25),
        (local(2026, 11, 10, 0), 0.5),
        (local(2026, 11, 10, 18), 0.875),
    ],
)
def test_fraction_elapsed_business_days_skips_holidays(at: datetime, fraction: float) -> None:
    start = local(2026, 11, 5, 9)
    due = business_days_deadline(start, 2, PLAIN)  # Mon 9, Tue 10
    assert fraction_elapsed(start, due, at, Counting.BUSINESS_DAYS, PLAIN) == pytest.approx(
        fraction
    )


@pytest.mark.parametrize("counting", list(Counting))
def test_fraction_elapsed_with_no_time_given(counting: Counting) -> None:
    due = deadline(REQUEST, 0, counting, PLAIN)
    assert fraction_elapsed(REQUEST, due, local(2026, 3, 5, 12), counting, PLAIN) == 0.0
    assert fraction_elapsed(REQUEST, due, local(2026, 3, 6, 1), counting, PLAIN) == 1.0


# --- explanations ------------------------------------------------------------------------


def test_explain_the_certificate_validity() -> None:
    start = local(2026, 3, 2, 10)
    due = full_days_deadline(start, 60)
    text = explain(start, 60, Counting.FULL_DAYS, decree(4), due, event=CERTIFICATE)
    assert text.fr == (
        "60 jours francs à compter de la délivrance du certificat le 2026-03-02, "
        "soit jusqu'au 2026-05-01 inclus (décret 2-15-617, art. 4)"
    )
    assert text.ar == (
        "60 يوما كاملة ابتداء من تسليم الشهادة بتاريخ 2026-03-02، "
        "أي إلى غاية 2026-05-01 (المرسوم 2.15.617، المادة 4)"
    )


@pytest.mark.parametrize(
    ("days", "counting", "fr_count", "ar_count"),
    [
        (1, Counting.FULL_DAYS, "1 jour franc ", "يوم واحد كامل "),
        (2, Counting.FULL_DAYS, "2 jours francs ", "يومان كاملان "),
        (7, Counting.FULL_DAYS, "7 jours francs ", "7 أيام كاملة "),
        (30, Counting.FULL_DAYS, "30 jours francs ", "30 يوما كاملة "),
        (1, Counting.BUSINESS_DAYS, "1 jour ouvrable ", "يوم عمل واحد "),
        (5, Counting.BUSINESS_DAYS, "5 jours ouvrables ", "5 أيام عمل "),
    ],
)
def test_explain_names_the_counting(
    days: int, counting: Counting, fr_count: str, ar_count: str
) -> None:
    start = local(2026, 11, 4, 9)
    due = deadline(start, days, counting, PLAIN)
    event = Text(fr="le dépôt de la demande", ar="إيداع الطلب")
    text = explain(start, days, counting, internal("name_decision_days"), due, event=event)
    assert text.fr.startswith(fr_count + "à compter du dépôt de la demande le 2026-11-04")
    assert text.ar.startswith(ar_count + "ابتداء من إيداع الطلب بتاريخ 2026-11-04")
    last = (local_day(due) - timedelta(days=1)).isoformat()
    assert f"jusqu'au {last} inclus (règle interne de l'Office (name_decision_days))" in text.fr
    assert f"إلى غاية {last} (قاعدة داخلية للمكتب (name_decision_days))" in text.ar


def test_explain_business_days_shows_the_last_business_day() -> None:
    start = local(2026, 11, 5, 9)
    due = business_days_deadline(start, 1, PLAIN)  # Fri 6 Nov is Green March
    text = explain(start, 1, Counting.BUSINESS_DAYS, law(7), due, event=CERTIFICATE)
    assert "le 2026-11-05, soit jusqu'au 2026-11-09 inclus (loi 112-12, art. 7)" in text.fr
    assert "بتاريخ 2026-11-05، أي إلى غاية 2026-11-09 (القانون 112.12، المادة 7)" in text.ar


def test_explain_a_last_day_the_law_counts_in_months() -> None:
    """A zero-day deadline is anchored on a last day computed elsewhere (6 months after the
    year end): the explanation names that day and what it is, not a count from it."""
    day = local(2026, 6, 30, 12)
    event = Text(fr="dernier jour pour tenir l'assemblée générale", ar="آخر أجل لعقد الجمع العام")
    text = explain(day, 0, Counting.FULL_DAYS, law("35-46"), full_days_deadline(day, 0), event=event)
    assert text.fr == "2026-06-30 : dernier jour pour tenir l'assemblée générale (loi 112-12, art. 35-46)"
    assert text.ar == "2026-06-30: آخر أجل لعقد الجمع العام (القانون 112.12، المادة 35-46)"
