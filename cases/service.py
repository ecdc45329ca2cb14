"""The service layer: open a case, act on it, assign it, comment on it.

Plain functions over a session that the caller commits (a unit of work). Each step is one
transaction: guards, the state change, the history event, timers started and cancelled and
notifications queued are stored together or not at all. The clock is always passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from cases import access, deadlines, facts, outbox, projections, versioning
from cases.calendar import load_calendar
from cases.errors import Conflict, Invalid, NotFound
from cases.models import Case, CaseEvent, ReferenceCounter, Timer, User
from cases.settings import Settings
from rules.calendar import business_days_deadline, local_day
from rules.reasons import Reason, Text
from workflows.engine import ActionBlocked, ActionOption, CompiledWorkflow, Outcome, PlannedTimer
from workflows.registry import REGISTRY
from workflows.spec import Actor, CaseView

__all__ = ["ActionBlocked", "Conflict", "Invalid", "NotFound"]


@dataclass(frozen=True)
class Opened:
    case: Case
    pin: str  # shown once, on the receipt; only its hash is stored


# A date typed by the caller (a session in the year 9999, a decision in the year 1) whose
# periods, counted by the rules, fall off Python's calendar: refused as input, never a 500.
OFF_CALENDAR = Reason("date_out_of_range", Text(
    fr="Une date donnée, une fois ses délais comptés, sort du calendrier (années 1 à 9999).",
    ar="تاريخ مُدخل يخرج، بعد احتساب آجاله، عن التقويم (السنوات 1 إلى 9999).",
))
OFF_CALENDAR_ERROR = {"loc": ["data"], "type": "date_out_of_range",
                      "msg": "a date falls off the calendar (years 1 to 9999) once its periods are counted"}


def view(case: Case) -> CaseView:
    return CaseView(
        reference=case.reference,
        state=case.state,
        data=case.data,
        opened_at=case.opened_at,
        assignee_id=case.assignee_id,
    )


def compiled(case: Case) -> CompiledWorkflow:
    return REGISTRY.get(case.workflow_key, case.workflow_version)


# -- reading -------------------------------------------------------------------------------


def get(*, db_session: Session, reference: str, actor: Actor, lock: bool = False) -> Case:
    """A case the actor may see; any other is "not found", so that references of other
    delegations cannot be probed. Writers `lock` the row (PostgreSQL: FOR UPDATE), so that
    two steps on one case queue up instead of both appending history event N+1."""
    query = select(Case).where(col(Case.reference) == reference)
    case = db_session.exec(query.with_for_update() if lock else query).first()
    if case is None or not access.can_see(actor, case):
        raise NotFound("case", reference)
    return case


def history(*, db_session: Session, case: Case) -> list[CaseEvent]:
    return list(
        db_session.exec(
            select(CaseEvent).where(col(CaseEvent.case_id) == case.id).order_by(col(CaseEvent.seq))
        )
    )


RUNNING = ("pending", "paused", "breached")


def pending_timers(*, db_session: Session, case: Case) -> list[Timer]:
    """Running timers, paused ones, and deadlines already breached that still hold the
    case overdue."""
    return list(
        db_session.exec(
            select(Timer)
            .where(col(Timer.case_id) == case.id, col(Timer.status).in_(RUNNING))
            .order_by(col(Timer.due_at))
        )
    )


def available_actions(
    *, db_session: Session, case: Case, actor: Actor, now: datetime, settings: Settings
) -> list[ActionOption]:
    wf = compiled(case)
    known = facts.load(wf.workflow, db_session=db_session, case=case, data=case.data, settings=settings)
    options = wf.available_actions(view(case), actor, now=now, facts=known, policy=settings.policy())
    if not access.can_act(actor, case):
        blocked = access.refusal(actor)
        options = [
            ActionOption(o.trigger, o.title, o.dest, False, (*o.reasons, blocked), o.data_schema)
            for o in options
        ]
    return options


# -- writing -------------------------------------------------------------------------------


def next_reference(*, db_session: Session, prefix: str, year: int) -> str:
    """NA-2026-000123: an atomic increment, so that concurrent openings never share one."""
    stmt = (
        update(ReferenceCounter)
        .where(col(ReferenceCounter.prefix) == prefix, col(ReferenceCounter.year) == year)
        .values(last=col(ReferenceCounter.last) + 1)
        .returning(col(ReferenceCounter.last))
    )
    number = db_session.execute(stmt).scalar()
    if number is None:
        # The year's first case: create the counter without racing another process that
        # does the same (the loser's insert does nothing), then take a number as usual.
        dialect = db_session.get_bind().dialect.name
        first = (pg_insert if dialect == "postgresql" else sqlite_insert)(ReferenceCounter)
        db_session.execute(first.values(prefix=prefix, year=year, last=0).on_conflict_do_nothing())
        number = db_session.execute(stmt).scalar_one()
    return f"{prefix}-{year}-{number:06d}"


def open_case(
    *,
    db_session: Session,
    workflow_key: str,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    settings: Settings,
    delegation_id: int | None = None,
    cooperative_id: int | None = None,
) -> Opened:
    """Open a case on the latest version of its definition, in the actor's delegation."""
    try:
        wf = REGISTRY.get(workflow_key)
    except KeyError:
        raise NotFound("workflow", workflow_key) from None
    opening = wf.workflow.opening
    clean: dict[str, Any] = dict(data)
    if opening is not None:
        try:
            clean = _validated(opening, data)
        except ValidationError as exc:
            raise Invalid(exc.errors(include_url=False, include_context=False)) from exc
        except OverflowError as exc:
            raise Invalid([OFF_CALENDAR_ERROR]) from exc
    delegation = access.delegation_for_new_case(actor, delegation_id)
    reference = next_reference(db_session=db_session, prefix=wf.workflow.prefix, year=now.year)
    pin = f"{secrets.randbelow(10**6):06d}"
    calendar = load_calendar(db_session)
    try:
        data_with_due, timers = wf.start(clean, now=now, policy=settings.policy(), calendar=calendar)
    except OverflowError as exc:
        raise Invalid([OFF_CALENDAR_ERROR]) from exc
    case = Case(
        reference=reference,
        workflow_key=wf.workflow.key,
        workflow_version=wf.workflow.version,
        state=wf.workflow.initial,
        cooperative_id=cooperative_id,
        delegation_id=delegation,
        data=data_with_due,
        pin_hash=pin_digest(reference, pin, settings),
        opened_at=now,
        updated_at=now,
    )
    db_session.add(case)
    db_session.flush()
    known = facts.load(wf.workflow, db_session=db_session, case=case, data=clean, settings=settings)
    record_event(db_session, case, actor, now, kind="opened", to_state=case.state,
            data={"payload": clean, "facts": facts.summary(known)})
    start_timers(db_session, case, timers)
    deadlines.refresh(db_session, case)
    # The receipt carries the tracking PIN: the one message that ever shows it.
    outbox.queue(db_session, case, wf.workflow.on_open, now=now, key="opened", context={"pin": pin})
    return Opened(case=case, pin=pin)


