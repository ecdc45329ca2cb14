"""The assembly and audit demo: every state of both case types has a case, played through
the service layer on the demo register, and the links between audits and assemblies hold."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import demo, demo_assemblies
from cases.clock import FixedClock
from cases.db import unit_of_work
from cases.models import Case, Timer
from cases.settings import Settings
from tests.conftest import local
from workflows.audit import AUDIT
from workflows.general_assembly import GENERAL_ASSEMBLY_SUPERVISION


def _play(engine: Engine, settings: Settings, now: datetime) -> dict[str, int]:
    demo.load(engine, settings=settings, cooperatives=200, progress=False, clock_now=now)
    with unit_of_work(engine) as session:
        return demo_assemblies.play(session, now=now, settings=settings, rng=random.Random(5))


def test_every_assembly_and_audit_state_has_a_case(engine: Engine, settings: Settings, clock: FixedClock) -> None:
    counts = _play(engine, settings, clock.now())
    expected = {f"{wf.key}:{s.name}" for wf in (GENERAL_ASSEMBLY_SUPERVISION, AUDIT) for s in wf.states}
    assert set(counts) == expected, expected - set(counts)
    with Session(engine) as s:
        stored = Counter(f"{c.workflow_key}:{c.state}" for c in s.exec(
            select(Case).where(col(Case.workflow_key).in_(("general_assembly", "audit")))))
        assert dict(stored) == counts
        # every audit that demanded an assembly names it, and the assembly names the audit back
        for audit in s.exec(select(Case).where(col(Case.workflow_key) == "audit")):
            for link in audit.data.get("links", []):
                assembly = s.exec(select(Case).where(col(Case.reference) == link["reference"])).one()
                assert {"reference": audit.reference, "relation": "demanded_by_audit"} in assembly.data["links"]
        # nothing the demo left running is already due, but the escalations the scheduler owes
        due = s.exec(select(Timer).where(col(Timer.status) == "pending", col(Timer.kind) == "deadline",
                                         col(Timer.due_at) <= clock.now())).all()
        assert {t.action for t in due} <= {"escalate:managers"}


def test_the_demo_holds_later_in_the_year(engine: Engine, settings: Settings) -> None:
    """In October the year's ordinary assemblies are past their last day: overdue, not open."""
    counts = _play(engine, settings, local(2026, 10, 15, 10, 0))
    assert counts["general_assembly:overdue"] >= 5
    assert counts["general_assembly:open"] >= 1  # a members' request of last week
