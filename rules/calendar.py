"""Counting time the way the law and the office do.

Two clocks coexist. The law's periods are "délais francs" ([L] Art. 103): calendar days, the
day of the starting event not counted, the period ending when its last day ends in Morocco.
The office's own service levels are counted in business days, so that an officer is not
blamed for a weekend or a public holiday. Both are computed here, from a moment that is always
passed in, so that a deadline can be recomputed and explained identically at any later time
(for instance after the office corrects the date of an Eid).

Every instant that leaves this module is an aware UTC datetime: storage and comparison stay
unambiguous, and only presentation converts to the office's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from rules.reasons import Basis, Text

_ZONE_KEY = "Africa/Casablanca"


def _office_zone() -> ZoneInfo:
    """Prefer the `tzdata` package (a pinned dependency) over the host's zone files.

    `ZoneInfo(key)` looks in the host's /usr/share/zoneinfo first. Morocco dropped UTC+1 for
    permanent UTC+0 on 2026-09-20 (IANA tzdb 2026c); a host whose system tzdata predates that
    still says UTC+1, and every deadline it computes would end an hour early. The package's
    version is under the project's control, the host's is not. Reading the packaged file is
    what `ZoneInfo(key)` itself would do; the host is used only when the package is absent.
    """
    try:
        source = resources.files("tzdata.zoneinfo").joinpath("Africa").joinpath("Casablanca")
        with source.open("rb") as zone_file:
            return ZoneInfo.from_file(zone_file, key=_ZONE_KEY)
    except (ImportError, OSError, ValueError):
        return ZoneInfo(_ZONE_KEY)


OFFICE_TZ: ZoneInfo = _office_zone()

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Saturday and Sunday are the administration's weekend


class Counting(StrEnum):
    FULL_DAYS = "full_days"  # the law's periods ("délai franc", [L] Art. 103)
    BUSINESS_DAYS = "business_days"  # the office's service levels


@dataclass(frozen=True)
class HolidayCorrection:
    """The office's word on one day, which overrides the `holidays` package.

    Islamic holidays depend on the sighting of the moon and are only estimated in advance;
    the office confirms or moves them (is_holiday True on the confirmed day, False on the
    estimated one), and can declare an exceptional day off.
    """

    day: date
    name: Text | None
    is_holiday: bool


_OFFICE_DECLARED = Text(fr="Jour férié déclaré par l'Office", ar="عطلة أعلنها المكتب")


@dataclass(frozen=True)
class _FixedHoliday:
    month: int
    day: int
    since: int
    name: Text


# Fixed holidays listed in the domain notes. The `holidays` package knows all of them in the
# installed version; they are kept here so that an older package version (the project allows
# holidays>=0.60, released before Unity Day existed) cannot silently drop one. A day is taken
# from this table only when the package has no holiday on it.
_FIXED_HOLIDAYS: tuple[_FixedHoliday, ...] = (
    _FixedHoliday(1, 1, 1956, Text(fr="Nouvel an", ar="رأس السنة الميلادية")),
    _FixedHoliday(
        1, 11, 1945, Text(fr="Manifeste de l'indépendance", ar="ذكرى تقديم وثيقة الاستقلال")
    ),
    # Royal decision of May 2023; first observed on 14 January 2024.
    _FixedHoliday(1, 14, 2024, Text(fr="Nouvel an amazigh", ar="رأس السنة الأمازيغية")),
    _FixedHoliday(5, 1, 1956, Text(fr="Fête du Travail", ar="عيد العمال")),
    _FixedHoliday(7, 30, 2001, Text(fr="Fête du Trône", ar="عيد العرش")),
    _FixedHoliday(
        8, 14, 1979, Text(fr="Allégeance Oued Eddahab", ar="ذكرى استرجاع إقليم وادي الذهب")
    ),
    _FixedHoliday(
        8, 20, 1956, Text(fr="Révolution du Roi et du peuple", ar="ذكرى ثورة الملك والشعب")
    ),
    _FixedHoliday(8, 21, 2001, Text(fr="Fête de la Jeunesse", ar="عيد الشباب")),
    # "Aïd Al Wahda": instituted by the Royal Cabinet's statement of 4 November 2025, after
    # 31 October 2025 had passed; the first day off is 31 October 2026 (as in the package).
    _FixedHoliday(10, 31, 2026, Text(fr="Fête de l'Unité", ar="عيد الوحدة")),
    _FixedHoliday(11, 6, 1976, Text(fr="Marche verte", ar="ذكرى المسيرة الخضراء")),
    _FixedHoliday(11, 18, 1957, Text(fr="Fête de l'indépendance", ar="عيد الاستقلال")),
)


@lru_cache(maxsize=1)
def _package_languages() -> tuple[str | None, str | None]:
    """The languages to ask the package for, falling back to its own default for both.

    A package without a French (or Arabic) catalogue for Morocco would otherwise answer in
    whatever the host's locale suggests; its default language at least names every holiday.
    """
    probe = holidays.country_holidays("MA", years=())
    supported = tuple(getattr(probe, "supported_languages", ()) or ())
    default = getattr(probe, "default_language", None)
    if "fr" in supported and "ar" in supported:
        return "fr", "ar"
    return default, default


@lru_cache(maxsize=64)
def _package_year(year: int) -> Mapping[date, Text]:
    """One year of the package's holidays, bilingual, completed from `_FIXED_HOLIDAYS`.

    Cached per process: the package's answer for a year never changes while it runs, whereas
    calendars are rebuilt whenever the office's corrections change.
    """
    fr_language, ar_language = _package_languages()
    in_fr = holidays.country_holidays("MA", years=year, language=fr_language)
    in_ar = holidays.country_holidays("MA", years=year, language=ar_language)
    days: dict[date, Text] = {}
    for day in sorted(set(in_fr) | set(in_ar)):
        fr = in_fr.get(day)
        ar = in_ar.get(day)
        days[day] = Text(fr=fr or ar or "", ar=ar or fr or "")
    for fixed in _FIXED_HOLIDAYS:
        if year >= fixed.since:
            days.setdefault(date(year, fixed.month, fixed.day), fixed.name)
    return MappingProxyType(days)


class HolidayCalendar:
    """Moroccan public holidays from `holidays` (country MA) plus the office's corrections.

    The office's corrections always win over the package, in both directions: the package
    only estimates the Islamic holidays, and only the office knows when it was actually closed.
    """

    def __init__(self, corrections: Iterable[HolidayCorrection] = ()) -> None:
        # Later corrections for the same day win, as in a table edited over time.
        self._corrections: dict[date, HolidayCorrection] = {c.day: c for c in corrections}

    def _holiday(self, day: date) -> Text | None:
        correction = self._corrections.get(day)
        if correction is not None:
            if not correction.is_holiday:
                return None
            if correction.name is not None:
                return correction.name
            return _package_year(day.year).get(day, _OFFICE_DECLARED)
        return _package_year(day.year).get(day)

    def is_holiday(self, day: date) -> bool:
        return self._holiday(day) is not None

    def name_of(self, day: date) -> Text | None:
        return self._holiday(day)

    def holidays_between(self, start: date, end: date) -> list[tuple[date, Text]]:
        """Both ends included, in date order: a list shown to a person reads as a range."""
        if end < start:
            return []
        candidates: set[date] = {d for d in self._corrections if start <= d <= end}
        for year in range(start.year, end.year + 1):
            candidates.update(d for d in _package_year(year) if start <= d <= end)
        found: list[tuple[date, Text]] = []
        for day in sorted(candidates):
            name = self._holiday(day)
            if name is not None:
                found.append((day, name))
        return found

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and not self.is_holiday(day)

    def add_business_days(self, start: date, n: int) -> date:
        """The start day never counts, even when it is a business day: a request received
        on a Monday morning gives the officer the whole of the following business days."""
        if n < 0:
            raise ValueError(f"a number of business days cannot be negative: {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Counted in (start, end], the inverse of `add_business_days`."""
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_business_day(day):
                count += 1
            day += _ONE_DAY
        return count


