"""Office service levels pause while the case waits for the cooperative and resume with
the business days that were left; the law's periods never pause."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases.models import Case, Timer
from cases.settings import Settings
from rules.reasons import internal, law, tr
from tests.conftest import local
from tests.test_name_approval import act, actor
from workflows.registry import REGISTRY
from workflows.spec import (
    BUSINESS_DAYS,
    FULL_DAYS,
    Deadline,
    State,
    Workflow,
    escalate_to,
    transition,
)

EVENT = tr(fr="la demande", ar="الطلب")

# A small case type with an office service level (3 business days to review) that pauses
# while documents are awaited, beside a law period (10 full days) that does not.
REVIEW = Workflow(
    key="test_review", version=1, title=tr(fr="Revue", ar="مراجعة"), prefix="TR", initial="review",
    states=(
        State("review", tr(fr="En revue", ar="قيد المراجعة"), deadlines=(
            Deadline("office_review", 3, BUSINESS_DAYS, internal("review_days"), escalate_to("managers"),
                     event=EVENT, runs_through=("waiting",)),
            Deadline("legal_period", 10, FULL_DAYS, law(12), escalate_to("managers"),
                     event=EVENT, runs_through=("waiting",)),
        )),
        State("waiting", tr(fr="Pièces attendues", ar="في انتظار الوثائق"), pauses_clock=True),
        State("done", tr(fr="Terminé", ar="منتهي"), final=True),
    ),
    transitions=(
        transition("ask", source="review", dest="waiting", title=tr(fr="Demander", ar="طلب"), roles={"officer"}),
        transition("answer", source="waiting", dest="review", title=tr(fr="Reçu", ar="استلام"), roles={"officer"}),
        transition("finish", source="review", dest="done", title=tr(fr="Finir", ar="إنهاء"), roles={"officer"}),
        transition("give_up", source="waiting", dest="done", title=tr(fr="Abandon", ar="تخل"), roles={"officer"}),
    ),
)
REGISTRY.add(REVIEW)


def due(engine: Engine, reference: str) -> dict[str, tuple[str, object]]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        rows = s.exec(select(Timer).where(col(Timer.case_id) == case.id, col(Timer.kind) == "deadline"))
        return {t.deadline_key: (t.status, t.due_at) for t in rows}


def test_waiting_for_documents_pauses_the_office_clock_only(engine: Engine, settings: Settings) -> None:
    from cases import service
    from cases.db import unit_of_work

    monday = local(2026, 3, 2, 10, 0)
    with unit_of_work(engine) as s:
        ref = service.open_case(db_session=s, workflow_key="test_review", data={},
                                actor=actor(engine, "officer.agadir"), now=monday, settings=settings).case.reference
    assert due(engine, ref)["office_review"] == ("pending", local(2026, 3, 6, 0, 0))  # Tue, Wed, Thu

    # Tuesday: documents are missing; one business day (Tuesday) was used, Wednesday and Thursday are left
    act(engine, settings, ref, "ask", local(2026, 3, 3, 15, 0))
    assert due(engine, ref)["office_review"][0] == "paused"
    assert due(engine, ref)["legal_period"][0] == "pending"

    # the answer arrives the next Monday: two business days left, Tuesday 10 and Wednesday 11
    case = act(engine, settings, ref, "answer", local(2026, 3, 9, 11, 0))
    assert due(engine, ref)["office_review"] == ("pending", local(2026, 3, 12, 0, 0))
    assert due(engine, ref)["legal_period"] == ("pending", local(2026, 3, 13, 0, 0))
    assert case.data["due"]["office_review"] == local(2026, 3, 12, 0, 0).isoformat()

    with Session(engine) as s:
        from cases.models import CaseEvent

        answered = s.exec(select(CaseEvent).where(col(CaseEvent.trigger) == "answer")).one()
    assert answered.data["resumed"][0]["business_days_left"] == 2


def test_a_clock_paused_when_the_case_ends_was_met_when_it_paused(engine: Engine, settings: Settings) -> None:
    """The office handed the case to the cooperative in time; the cooperative then took
    weeks and gave up. The office's deadline ended, met, when its clock stopped."""
    from cases import service, stats
    from cases.db import unit_of_work
    from workflows.spec import Actor

    with unit_of_work(engine) as s:
        ref = service.open_case(db_session=s, workflow_key="test_review", data={},
                                actor=actor(engine, "officer.agadir"), now=local(2026, 3, 2, 10, 0),
                                settings=settings).case.reference
    paused_at = local(2026, 3, 3, 15, 0)
    act(engine, settings, ref, "ask", paused_at)
    act(engine, settings, ref, "give_up", local(2026, 3, 24, 11, 0))  # long after Friday the 6th
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == ref)).one()
        review = s.exec(select(Timer).where(col(Timer.case_id) == case.id,
                                            col(Timer.deadline_key) == "office_review")).one()
        assert (review.status, review.fired_at) == ("cancelled", paused_at)
        report = stats.compliance(db_session=s, actor=Actor("manager.hq", "manager", None),
                                  now=local(2026, 3, 31, 12, 0))
    tallies = {k: (t.due, t.met) for row in report.rows if row.workflow == "test_review"
               for k, t in row.by_deadline.items()}
    assert tallies["office_review"] == (1, 1)


