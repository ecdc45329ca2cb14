"""The persistent side of general-assembly supervision: the yearly opening of ordinary
assembly cases, the facts their guards need, sending an officer to attend, and what a step
changes beyond its own case (an assembly an audit demanded moves that audit on).

`cases.service` is imported inside the functions that use it: `service` imports the
projections and facts, which import this module, so a module-level import would make the
import order matter.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases.db import unit_of_work
from cases.models import Case, Cooperative, ReferenceCounter
from cases.settings import Settings
from rules import assemblies
from rules.calendar import local_day
from workflows.engine import ActionBlocked, Outcome
from workflows.general_assembly import DEMANDED_BY_AUDIT, KEY
from workflows.general_assembly import GENERAL_ASSEMBLY_SUPERVISION as WORKFLOW
from workflows.spec import SYSTEM, Actor

AUDIT_KEY = "audit"
# The states that end an assembly without it being held: the audit waiting for it moves on.
ENDED_UNHELD = frozenset({"not_held", "cancelled"})


# -- facts ---------------------------------------------------------------------------------------


def _previous_overdue(
    db_session: Session, case: Case | None, data: Mapping[str, Any], settings: Settings
) -> int:
    """How many earlier assemblies of this cooperative were not held in time: a second one
    is the repetition for which Art. 97 deems the board to have resigned."""
    del data, settings
    if case is None or case.cooperative_id is None:
        return 0
    earlier = db_session.exec(
        select(col(Case.data)).where(
            col(Case.workflow_key) == KEY,
            col(Case.cooperative_id) == case.cooperative_id,
            col(Case.id) != case.id,
            col(Case.opened_at) <= case.opened_at,
        )
    )
    return sum(1 for data in earlier if data.get("was_overdue"))


LOADERS: dict[str, Callable[[Session, Case | None, Mapping[str, Any], Settings], Any]] = {
    "previous_overdue": _previous_overdue,
}


# -- opening ------------------------------------------------------------------------------------


def open_assembly(
    db_session: Session,
    *,
    data: Mapping[str, Any],
    cooperative_id: int | None,
    delegation_id: int,
    actor: Actor,
    now: datetime,
    settings: Settings,
) -> Case:
    """Open the supervision of one assembly. A members' request that does not reach a third
    of the members is refused here with the law's reasons, before anything is written."""
    from cases import service

    members, requesters = data.get("members"), data.get("requesters")
    if data.get("origin") == "members_request" and isinstance(members, int) and members >= 1 \
            and isinstance(requesters, int) and requesters >= 0:
        refused = assemblies.forced_meeting_reasons(members=members, requesters=requesters)
        if refused:
            raise ActionBlocked("open", tuple(refused))
    opened = service.open_case(
        db_session=db_session, workflow_key=KEY, data=data, actor=actor, now=now,
        settings=settings, delegation_id=delegation_id, cooperative_id=cooperative_id,
    )
    return opened.case


def year_end(year: int, settings: Settings) -> date:
    """The financial year end of `year` under the office's setting; a day the month lacks
    (29 February) is the month's last day."""
    month = settings.financial_year_end_month
    return date(year, month, min(settings.financial_year_end_day, monthrange(year, month)[1]))


def last_year_end(today: date, settings: Settings) -> date:
    """The end of the last financial year that is over by `today` (on the last day itself,
    the year is not over yet)."""
    this_year = year_end(today.year, settings)
    return this_year if this_year < today else year_end(today.year - 1, settings)


def _has_case_for(year_end_on: date) -> Any:
    return exists(
        select(col(Case.id)).where(
            col(Case.workflow_key) == KEY,
            col(Case.cooperative_id) == col(Cooperative.id),
            col(Case.data)["financial_year_end"].as_string() == year_end_on.isoformat(),
        )
    )


def _reference_counter_exists(db_session: Session, *, year: int) -> None:
    """Create the year's reference counter before the batches, each process in its own
    transaction: `service.next_reference` inserts the year's first row when its update finds
    none, and two schedulers opening the first cases of a year at once would both insert."""
    insert = postgresql_insert if db_session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db_session.execute(
        insert(ReferenceCounter).values(prefix=WORKFLOW.prefix, year=year, last=0).on_conflict_do_nothing()
    )