def act(
    *,
    db_session: Session,
    reference: str,
    trigger: str,
    actor: Actor,
    data: Mapping[str, Any] | None,
    expected_version: int,
    now: datetime,
    settings: Settings,
) -> Case:
    """Take one step. A stale `expected_version` is a `Conflict`, never an overwrite."""
    case = get(db_session=db_session, reference=reference, actor=actor, lock=True)
    access.ensure_can_act(actor, case, trigger)
    if case.version != expected_version:
        raise Conflict(reference, current_version=case.version)
    versioning.new_step(db_session, case)
    wf = compiled(case)
    known = facts.load(wf.workflow, db_session=db_session, case=case, data=case.data, settings=settings)
    try:
        outcome = wf.plan(
            view(case), trigger, actor, raw_payload=data, now=now, facts=known,
            policy=settings.policy(), calendar=load_calendar(db_session),
        )
        _apply(db_session, wf, case, outcome, actor, now, facts.summary(known), settings)
    except OverflowError as exc:
        raise ActionBlocked(trigger, (OFF_CALENDAR,)) from exc
    try:
        deadlines.refresh(db_session, case)
    except StaleDataError:
        db_session.rollback()
        raise Conflict(reference, current_version=None) from None
    return case


def _apply(
    db_session: Session,
    wf: CompiledWorkflow,
    case: Case,
    outcome: Outcome,
    actor: Actor,
    now: datetime,
    fact_summary: Mapping[str, Any],
    settings: Settings,
) -> None:
    source = case.state
    case.state = outcome.dest
    case.data = outcome.data
    case.updated_at = now
    if outcome.closes:
        case.closed_at = now
    db_session.add(case)
    cancel_timers(db_session, case, keep=outcome.keep, now=now)
    clocks = _pause_and_resume(db_session, case, outcome, now=now)
    start_timers(db_session, case, outcome.start)
    record_event(
        db_session, case, actor, now, kind="transition", trigger=outcome.trigger,
        from_state=source, to_state=outcome.dest,
        data={"payload": outcome.payload, "facts": fact_summary, **clocks},
    )
    projections.after_step(db_session, wf.workflow, case, outcome, now=now, settings=settings)
    outbox.queue(db_session, case, outcome.notify, now=now)


def assign(
    *, db_session: Session, reference: str, assignee: str | None, actor: Actor, now: datetime
) -> Case:
    """Give the case to an officer of its delegation (or take it back with None)."""
    case = get(db_session=db_session, reference=reference, actor=actor, lock=True)
    access.ensure_can_assign(actor, case)
    versioning.new_step(db_session, case)
    user = None
    if assignee is not None:
        # held until the step commits: a deactivation of the same person waits for it
        user = db_session.exec(select(User).where(col(User.username) == assignee).with_for_update()).first()
        if user is None or not user.active:
            raise NotFound("user", assignee)
        if not access.may_hold(user, case):
            raise ActionBlocked("assign", (access.assignee_outside_reason(assignee),))
    case.assignee_id = user.id if user else None
    case.updated_at = now
    db_session.add(case)
    record_event(db_session, case, actor, now, kind="assigned", data={"assignee": assignee})
    return case


