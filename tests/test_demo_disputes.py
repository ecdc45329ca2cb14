"""The demo's disputes and accompaniment programmes: a case in every state of both, told by
histories whose steps are in the past and in order, on top of the demo register."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import demo, demo_disputes
from cases.clock import FixedClock
from cases.db import unit_of_work
from cases.models import Case, CaseEvent
from cases.settings import Settings
from workflows.accompaniment import ACCOMPANIMENT
from workflows.dispute import DISPUTE


def test_every_dispute_and_programme_state_has_a_case(engine: Engine, settings: Settings, clock: FixedClock) -> None:
    now = clock.now()
    demo.load(engine, settings=settings, cooperatives=200, progress=False, clock_now=now)
    with unit_of_work(engine) as session:
        counts = demo_disputes.play(session, now=now, settings=settings, rng=random.Random(5))

    expected = {f"{wf.key}.{s.name}" for wf in (DISPUTE, ACCOMPANIMENT) for s in wf.states}
    assert set(counts) == expected
    with Session(engine) as s:
        cases = list(s.exec(select(Case).where(col(Case.workflow_key).in_((DISPUTE.key, ACCOMPANIMENT.key)))))
        assert sum(counts.values()) == len(cases)
        for case in cases:
            events = list(s.exec(select(CaseEvent).where(col(CaseEvent.case_id) == case.id)
                                 .order_by(col(CaseEvent.seq))))
            moments: list[datetime] = [e.at for e in events]
            assert moments == sorted(moments) and moments[-1] <= now, case.reference
            assert events[0].kind == "opened" and case.opened_at == moments[0]
        # references follow the order the cases were opened in
        for key in (DISPUTE.key, ACCOMPANIMENT.key):
            mine = sorted((c for c in cases if c.workflow_key == key), key=lambda c: c.reference)
            assert [c.opened_at for c in mine] == sorted(c.opened_at for c in mine)
        # sessions ahead are convened, sessions past are held or waiting for their minutes
        scheduled = [c for c in cases if c.state == "session_scheduled"]
        assert all(datetime.fromisoformat(c.data["session_at"]) > now for c in scheduled)