def _require_aware(moment: datetime, what: str) -> None:
    # A naive datetime would be read in the server's zone, which is not the office's.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment!r}")


def local_day(moment: datetime) -> date:
    _require_aware(moment, "moment")
    return moment.astimezone(OFFICE_TZ).date()


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OFFICE_TZ).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """A day ends at the next local midnight, not at 23:59:59: an act done at 23:59:30 on the
    last day is in time, and a deadline is then a single instant to compare against."""
    return _start_of_day(day + _ONE_DAY)


def full_days_deadline(start: datetime, days: int) -> datetime:
    if days < 0:
        raise ValueError(f"a period cannot be negative: {days} days")
    return end_of_day(local_day(start) + timedelta(days=days))


def business_days_deadline(start: datetime, days: int, calendar: HolidayCalendar) -> datetime:
    return end_of_day(calendar.add_business_days(local_day(start), days))


def deadline(start: datetime, days: int, counting: Counting, calendar: HolidayCalendar) -> datetime:
    if counting is Counting.FULL_DAYS:
        return full_days_deadline(start, days)
    return business_days_deadline(start, days, calendar)


def full_days_between(earlier: date, later: date) -> int:
    """Neither end counts: a notice sent on the 1st for a meeting on the 17th leaves the
    2nd to the 16th, 15 full days."""
    return max(0, (later - earlier).days - 1)