def open_due(*, engine: Engine, now: datetime, settings: Settings) -> int:
    """Open the ordinary assembly case of every active cooperative whose financial year has
    ended and that has none for that year yet; returns how many were opened.

    Run daily by the scheduler, so it is idempotent: a cooperative is skipped once it has its
    case. Cooperatives go in batches, one transaction each, in the order of their ids. Several
    scheduler processes may run it at once: each batch locks its cooperatives' rows (on
    PostgreSQL `FOR UPDATE SKIP LOCKED`, so processes share out the batches; SQLite runs one
    writing transaction at a time) and checks again, under the lock and in a fresh statement,
    that no other process opened the case meanwhile.
    """
    ended = last_year_end(local_day(now), settings)
    with unit_of_work(engine) as s:
        _reference_counter_exists(s, year=now.year)
    opened = 0
    after = 0
    while True:
        with unit_of_work(engine) as s:
            batch = list(
                s.exec(
                    select(Cooperative)
                    .where(
                        col(Cooperative.status) == "active",
                        col(Cooperative.registered_on) <= ended,
                        col(Cooperative.id) > after,
                        ~_has_case_for(ended),
                    )
                    .order_by(col(Cooperative.id))
                    .limit(settings.assembly_opening_batch)
                    .with_for_update(skip_locked=True, of=Cooperative)
                )
            )
            if not batch:
                return opened
            after = max(c.id or 0 for c in batch)
            taken = set(
                s.exec(
                    select(col(Case.cooperative_id)).where(
                        col(Case.workflow_key) == KEY,
                        col(Case.cooperative_id).in_([c.id for c in batch]),
                        col(Case.data)["financial_year_end"].as_string() == ended.isoformat(),
                    )
                )
            )
            for coop in batch:
                if coop.id in taken:
                    continue
                open_assembly(
                    s, data={"kind": "ordinary", "origin": "year_end",
                             "financial_year_end": ended.isoformat()},
                    cooperative_id=coop.id, delegation_id=coop.delegation_id, actor=SYSTEM,
                    now=now, settings=settings,
                )
                opened += 1


# -- an officer sent to attend --------------------------------------------------------------------


def send_to_attend(
    db_session: Session, *, reference: str, officer: str, actor: Actor, now: datetime,
    settings: Settings,
) -> Case:
    """Assign the case to the officer who will attend the convened meeting, and tell them:
    the assignment is `cases.service.assign`, the message the definition's `send_to_attend`
    step, which goes to the assignee."""
    from cases import service

    case = service.assign(db_session=db_session, reference=reference, assignee=officer,
                          actor=actor, now=now)
    db_session.flush()
    return service.act(db_session=db_session, reference=reference, trigger="send_to_attend",
                       actor=actor, data=None, expected_version=case.version, now=now,
                       settings=settings)


# -- what a step changes beyond its case ---------------------------------------------------------


def _linked(case: Case, relation: str) -> list[str]:
    return [link["reference"] for link in case.data.get("links", []) if link.get("relation") == relation]


def project(db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings) -> None:
    """An extraordinary assembly demanded by an audit: once it is held, the audit starts its
    6 months of monitoring from the meeting day; once it ends without being held, the audit
    goes straight to the assessment of the measures. Acts on the audit as the system."""
    from cases import service

    if outcome.dest == "held":
        trigger, data = "assembly_held", {"assembly": case.reference, "held_on": case.data["meeting_on"]}
    elif outcome.dest in ENDED_UNHELD:
        trigger, data = "assembly_not_held", {"assembly": case.reference, "outcome": outcome.dest}
    else:
        return
    for reference in _linked(case, DEMANDED_BY_AUDIT):
        audit = db_session.exec(
            select(Case).where(col(Case.reference) == reference, col(Case.workflow_key) == AUDIT_KEY)
        ).first()
        if audit is None or audit.state != "awaiting_assembly":
            continue
        service.act(db_session=db_session, reference=reference, trigger=trigger, actor=SYSTEM,
                    data=data, expected_version=audit.version, now=now, settings=settings)
