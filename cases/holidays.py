"""The office's corrections to the public holidays, and the deadlines they move.

Islamic holidays are confirmed by moon sighting, so the office adds or corrects dates as
they are announced; every open business-day deadline that a correction moves is recomputed
in the same transaction, and the case's history says so.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from cases import access, deadlines, service
from cases.calendar import load_calendar
from cases.models import Case, Holiday, Timer
from rules.calendar import Counting, business_days_deadline, explain, local_day
from rules.reasons import Text
from workflows.spec import Actor


def get_all(*, db_session: Session) -> list[Holiday]:
    return list(db_session.exec(select(Holiday).order_by(col(Holiday.day))))


def set_holiday(
    *,
    db_session: Session,
    day: date,
    is_holiday: bool,
    name_fr: str,
    name_ar: str,
    actor: Actor,
    now: datetime,
    note: str | None = None,
) -> list[str]:
    """Declare `day` a holiday (or not); returns the references whose deadlines moved."""
    access.require(actor, "holidays_set")
    row = db_session.get(Holiday, day) or Holiday(day=day)
    row.is_holiday, row.name_fr, row.name_ar, row.note = is_holiday, name_fr, name_ar, note
    db_session.add(row)
    db_session.flush()
    return recompute(db_session=db_session, around=day, actor=actor, now=now,
                     why=Text(fr=f"{name_fr} ({day.isoformat()})", ar=f"{name_ar} ({day.isoformat()})"))


def recompute(*, db_session: Session, around: date, actor: Actor, now: datetime, why: Text) -> list[str]:
    """Recompute the open business-day deadlines whose period spans `around`."""
    calendar = load_calendar(db_session)
    moved: list[str] = []
    touched: set[int] = set()
    running = db_session.exec(
        select(Timer).where(
            col(Timer.status) == "pending", col(Timer.kind) == "deadline",
            col(Timer.counting) == Counting.BUSINESS_DAYS.value, col(Timer.days).is_not(None),
        )
    )
    for timer in running:
        assert timer.days is not None
        if local_day(timer.started_at) > around:
            continue  # a holiday before the period began cannot move it
        new_due = business_days_deadline(timer.started_at, timer.days, calendar)
        if new_due == timer.due_at:
            continue
        case = db_session.get(Case, timer.case_id)
        assert case is not None
        _, definition = service.compiled(case).workflow.deadline(timer.deadline_key)
        old_due = timer.due_at
        deadlines.move(db_session, timer, new_due, explanation=explain(
            timer.started_at, timer.days, Counting.BUSINESS_DAYS, definition.basis, new_due,
            event=definition.event,
        ))
        case.data = {**case.data, "due": {**case.data.get("due", {}), timer.deadline_key: new_due.isoformat()}}
        case.updated_at = now
        db_session.add(case)
        service.record_event(db_session, case, actor, now, kind="deadline_moved", data={
            "key": timer.deadline_key, "from": old_due.isoformat(), "to": new_due.isoformat(),
            "because": why.as_dict(),
        })
        moved.append(case.reference)
        touched.add(timer.case_id)
    deadlines.refresh_many(db_session, touched)
    return moved