REVIEW_V2 = Workflow(
    key="test_review", version=2, title=REVIEW.title, prefix="TR", initial="triage",
    states=(
        State("triage", tr(fr="Tri", ar="فرز")),
        *REVIEW.states,
    ),
    transitions=(
        transition("accept", source="triage", dest="review", title=tr(fr="Accepter", ar="قبول"), roles={"officer"}),
        *REVIEW.transitions,
    ),
)


def test_a_new_version_starts_new_cases_and_migrates_old_ones_on_request(engine: Engine, settings: Settings) -> None:
    from cases import service, versions
    from cases.db import unit_of_work
    from cases.errors import Invalid
    from workflows.spec import SYSTEM

    monday = local(2026, 3, 2, 10, 0)
    with unit_of_work(engine) as s:
        old = service.open_case(db_session=s, workflow_key="test_review", data={},
                                actor=actor(engine, "officer.agadir"), now=monday, settings=settings).case
    REGISTRY.add(REVIEW_V2)
    try:
        with unit_of_work(engine) as s:
            new = service.open_case(db_session=s, workflow_key="test_review", data={},
                                    actor=actor(engine, "officer.agadir"), now=monday, settings=settings).case
        assert (old.workflow_version, new.workflow_version, new.state) == (1, 2, "triage")

        with unit_of_work(engine) as s, pytest.raises(Invalid):
            versions.migrate(db_session=s, key="test_review", from_version=1, to_version=2,
                             mapping={"review": "nowhere"}, actor=SYSTEM, now=monday, settings=settings, dry_run=True)
        with unit_of_work(engine) as s:
            rehearsal = versions.migrate(db_session=s, key="test_review", from_version=1, to_version=2,
                                         mapping={}, actor=SYSTEM, now=monday, settings=settings, dry_run=True)
        assert rehearsal.references == [old.reference] and rehearsal.moves == {("review", "review"): 1}
        with Session(engine) as s:
            assert s.exec(select(Case.workflow_version).where(col(Case.id) == old.id)).one() == 1

        with unit_of_work(engine) as s:
            versions.migrate(db_session=s, key="test_review", from_version=1, to_version=2,
                             mapping={}, actor=SYSTEM, now=monday, settings=settings, dry_run=False)
        with Session(engine) as s:
            from cases.models import CaseEvent

            assert s.exec(select(Case.workflow_version).where(col(Case.id) == old.id)).one() == 2
            moved = s.exec(select(CaseEvent).where(col(CaseEvent.case_id) == old.id,
                                                   col(CaseEvent.kind) == "migrated")).one()
        assert moved.data == {"from_version": 1, "to_version": 2}
        assert due(engine, old.reference)["office_review"] == ("pending", local(2026, 3, 6, 0, 0))
    finally:
        REGISTRY.discard("test_review", 2)
