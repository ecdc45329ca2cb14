"""The instants each case carries (next due, at risk from) agree with its timers through
whole histories: the demo's cases of every type in every state, then weeks of the
scheduler firing and a holiday added; and the overdue and at-risk cases they give are
the ones the timers themselves give. A migration fills them in for existing cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import deadlines, demo, holidays, overdue, timers
from cases.clock import FixedClock
from cases.db import make_engine, unit_of_work
from cases.migrate import upgrade
from cases.models import NEVER, Case, Timer
from cases.settings import Settings
from tests.conftest import BACKENDS, _postgres_database
from workflows.spec import Actor

HQ = Actor("manager.hq", "manager", None)


def _from_timers(s: Session, now: datetime) -> tuple[set[int], set[int]]:
    """Overdue and at-risk open cases, read from the timer rows alone."""
    open_cases = {c.id: c for c in s.exec(select(Case).where(col(Case.closed_at).is_(None)))}
    rows = list(s.exec(select(Timer).where(col(Timer.case_id).in_(list(open_cases)))))
    late, risky = set(), set()
    for d in rows:
        if d.kind != "deadline" or d.status not in deadlines.OPEN:
            continue
        if d.due_at <= now:
            late.add(d.case_id)
        elif any(w.case_id == d.case_id and w.deadline_key == d.deadline_key and w.kind == "warning"
                 and w.started_at >= d.started_at and w.due_at <= now for w in rows):
            risky.add(d.case_id)
    return late, risky - late


def _from_cases(s: Session, now: datetime) -> tuple[set[int], set[int]]:
    late = set(s.exec(select(Case.id).where(deadlines.overdue(now))))
    risky = set(s.exec(select(Case.id).where(deadlines.at_risk(now))))
    return {i for i in late if i}, {i for i in risky if i}


def _agree(engine: Engine, now: datetime) -> tuple[int, int]:
    with Session(engine) as s:
        assert deadlines.stale(s) == []
        late, risky = _from_timers(s, now)
        assert _from_cases(s, now) == (late, risky)
        board = overdue.dashboard(db_session=s, actor=HQ, now=now)
        assert (board.overdue, board.at_risk) == (len(late), len(risky))
        assert sum(board.by_delegation.values()) == sum(board.ageing.values()) == len(late)
    return len(late), len(risky)


def test_the_instants_follow_the_timers_through_weeks_of_every_case_type(
    engine: Engine, settings: Settings, clock: FixedClock,
) -> None:
    clock_now = clock.now()
    demo.load(engine, settings=settings, cooperatives=200, progress=False, clock_now=clock_now,
              other_case_types=True)
    seen = [_agree(engine, clock_now)]
    now = clock_now
    for day in range(1, 29, 3):
        now = clock_now + timedelta(days=day)
        timers.tick(engine=engine, now=now, worker="test", settings=settings)
        if day == 10:  # a holiday declared later moves the business-day deadlines across it
            day_off = next(d for d in (now.date() + timedelta(days=k) for k in range(1, 8)) if d.weekday() < 5)
            with unit_of_work(engine) as s:
                moved = holidays.set_holiday(db_session=s, day=day_off, is_holiday=True,
                                             name_fr="Jour férié", name_ar="يوم عطلة", actor=HQ, now=now)
            assert moved, "the holiday moved no deadline: the test would not test the correction"
        seen.append(_agree(engine, now))
    assert all(late for late, _ in seen) and any(risky for _, risky in seen), seen


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        gen = _postgres_database()
        yield next(gen)
        gen.close()


def test_the_upgrade_fills_the_instants_of_existing_cases(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    upgrade(engine, "0007")
    t0 = datetime(2026, 3, 2, 9, 0)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO region (code, name_fr, name_ar) VALUES ('SM', 'Souss-Massa', 'سوس ماسة')"))
        conn.execute(text("INSERT INTO delegation (id, code, name_fr, name_ar, region_code, provinces) "
                          "VALUES (1, 'AGA', 'Agadir', 'أكادير', 'SM', '[]')"))
        for case_id, closed in ((1, None), (2, None), (3, t0)):
            conn.execute(text(
                "INSERT INTO \"case\" (id, reference, workflow_key, workflow_version, state, delegation_id, data, "
                "pin_hash, opened_at, updated_at, closed_at, version) VALUES (:id, :ref, 'name_approval', 1, "
                "'submitted', 1, '{}', 'x', :t, :t, :closed, 1)"), {"id": case_id, "ref": f"NA-2026-{case_id:06d}",
                                                                  "t": t0, "closed": closed})
        timer = ("INSERT INTO timer (case_id, deadline_key, kind, state, due_at, started_at, counting, days, basis, "
                 "action, explanation_fr, explanation_ar, status) VALUES (:case, :key, :kind, 'submitted', :due, "
                 ":start, 'full_days', 2, 'law:7', :action, '', '', :status)")
        rows = [  # case 1: two deadlines, the later one warned; case 2: breached; case 3: closed
            (1, "decision", "deadline", t0 + timedelta(days=5), t0, "escalate:manager", "pending"),
            (1, "decision", "warning", t0 + timedelta(days=2), t0, "warn:0.5", "fired"),
            (1, "review", "deadline", t0 + timedelta(days=3), t0, "escalate:manager", "pending"),
            (1, "old", "deadline", t0 + timedelta(days=1), t0 - timedelta(days=9), "escalate:manager", "cancelled"),
            (2, "decision", "deadline", t0 - timedelta(days=1), t0 - timedelta(days=3), "escalate:manager",
             "breached"),
            (3, "decision", "deadline", t0 + timedelta(days=1), t0, "escalate:manager", "closed"),
        ]
        for case_id, key, kind, due, start, action, status in rows:
            conn.execute(text(timer), {"case": case_id, "key": key, "kind": kind, "due": due, "start": start,
                                       "action": action, "status": status})
    upgrade(engine)
    with Session(engine) as s:
        got = {c.id: (c.next_due_at, c.at_risk_from) for c in s.exec(select(Case))}
        assert deadlines.stale(s) == []
    utc = [t.replace(tzinfo=NEVER.tzinfo) for t in (t0 + timedelta(days=3), t0 + timedelta(days=2),
                                                    t0 - timedelta(days=1))]
    assert got == {1: (utc[0], utc[1]), 2: (utc[2], NEVER), 3: (NEVER, NEVER)}
    engine.dispose()

