"""The demo's registration filings and changes: every state has a case, played through the
service layer in the past, with what recording does to the register and the name cases."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import demo, demo_registration
from cases.clock import FixedClock
from cases.db import unit_of_work
from cases.models import Case, CaseEvent, Cooperative
from cases.settings import Settings
from rules.registration import parse_national_number
from workflows.registration import REGISTRATION, REGISTRATION_CHANGE


def test_every_registration_state_has_a_case(engine: Engine, settings: Settings, clock: FixedClock) -> None:
    now: datetime = clock.now()
    demo.load(engine, settings=settings, cooperatives=200, progress=False, clock_now=now)
    with unit_of_work(engine) as s:
        counts = demo_registration.play(s, now=now, settings=settings, rng=random.Random(7))
    expected = {f"{wf.key}.{st.name}" for wf in (REGISTRATION, REGISTRATION_CHANGE) for st in wf.states}
    assert set(counts) == expected
    assert all(counts[k] >= 1 for k in expected), counts

    with Session(engine) as s:
        filings = list(s.exec(select(Case).where(
            col(Case.workflow_key).in_(("registration", "registration_change")))))
        stored = Counter(f"{c.workflow_key}.{c.state}" for c in filings)
        assert dict(stored) == {k: v for k, v in counts.items() if v}
        # nothing happened after now, and every history starts with its opening
        events = list(s.exec(select(CaseEvent).where(col(CaseEvent.case_id).in_([c.id for c in filings]))))
        assert max(e.at for e in events) <= now
        # a recorded registration has its register entry, numbered in its year of recording,
        # and the certificate it used is closed
        for case in filings:
            if case.workflow_key == "registration" and case.state == "recorded":
                coop = s.get(Cooperative, case.cooperative_id)
                assert coop is not None and coop.name_ar == case.data["name_ar"]
                number = parse_national_number(coop.national_number)
                assert number.year == case.closed_at.astimezone(now.tzinfo).year  # type: ignore[union-attr]
                certificate = s.exec(select(Case).where(
                    col(Case.reference) == case.data["certificate_reference"])).one()
                assert certificate.state == "used"
        dissolved = [c for c in filings if c.state == "recorded" and c.data.get("kind") == "dissolution"]
        assert dissolved and all(s.get(Cooperative, c.cooperative_id).status == "dissolved"  # type: ignore[union-attr]
                                 for c in dissolved)
        late = [c for c in filings if c.data.get("late_transmission") or c.data.get("late_filing")]
        assert {c.workflow_key for c in late} == {"registration", "registration_change"}