def comment(
    *, db_session: Session, reference: str, text: str, actor: Actor, now: datetime
) -> CaseEvent:
    case = get(db_session=db_session, reference=reference, actor=actor, lock=True)
    access.ensure_can_act(actor, case, "comment")
    text = text.strip()
    if not text:
        raise Invalid([{"loc": ["text"], "msg": "empty comment", "type": "value_error"}])
    return record_event(db_session, case, actor, now, kind="comment", data={"text": text})


def pin_digest(reference: str, pin: str, settings: Settings) -> str:
    """A keyed digest: a 6-digit PIN hashed without a secret would fall to a million
    guesses offline; with the server's key it cannot be guessed from a stolen table."""
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"{reference}:{pin}".encode(), hashlib.sha256).hexdigest()


def check_pin(case: Case, pin: str, settings: Settings) -> bool:
    return hmac.compare_digest(case.pin_hash, pin_digest(case.reference, pin, settings))


# -- the pieces of a step --------------------------------------------------------------------


def _validated(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    return model.model_validate(data).model_dump(mode="json")


def record_event(
    db_session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    *,
    kind: str,
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append one event; `seq` is unique per case, so two writers can never both append
    the same step."""
    last = db_session.exec(
        select(func.max(col(CaseEvent.seq))).where(col(CaseEvent.case_id) == case.id)
    ).one()
    event = CaseEvent(
        case_id=case.id,  # type: ignore[arg-type]
        seq=(last or 0) + 1,
        at=now,
        actor_id=actor.id,
        actor=actor.username,
        kind=kind,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        data=dict(data or {}),
    )
    db_session.add(event)
    return event


def start_timers(db_session: Session, case: Case, timers: tuple[PlannedTimer, ...]) -> None:
    for t in timers:
        db_session.add(
            Timer(
                case_id=case.id,  # type: ignore[arg-type]
                deadline_key=t.deadline_key,
                kind=t.kind,
                state=case.state,
                due_at=t.due_at,
                started_at=t.started_at,
                counting=t.counting,
                days=t.days,
                basis=t.basis,
                action=t.action,
                explanation_fr=t.explanation.fr,
                explanation_ar=t.explanation.ar,
            )
        )


def cancel_timers(db_session: Session, case: Case, *, keep: frozenset[str], now: datetime) -> None:
    """Leaving a deadline's states stops it: a pending timer is cancelled (ended now), a
    breached one (escalated, still overdue) is closed, so that the case stops counting as
    overdue, and a paused one is cancelled as it stood when its clock stopped (its
    `fired_at` stays the pause instant): the office's part ended when it handed the case
    to the cooperative, however long the cooperative then took."""
    for timer in pending_timers(db_session=db_session, case=case):
        if timer.deadline_key not in keep:
            if timer.status == "pending":
                timer.fired_at = now
            timer.status = "closed" if timer.status == "breached" else "cancelled"
            db_session.add(timer)


def _pause_and_resume(db_session: Session, case: Case, outcome: Outcome, *, now: datetime) -> dict[str, Any]:
    """Stop the office's clocks while the case waits for the cooperative; on its answer,
    give back the business days that were left. A paused timer's `fired_at` is the moment
    it paused."""
    if not (outcome.pause or outcome.resume):
        return {}
    calendar = load_calendar(db_session)
    timers = [t for t in pending_timers(db_session=db_session, case=case)
              if t.deadline_key in outcome.pause | outcome.resume]
    changes: dict[str, Any] = {}
    for t in timers:
        if t.deadline_key in outcome.pause and t.status == "pending":
            t.status, t.fired_at = "paused", now
            changes.setdefault("paused", []).append(t.deadline_key)
    deadlines = {t.deadline_key: t for t in timers if t.kind == "deadline" and t.status == "paused"}
    for key in outcome.resume:
        deadline = deadlines.get(key)
        if deadline is None or deadline.fired_at is None:
            continue
        left = calendar.business_days_between(local_day(deadline.fired_at), local_day(deadline.due_at) - timedelta(days=1))
        shift = business_days_deadline(now, left, calendar) - deadline.due_at
        for t in timers:
            if t.deadline_key == key and t.status == "paused":
                t.status, t.fired_at, t.due_at = "pending", None, t.due_at + shift
        case.data = {**case.data, "due": {**case.data.get("due", {}), key: deadline.due_at.isoformat()}}
        changes.setdefault("resumed", []).append({"key": key, "business_days_left": left,
                                                  "due_at": deadline.due_at.isoformat()})
    for t in timers:
        db_session.add(t)
    if "paused" in changes:
        changes["paused"] = sorted(set(changes["paused"]))
    return changes
