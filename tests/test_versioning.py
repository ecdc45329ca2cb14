"""One step, one version: whatever a step does on its way (timers, projections that edit
the case, links to other cases), the version the officer sends back next is the one they
read plus one; and a writer holding an older version is still refused."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from cases import demo, service
from cases.clock import FixedClock
from cases.settings import Settings


def test_every_step_of_every_case_type_adds_exactly_one_to_the_version(
    engine: Engine, settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = service.act
    steps: Counter[tuple[str, str, int]] = Counter()

    def counted(**kwargs: Any) -> Any:
        case = real(**kwargs)
        steps[(case.workflow_key, kwargs["trigger"], case.version - kwargs["expected_version"])] += 1
        return case

    monkeypatch.setattr(service, "act", counted)
    demo.load(engine, settings=settings, cooperatives=200, progress=False, clock_now=clock.now(),
              other_case_types=True)
    kinds = {workflow for workflow, _, _ in steps}
    assert {"accompaniment", "audit", "dispute", "registration", "name_approval", "general_assembly"} <= kinds
    assert {k: n for k, n in steps.items() if k[2] != 1} == {}
