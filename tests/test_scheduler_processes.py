"""Two scheduler processes on one database fire each of 10,000 due timers exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from cases.models import Case, CaseEvent, Outbox, Timer
from cases.settings import Settings
from tests.test_name_approval import T0, open_, request

TIMERS = 10_000
ROOT = Path(__file__).resolve().parents[1]


def test_two_processes_fire_ten_thousand_timers_once(engine: Engine, settings: Settings) -> None:
    refs = [open_(engine, settings, request(f"Coopérative Tiwizi {i} Azilal"), T0) for i in range(50)]
    with Session(engine) as s:
        s.exec(select(Timer)).all()
        case_ids = list(s.exec(select(Case.id).where(col(Case.reference).in_(refs))))
        # the cases' own timers are not part of this drill
        s.execute(Timer.__table__.delete())  # type: ignore[attr-defined]
        rows = [
            {"case_id": case_ids[i % len(case_ids)], "deadline_key": f"drill{i}", "kind": "reminder",
             "state": "submitted", "due_at": T0 + timedelta(minutes=i % 600), "started_at": T0,
             "counting": "full_days", "days": 1, "basis": "law:7",
             "action": "remind:applicant:certificate_expiring", "explanation_fr": "exercice",
             "explanation_ar": "تمرين", "status": "pending"}
            for i in range(TIMERS)
        ]
        s.execute(insert(Timer), rows)
        s.commit()

    env = {**os.environ, "COOPFLOW_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "COOPFLOW_SECRET_KEY": settings.secret_key.get_secret_value()}
    at = (T0 + timedelta(days=1)).isoformat()
    workers = [
        subprocess.Popen([sys.executable, "-m", "api.cli", "tick", "--at", at, "--worker", f"p{n}"],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(2)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    with Session(engine) as s:
        by_status = dict(s.exec(select(Timer.status, func.count()).group_by(col(Timer.status))).all())  # type: ignore[call-overload]
        reminders = s.exec(select(func.count()).select_from(CaseEvent).where(col(CaseEvent.kind) == "remind")).one()
        messages = s.exec(select(func.count()).select_from(Outbox)).one()
        fired_by = dict(s.exec(select(Timer.claimed_by, func.count()).group_by(col(Timer.claimed_by))).all())  # type: ignore[call-overload]
    assert by_status == {"fired": TIMERS}
    assert reminders == TIMERS
    assert messages == TIMERS + len(refs)  # one email each, after the 50 receipts
    assert sum(fired_by.values()) == TIMERS and set(fired_by) <= {"p0", "p1"}