def _share_of_day(moment: datetime) -> float:
    """How far into its local day `moment` is, measured in real time (a day on which the
    clocks change lasts 23 or 25 hours)."""
    day = local_day(moment)
    opening = _start_of_day(day)
    return (moment - opening) / (end_of_day(day) - opening)


def _business_time(origin_day: date, moment: datetime, calendar: HolidayCalendar) -> float:
    """Business days consumed between the end of `origin_day` and `moment`.

    Day granularity with linear interpolation inside a business day: each business day is
    worth 1 whatever the office's opening hours, a weekend or holiday is worth 0.
    """
    today = local_day(moment)
    if today <= origin_day:
        return 0.0
    consumed = float(calendar.business_days_between(origin_day, today - _ONE_DAY))
    if calendar.is_business_day(today):
        consumed += _share_of_day(moment)
    return consumed


def fraction_elapsed(
    start: datetime,
    due: datetime,
    at: datetime,
    counting: Counting,
    calendar: HolidayCalendar,
) -> float:
    """How much of the allowed time is used, for warnings ("75% of the time has passed").

    The budget is counted the way the deadline is: it starts when the starting day ends
    (that day is not counted in either counting), so the fraction stays 0 during it. Full
    days consume calendar time; business days consume only business days (see
    `_business_time`), so a weekend does not bring a service level closer to breach. The
    result is not capped: above 1.0 the deadline has passed.
    """
    for moment, what in ((start, "start"), (due, "due"), (at, "at")):
        _require_aware(moment, what)
    origin_day = local_day(start)
    if counting is Counting.FULL_DAYS:
        origin = end_of_day(origin_day)
        allowed = (due - origin).total_seconds()
        used = max(0.0, (at - origin).total_seconds())
    else:
        allowed = _business_time(origin_day, due, calendar)
        used = _business_time(origin_day, at, calendar)
    if allowed <= 0:
        # No time was given at all: either it has run out or it has not.
        return 1.0 if at >= due else 0.0
    return used / allowed


def _days_fr(days: int, counting: Counting) -> str:
    s = "s" if abs(days) >= 2 else ""
    if counting is Counting.FULL_DAYS:
        return f"{days} jour{s} franc{s}"
    return f"{days} jour{s} ouvrable{s}"


def _days_ar(days: int, counting: Counting) -> str:
    """Arabic counted nouns change with the number: 1 and 2 are said with the noun alone,
    3 to 10 take the plural, 11 to 99 the singular accusative, round hundreds the singular."""
    full = counting is Counting.FULL_DAYS
    if days == 1:
        return "يوم واحد كامل" if full else "يوم عمل واحد"
    if days == 2:
        return "يومان كاملان" if full else "يوما عمل"
    rest = days % 100
    if 3 <= rest <= 10:
        return f"{days} أيام كاملة" if full else f"{days} أيام عمل"
    if 11 <= rest <= 99:
        return f"{days} يوما كاملة" if full else f"{days} يوم عمل"
    return f"{days} يوم كامل" if full else f"{days} يوم عمل"


def _from_fr(event: str) -> str:
    """French contracts "de le" and "de les": "à compter du dépôt", not "de le dépôt"."""
    if event.startswith("le "):
        return "du " + event[3:]
    if event.startswith("les "):
        return "des " + event[4:]
    return "de " + event


def explain(
    start: datetime,
    days: int,
    counting: Counting,
    basis: Basis,
    due: datetime,
    *,
    event: Text,
) -> Text:
    """What a person reads next to a deadline: where it starts, its last day, and the article.

    The last day shown is the day before `due`'s local day, because `due` is the midnight
    that closes the period; showing that midnight's date would promise one day too many.
    """
    first = local_day(start).isoformat()
    last = (local_day(due) - _ONE_DAY).isoformat()
    label = basis.label
    if days == 0:
        # A period the law counts in months ("within 6 months of the year end", [L] Arts.
        # 35-46, 78): the case holds the last day its rule computed, the deadline is anchored
        # on that day, and `event` names the day rather than a start.
        return Text(
            fr=f"{last} : {event.fr} ({label.fr})",
            ar=f"{last}: {event.ar} ({label.ar})",
        )
    return Text(
        fr=(
            f"{_days_fr(days, counting)} à compter {_from_fr(event.fr)} le {first}, "
            f"soit jusqu'au {last} inclus ({label.fr})"
        ),
        ar=(
            f"{_days_ar(days, counting)} ابتداء من {event.ar} بتاريخ {first}، "
            f"أي إلى غاية {last} ({label.ar})"
        ),
    )
