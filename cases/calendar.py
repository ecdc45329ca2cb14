"""The office's calendar: the estimated public holidays corrected by the holidays table."""

from __future__ import annotations

from sqlmodel import Session, select

from cases.models import Holiday
from rules.calendar import HolidayCalendar, HolidayCorrection
from rules.reasons import Text


def load_calendar(db_session: Session) -> HolidayCalendar:
    rows = db_session.exec(select(Holiday))
    return HolidayCalendar(
        HolidayCorrection(
            day=row.day,
            name=Text(fr=row.name_fr, ar=row.name_ar) if row.name_fr or row.name_ar else None,
            is_holiday=row.is_holiday,
        )
        for row in rows
    )
