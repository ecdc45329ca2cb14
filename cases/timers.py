"""Time that passes, durably: claim the timers that fell due and fire each exactly once.

Timers are rows (see `models.Timer`), never scheduler jobs. A worker claims a batch with a
lease, then fires each claimed timer in its own transaction, which re-checks that the row
is still pending and still its own: the effects of a firing (a transition, a history
event, notifications) and the mark that it fired are committed together, so a firing is
recorded once whatever crashes. A worker that dies after claiming only delays its timers
until the lease ends, when another worker claims them.

The claim is one transaction that selects due rows and stamps them: on PostgreSQL the
select takes row locks with `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint
batches without waiting; SQLite ignores that clause, but every transaction there starts
with BEGIN IMMEDIATE (see `db.make_engine`), which serialises claims instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import literal_column, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import deadlines, outbox, service
from cases.db import unit_of_work
from cases.models import Case, Timer
from cases.settings import Settings
from workflows.engine import ActionBlocked
from workflows.spec import SYSTEM, Notify

OPEN = ("pending", "breached")


@dataclass(frozen=True)
class TickReport:
    claimed: int = 0
    fired: int = 0
    collapsed: int = 0
    blocked: int = 0
    skipped: int = 0

    def __add__(self, other: TickReport) -> TickReport:
        return TickReport(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.claimed, self.fired, self.collapsed, self.blocked, self.skipped)


def claim_due(*, engine: Engine, now: datetime, worker: str, limit: int, lease: timedelta) -> list[int]:
    """Stamp up to `limit` due, unclaimed (or lease-expired) timers as this worker's."""
    with unit_of_work(engine) as s:
        ids = list(
            s.exec(
                select(Timer.id)
                .where(
                    # a literal, as in the partial index's own condition, so that the
                    # planner uses it whatever the plan (a bound value may not match it)
                    col(Timer.status) == literal_column("'pending'"),
                    col(Timer.due_at) <= now,
                    (col(Timer.claimed_until).is_(None)) | (col(Timer.claimed_until) < now),
                )
                .order_by(col(Timer.due_at), col(Timer.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            s.execute(
                update(Timer)
                .where(col(Timer.id).in_(ids))
                .values(claimed_by=worker, claimed_until=now + lease)
            )
    return [i for i in ids if i is not None]


def fire(
    timer_id: int, *, engine: Engine, now: datetime, worker: str, settings: Settings
) -> str:
    """Fire one claimed timer; returns what became of it."""
    try:
        with unit_of_work(engine) as s:
            locked = _lock(s, timer_id)
            if locked is None:
                return "skipped"
            timer, case = locked
            if timer.status != "pending" or timer.claimed_by != worker:
                return "skipped"  # cancelled by a step, or taken over after our lease ended
            if timer.due_at > now:
                # moved later since it was claimed (a holiday correction, an extension): let
                # it go, to be claimed again when it falls due
                timer.claimed_by, timer.claimed_until = None, None
                s.add(timer)
                return "skipped"
            return _fire(s, timer, case, now=now, settings=settings)
    except ActionBlocked as blocked:
        # The transition the deadline wanted is not possible (e.g. the case moved on in
        # the same instant): keep the firing on record with its reasons, once.
        with unit_of_work(engine) as s:
            locked = _lock(s, timer_id)
            if locked is None or locked[0].status != "pending":
                return "skipped"
            timer, case = locked
            timer.status, timer.fired_at = "fired", now
            s.add(timer)
            service.record_event(
                s, case, SYSTEM, now, kind="timer_blocked", trigger=blocked.trigger,
                data={"timer": _describe(timer), "reasons": [r.as_dict() for r in blocked.reasons]},
            )
            if timer.kind == "deadline":
                deadlines.refresh(s, case)
        return "blocked"


def _lock(s: Session, timer_id: int) -> tuple[Timer, Case] | None:
    """The case first, then its timer: the order a step takes them in (it locks the case,
    then cancels timers), so that a firing and a step on one case queue up rather than
    deadlock, and two firings on one case never append the same history event."""
    found = s.get(Timer, timer_id)
    if found is None:
        return None
    case = s.get(Case, found.case_id, with_for_update=True)
    timer = s.get(Timer, timer_id, with_for_update=True, populate_existing=True)
    if case is None or timer is None:
        return None
    return timer, case


def _fire(s: Session, timer: Timer, case: Case, *, now: datetime, settings: Settings) -> str:
    if _is_stale(s, timer, now):
        timer.status, timer.fired_at = "collapsed", now
        s.add(timer)
        return "collapsed"
    verb, _, rest = timer.action.partition(":")
    if verb == "fire":
        timer.status, timer.fired_at = "fired", now
        s.add(timer)
        s.flush()
        service.act(
            db_session=s, reference=case.reference, trigger=rest, actor=SYSTEM, data=None,
            expected_version=case.version, now=now, settings=settings,
        )
        return "fired"
    if verb == "escalate":
        timer.status, timer.fired_at = "breached", now
        notes = [Notify("deadline_breached", "assignee"), Notify("deadline_breached", rest)]
    elif verb == "warn":
        timer.status, timer.fired_at = "fired", now
        notes = [Notify("deadline_warning", "assignee" if case.assignee_id else "managers")]
    elif verb == "remind":
        recipient, _, template = rest.partition(":")
        timer.status, timer.fired_at = "fired", now
        notes = [Notify(template, recipient)]
    else:
        raise ValueError(f"unknown timer action {timer.action!r}")
    s.add(timer)
    service.record_event(s, case, SYSTEM, now, kind=verb, data={"timer": _describe(timer)})
    outbox.queue(s, case, notes, now=now, key=f"timer{timer.id}")
    return "fired"


def _is_stale(s: Session, timer: Timer, now: datetime) -> bool:
    """A warning or reminder is stale when a later timer of the same deadline is also due:
    after downtime the person gets the latest news once, not every missed message."""
    if timer.kind == "deadline":
        return False
    later = s.exec(
        select(Timer.id).where(
            col(Timer.case_id) == timer.case_id,
            col(Timer.deadline_key) == timer.deadline_key,
            col(Timer.status).in_(("pending", "breached", "fired")),
            col(Timer.due_at) > timer.due_at,
            col(Timer.due_at) <= now,
            col(Timer.id) != timer.id,
        )
    ).first()
    return later is not None


def _describe(timer: Timer) -> dict[str, str]:
    return {
        "key": timer.deadline_key, "kind": timer.kind, "action": timer.action,
        "due_at": timer.due_at.isoformat(), "basis": timer.basis,
        "fr": timer.explanation_fr, "ar": timer.explanation_ar,
    }


def tick(
    *,
    engine: Engine,
    now: datetime,
    worker: str,
    settings: Settings,
    batch: int = 500,
    lease: timedelta = timedelta(minutes=5),
    max_batches: int | None = None,
    on_batch: Callable[[TickReport], None] | None = None,
) -> TickReport:
    """Fire everything due by `now`, batch after batch, until nothing is due."""
    total = TickReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        ids = claim_due(engine=engine, now=now, worker=worker, limit=batch, lease=lease)
        if not ids:
            break
        batches += 1
        counts = {"fired": 0, "collapsed": 0, "blocked": 0, "skipped": 0}
        for timer_id in ids:
            counts[fire(timer_id, engine=engine, now=now, worker=worker, settings=settings)] += 1
        report = TickReport(claimed=len(ids), **counts)
        total = total + report
        if on_batch is not None:
            on_batch(report)
    return total
