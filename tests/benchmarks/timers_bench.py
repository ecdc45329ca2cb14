"""Timers at scale: the cost of a tick when nothing is due, on 1,000 and on 1,000,000
pending timers (it must not grow with the pending count), and the claim-and-fire rate of
10,000 due timers among the million."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from cases import reference_data, service, timers, users
from cases.db import unit_of_work
from cases.models import Timer
from cases.settings import Settings
from tests.benchmarks.harness import Spread

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = 10_000
CHUNK = 50_000


def _case(engine: Engine, settings: Settings) -> int:
    with unit_of_work(engine) as s:
        reference_data.load(s)
        user = users.create(db_session=s, username="bench", password="bench-password", role="officer",
                            full_name="bench", delegation_code="AGA")
        opened = service.open_case(
            db_session=s, workflow_key="name_approval", actor=users.actor_of(user), now=NOW,
            settings=settings,
            data={"names": ["Coopérative Bench"], "founders": list("ABCDE"), "sector": "agriculture",
                  "purpose": "argan", "province": "Tiznit", "applicant": {"full_name": "Fatima"}},
        )
        assert opened.case.id is not None
        return opened.case.id


def _timers(engine: Engine, case_id: int, count: int, *, due: bool, offset: int) -> None:
    with engine.begin() as conn:
        for start in range(0, count, CHUNK):
            conn.execute(insert(Timer), [
                {"case_id": case_id, "deadline_key": f"b{offset + i}", "kind": "reminder",
                 "state": "submitted",
                 "due_at": NOW - timedelta(minutes=1) if due else NOW + timedelta(days=1 + (offset + i) % 365),
                 "started_at": NOW, "counting": "full_days", "days": 1, "basis": "law:7",
                 "action": "remind:nobody:none", "explanation_fr": "b", "explanation_ar": "b",
                 "status": "pending"}
                for i in range(start, min(count, start + CHUNK))
            ])


def _empty_tick(engine: Engine, settings: Settings, repeats: int) -> Spread:
    if engine.dialect.name == "postgresql":
        # statistics as autovacuum would have them after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE timer")
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        report = timers.tick(engine=engine, now=NOW, worker="bench", settings=settings)
        samples.append(time.perf_counter() - start)
        assert report.claimed == 0
    return Spread.of(samples)


def run(engine: Engine, settings: Settings, *, pending: int, repeats: int = 30) -> dict[str, object]:
    case_id = _case(engine, settings)
    with unit_of_work(engine) as s:
        s.execute(Timer.__table__.delete())  # type: ignore[attr-defined]
    _timers(engine, case_id, 1_000, due=False, offset=0)
    small = _empty_tick(engine, settings, repeats)
    _timers(engine, case_id, pending - 1_000, due=False, offset=1_000)
    large = _empty_tick(engine, settings, repeats)
    _timers(engine, case_id, DUE, due=True, offset=pending)
    start = time.perf_counter()
    report = timers.tick(engine=engine, now=NOW, worker="bench", settings=settings)
    elapsed = time.perf_counter() - start
    assert report.fired == DUE, report
    return {"small": small, "large": large, "rate": DUE / elapsed, "elapsed": elapsed,
            "ratio": statistics.median([large.median / small.median])}
