"""The managers' views at scale: the overdue dashboard, `GET /api/v1/cases?overdue=true`
(its service function, first page), service-level compliance and the officers' workload,
on a database of `COOPFLOW_BENCH_CASES` cases (default 1,000,000) next to the same calls on
10,000 cases built the same way, measured alternately in one run.

The cases and their timers are bulk-inserted with Core `insert` in chunks, spread over four
years and 13 delegations (65 officers), ids in the order of opening, most of them closed
long ago, as an office's store fills up: about 80% closed (each with its decision deadline,
85% met, and a warning), about 20% open (most of the last six months' cases, a tail of
older ones; a deadline and two warnings each): of the open ones 15% overdue (breached 0 to
40 days ago), 15% at risk (past a warning, due within a day) and 70% on time.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import deadlines, overdue, reference_data, stats, worklists
from cases.db import unit_of_work
from cases.models import NEVER, Case, Timer, User
from tests.benchmarks.harness import percentile
from workflows.spec import Actor

CASES = int(os.environ.get("COOPFLOW_BENCH_CASES", "1000000"))
SMALL = 10_000
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
YEARS = 4
OFFICERS_PER_DELEGATION = 5
OVERDUE_SHARE, AT_RISK_SHARE = 0.15, 0.15
# about 20% open: 90% of the last six months' cases, 8.5% of the older ones
RECENT, RECENT_OPEN, OLD_OPEN = timedelta(days=182), 0.90, 0.085
CHUNK = 20_000
REPEATS = int(os.environ.get("COOPFLOW_BENCH_DASHBOARD_REPEATS", "15"))
BUDGET_SECONDS = float(os.environ.get("COOPFLOW_BENCH_DASHBOARD_BUDGET", "20"))
WORKFLOWS = ["name_approval"] * 5 + ["registration"] * 2 + ["dispute", "audit", "accompaniment"]


@dataclass(frozen=True)
class Figures:
    p50: float
    p95: float
    samples: int


@dataclass(frozen=True)
class Call:
    name: str
    run: Callable[[Session, Actor], object]
    who: str  # "hq" or "delegation"


CALLS = [
    Call("overdue dashboard, headquarters",
         lambda s, a: overdue.dashboard(db_session=s, actor=a, now=NOW), "hq"),
    Call("overdue dashboard, one delegation",
         lambda s, a: overdue.dashboard(db_session=s, actor=a, now=NOW), "delegation"),
    Call("cases?overdue=true, first page, headquarters",
         lambda s, a: worklists.list_cases(db_session=s, actor=a, now=NOW,
                                           filters=worklists.CaseFilters(overdue=True), limit=50), "hq"),
    Call("cases?overdue=true, first page, one delegation",
         lambda s, a: worklists.list_cases(db_session=s, actor=a, now=NOW,
                                           filters=worklists.CaseFilters(overdue=True), limit=50), "delegation"),
    Call("cases, first page (soonest due first), headquarters",
         lambda s, a: worklists.list_cases(db_session=s, actor=a, now=NOW,
                                           filters=worklists.CaseFilters(), limit=50), "hq"),
    Call("cases, first page (soonest due first), one delegation",
         lambda s, a: worklists.list_cases(db_session=s, actor=a, now=NOW,
                                           filters=worklists.CaseFilters(), limit=50), "delegation"),
    Call("cases?at_risk=true, first page, headquarters",
         lambda s, a: worklists.list_cases(db_session=s, actor=a, now=NOW,
                                           filters=worklists.CaseFilters(at_risk=True), limit=50), "hq"),
    Call("compliance, 6 months, headquarters",
         lambda s, a: stats.compliance(db_session=s, actor=a, now=NOW), "hq"),
    Call("compliance, 6 months, one delegation",
         lambda s, a: stats.compliance(db_session=s, actor=a, now=NOW), "delegation"),
    Call("compliance, 36 months (the longest), headquarters",
         lambda s, a: stats.compliance(db_session=s, actor=a, now=NOW, start=date(2023, 7, 1)), "hq"),
    Call("workload, headquarters", lambda s, a: stats.workload(db_session=s, actor=a, now=NOW), "hq"),
    Call("workload, one delegation", lambda s, a: stats.workload(db_session=s, actor=a, now=NOW), "delegation"),
]


def _users(engine: Engine) -> tuple[dict[int, list[int]], dict[str, Actor]]:
    """Officers per delegation id, and the two managers who ask."""
    with unit_of_work(engine) as s:
        ids = reference_data.load(s)
        officers: dict[int, list[int]] = {}
        for code, delegation_id in sorted(ids.items()):
            for k in range(OFFICERS_PER_DELEGATION):
                user = User(username=f"officer.{code.lower()}{k}", full_name=f"Officer {code} {k}",
                            password_hash="-", role="officer", delegation_id=delegation_id)
                s.add(user)
                s.flush()
                assert user.id is not None
                officers.setdefault(delegation_id, []).append(user.id)
        first = min(ids.values())
        hq = User(username="manager.hq", full_name="HQ", password_hash="-", role="manager")
        local = User(username="manager.one", full_name="One", password_hash="-", role="manager", delegation_id=first)
        s.add_all([hq, local])
        s.flush()
        actors = {"hq": Actor("manager.hq", "manager", None, hq.id),
                  "delegation": Actor("manager.one", "manager", first, local.id)}
    return officers, actors


def _timer(case_id: int, key: str, kind: str, due: datetime, start: datetime, status: str,
           fired: datetime | None, action: str) -> dict[str, Any]:
    return {"case_id": case_id, "deadline_key": key, "kind": kind, "state": "submitted", "due_at": due,
            "started_at": start, "counting": "full_days", "days": 2, "basis": "law:7", "action": action,
            "explanation_fr": "2 jours francs à compter de la demande (loi 112-12, art. 7)",
            "explanation_ar": "يومان كاملان ابتداء من الطلب (القانون 112.12، المادة 7)",
            "status": status, "fired_at": fired}


def _rows(n: int, officers: dict[int, list[int]], rng: random.Random,
          first_id: int) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    delegations = sorted(officers)
    span = timedelta(days=365 * YEARS)
    for start in range(0, n, CHUNK):
        cases: list[dict[str, Any]] = []
        timers: list[dict[str, Any]] = []
        for i in range(start, min(n, start + CHUNK)):
            case_id = first_id + i
            delegation = delegations[i % len(delegations)]
            # ids follow the opening instant, as they do in the office's store; most open
            # cases are recent, a long tail is not (disputes, audits, programmes)
            opened = NOW - span + span * ((i + rng.random()) / n)
            is_open = rng.random() < (RECENT_OPEN if NOW - opened < RECENT else OLD_OPEN)
            assignee = rng.choice(officers[delegation]) if rng.random() < 0.9 else None
            closed = None
            esc = "escalate:managers"
            next_due = at_risk_from = NEVER  # as cases/deadlines.py keeps them
            if not is_open:
                due = opened + timedelta(days=2)
                met = rng.random() < 0.85
                closed = opened + timedelta(days=1 if met else 3)
                timers.append(_timer(case_id, "decision", "deadline", due, opened,
                                     "cancelled" if met else "closed", closed if met else due, esc))
                timers.append(_timer(case_id, "decision", "warning", opened + timedelta(days=1), opened,
                                     "fired", opened + timedelta(days=1), "warn:0.5"))
            else:
                roll = rng.random()
                if roll < OVERDUE_SHARE:
                    due = NOW - timedelta(days=40 * rng.random())
                    status, fired = "breached", due
                elif roll < OVERDUE_SHARE + AT_RISK_SHARE:
                    due = NOW + timedelta(hours=24 * rng.random())
                    status, fired = "pending", None
                else:
                    due = NOW + timedelta(days=2 + 28 * rng.random())
                    status, fired = "pending", None
                begin = due - timedelta(days=4)
                timers.append(_timer(case_id, "decision", "deadline", due, begin, status, fired, esc))
                next_due, at_risk_from = due, begin + (due - begin) * 0.5
                for fraction in (0.5, 0.75):
                    at = begin + (due - begin) * fraction
                    passed = at <= NOW
                    timers.append(_timer(case_id, "decision", "warning", at, begin,
                                         "fired" if passed else "pending", at if passed else None,
                                         f"warn:{fraction:g}"))
            cases.append({
                "id": case_id, "reference": f"BN-{case_id:09d}", "workflow_key": WORKFLOWS[i % len(WORKFLOWS)],
                "workflow_version": 1, "state": "submitted" if is_open else "refused",
                "delegation_id": delegation, "assignee_id": assignee, "data": {}, "pin_hash": "-",
                "opened_at": opened, "updated_at": closed or opened, "closed_at": closed, "version": 1,
                "next_due_at": next_due, "at_risk_from": at_risk_from,
            })
        yield cases, timers


def build(engine: Engine, n: int, seed: int = 5) -> dict[str, Actor]:
    """Fill a migrated, empty database with `n` cases; returns the managers who ask."""
    officers, actors = _users(engine)
    rng = random.Random(seed)
    with engine.begin() as conn:
        for cases, timers in _rows(n, officers, rng, first_id=1):
            conn.execute(insert(Case), cases)
            conn.execute(insert(Timer), timers)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
    return actors


def _time(engine: Engine, call: Call, actor: Actor) -> float:
    with Session(engine) as s:
        start = time.perf_counter()
        call.run(s, actor)
        return time.perf_counter() - start


def measure(small: tuple[Engine, dict[str, Actor]], large: tuple[Engine, dict[str, Actor]]
            ) -> list[tuple[str, Figures, Figures]]:
    """Each call on the small and the large database in turn, until `REPEATS` samples or
    the time budget per call is spent (at least 3 samples)."""
    out = []
    for call in CALLS:
        for engine, actors in (small, large):  # warm caches and prepared plans
            _time(engine, call, actors[call.who])
        a: list[float] = []
        b: list[float] = []
        began = time.perf_counter()
        while len(b) < REPEATS and (len(b) < 3 or time.perf_counter() - began < BUDGET_SECONDS):
            a.append(_time(small[0], call, small[1][call.who]))
            b.append(_time(large[0], call, large[1][call.who]))
        out.append((call.name, _figures(a), _figures(b)))
    return out


def _figures(samples: list[float]) -> Figures:
    return Figures(percentile(samples, 50), percentile(samples, 95), len(samples))


def sanity(engine: Engine, actors: dict[str, Actor]) -> dict[str, int]:
    """What the large database holds, for the report."""
    with Session(engine) as s:
        board = overdue.dashboard(db_session=s, actor=actors["hq"], now=NOW)
        cases = s.exec(select(col(Case.id)).order_by(col(Case.id).desc()).limit(1)).one()
        timers = s.exec(select(col(Timer.id)).order_by(col(Timer.id).desc()).limit(1)).one()
        report = stats.compliance(db_session=s, actor=actors["hq"], now=NOW)
    return {"cases": cases or 0, "timers": timers or 0, "overdue": board.overdue, "at_risk": board.at_risk,
            "compliance_due": report.total.due}


def run(small_engine: Engine, large_engine: Engine) -> dict[str, Any]:
    began = time.perf_counter()
    small = (small_engine, build(small_engine, SMALL))
    with Session(small_engine) as s:  # the rows above keep the cases' instants as the service does
        assert deadlines.stale(s) == [], "the benchmark's cases disagree with their timers"
    large = (large_engine, build(large_engine, CASES))
    built = time.perf_counter() - began
    began = time.perf_counter()
    rows = measure(small, large)
    return {"rows": rows, "build_seconds": built, "measure_seconds": time.perf_counter() - began,
            "large": sanity(*large), "small": sanity(*small), "today": date(2026, 6, 15)}
