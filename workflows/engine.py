"""Compile definitions to state machines and decide, without touching a database, what a
step does: which actions are open (and why the others are not), the new state, the data
it adds, the deadlines it starts and stops and the notifications it sends.

One `transitions.Machine` per definition version, built once with `model=None`; a step is
fired with `machine.events[trigger].trigger(model)` on a throw-away model. Cases are never
bound to a machine (`add_model` is linear in bound models, leaks, and fails on SQLModel
rows), and deadlines are never the machine's in-memory `Timeout` states: they are rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError
from transitions import Machine, MachineError

from rules.calendar import Counting, HolidayCalendar, explain
from rules.calendar import deadline as compute_deadline
from rules.reasons import Reason, Text
from workflows.spec import (
    Actor,
    CaseView,
    Context,
    Days,
    Deadline,
    Escalate,
    Fire,
    Notify,
    Setting,
    Transition,
    Workflow,
)

ROLE_REASON = "role_not_allowed"
DATA_REASON = "data_invalid"


class _Token:
    """The throw-away model a machine fires on: it only carries a state."""

    def __init__(self, state: str) -> None:
        self.state = state


@dataclass(frozen=True)
class ActionOption:
    """One trigger from the current state, allowed or blocked, with every reason."""

    trigger: str
    title: Text
    dest: str
    allowed: bool
    reasons: tuple[Reason, ...]
    data_schema: dict[str, Any] | None


@dataclass(frozen=True)
class PlannedTimer:
    """A timer the store must write: a deadline, a warning before it, or a reminder."""

    deadline_key: str
    kind: str  # "deadline" | "warning" | "reminder"
    due_at: datetime
    started_at: datetime
    counting: str
    days: int
    basis: str
    action: str
    explanation: Text
    recipient: str | None = None
    template: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one step does; the store applies all of it in one transaction, or none."""

    trigger: str
    source: str
    dest: str
    data: dict[str, Any]
    payload: dict[str, Any]
    start: tuple[PlannedTimer, ...]
    keep: frozenset[str]
    notify: tuple[Notify, ...]
    closes: bool
    pause: frozenset[str] = frozenset()
    resume: frozenset[str] = frozenset()


class ActionBlocked(Exception):
    """The action cannot be taken now; `reasons` say why, in both languages."""

    def __init__(self, trigger: str, reasons: tuple[Reason, ...]) -> None:
        super().__init__(f"{trigger}: " + "; ".join(r.code for r in reasons))
        self.trigger = trigger
        self.reasons = reasons


def resolve_days(days: Days, policy: Mapping[str, Any]) -> int:
    """Law numbers are literals in the definition; office numbers are settings."""
    if isinstance(days, Setting):
        return int(policy[days.name])
    return days


@dataclass
class CompiledWorkflow:
    workflow: Workflow
    machine: Machine = field(init=False)

    def __post_init__(self) -> None:
        wf = self.workflow
        self.machine = Machine(
            model=None,
            states=[s.name for s in wf.states],
            transitions=[
                {"trigger": t.trigger, "source": list(t.source), "dest": t.dest}
                for t in wf.transitions
            ],
            initial=wf.initial,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )

    @cached_property
    def _by_source(self) -> dict[str, tuple[Transition, ...]]:
        table: dict[str, list[Transition]] = {s.name: [] for s in self.workflow.states}
        for t in self.workflow.transitions:
            for source in t.source:
                table[source].append(t)
        return {k: tuple(v) for k, v in table.items()}

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return self._by_source.get(state, ())

    # -- guards -------------------------------------------------------------------------

    def reasons(self, transition: Transition, ctx: Context) -> tuple[Reason, ...]:
        """Every reason the action is blocked; empty when it may go ahead."""
        found: list[Reason] = []
        if ctx.actor.role not in transition.roles and not (
            ctx.actor.is_system and "system" in transition.roles
        ):
            found.append(
                Reason(
                    ROLE_REASON,
                    Text(
                        fr=f"Cette action est réservée aux rôles : {', '.join(sorted(transition.roles))}.",
                        ar=f"هذا الإجراء مخصص للأدوار التالية: {'، '.join(sorted(transition.roles))}.",
                    ),
                )
            )
        for guard in transition.guards:
            found.extend(guard(ctx))
        return tuple(found)

    def available_actions(
        self,
        case: CaseView,
        actor: Actor,
        *,
        now: datetime,
        facts: Mapping[str, Any],
        policy: Mapping[str, Any],
    ) -> list[ActionOption]:
        ctx = Context(case=case, actor=actor, now=now, facts=facts, policy=policy)
        options = []
        for t in self.transitions_from(case.state):
            if "system" in t.roles and len(t.roles) == 1 and not actor.is_system:
                continue  # the scheduler's own steps are not offered to people
            reasons = self.reasons(t, ctx)
            options.append(
                ActionOption(
                    trigger=t.trigger,
                    title=t.title,
                    dest=t.dest,
                    allowed=not reasons,
                    reasons=reasons,
                    data_schema=t.data.model_json_schema() if t.data else None,
                )
            )
        return options

    # -- firing ---------------------------------------------------------------------------

    def validate_payload(self, transition: Transition, raw: Mapping[str, Any] | None) -> BaseModel | None:
        if transition.data is None:
            return None
        try:
            return transition.data.model_validate(raw or {})
        except ValidationError as exc:
            raise ActionBlocked(
                transition.trigger,
                tuple(
                    Reason(
                        DATA_REASON,
                        Text(
                            fr=f"Donnée invalide « {'.'.join(map(str, e['loc']))} » : {e['msg']}",
                            ar=f"معطى غير صالح «{'.'.join(map(str, e['loc']))}»: {e['msg']}",
                        ),
                    )
                    for e in exc.errors()
                ),
            ) from exc

    def plan(
        self,
        case: CaseView,
        trigger: str,
        actor: Actor,
        *,
        raw_payload: Mapping[str, Any] | None,
        now: datetime,
        facts: Mapping[str, Any],
        policy: Mapping[str, Any],
        calendar: HolidayCalendar,
    ) -> Outcome:
        """Decide one step. Raises `ActionBlocked` with every reason when it may not happen."""
        try:
            t = self.workflow.transition(trigger)
        except KeyError:
            raise ActionBlocked(trigger, (_unknown(trigger),)) from None
        if case.state not in t.source:
            raise ActionBlocked(trigger, (_wrong_state(trigger, case.state),))
        payload = self.validate_payload(t, raw_payload)
        ctx = Context(case=case, actor=actor, now=now, payload=payload, facts=facts, policy=policy)
        reasons = self.reasons(t, ctx)
        if reasons:
            raise ActionBlocked(trigger, reasons)

        token = _Token(case.state)
        try:
            self.machine.events[trigger].trigger(token)
        except MachineError:
            raise ActionBlocked(trigger, (_wrong_state(trigger, case.state),)) from None
        dest = token.state

        data = dict(case.data)
        for effect in t.effects:
            data.update(effect(ctx))
        payload_dict = payload.model_dump(mode="json") if payload is not None else {}

        keep = self.kept(case.state, dest)
        pause, resume = self.clock_changes(case.state, dest, keep)
        start = self.timers_for(
            dest, entered_at=now, data=data, policy=policy, calendar=calendar, skip=keep
        )
        # The case's own record keeps each running deadline's due instant, so that later
        # guards (an extension asked in time?) stay pure functions of the case.
        data["due"] = {
            **{k: v for k, v in dict(case.data.get("due", {})).items() if k in keep},
            **{p.deadline_key: p.due_at.isoformat() for p in start if p.kind == "deadline"},
        }
        return Outcome(
            trigger=trigger,
            source=case.state,
            dest=dest,
            data=data,
            payload=payload_dict,
            start=start,
            keep=keep,
            notify=t.notify,
            closes=dest in self.workflow.final_states,
            pause=pause,
            resume=resume,
        )

    def start(
        self,
        data: Mapping[str, Any],
        *,
        now: datetime,
        policy: Mapping[str, Any],
        calendar: HolidayCalendar,
    ) -> tuple[dict[str, Any], tuple[PlannedTimer, ...]]:
        """A new case: its data with the due instants of the initial state, and its timers."""
        timers = self.timers_for(
            self.workflow.initial, entered_at=now, data=data, policy=policy, calendar=calendar
        )
        due = {p.deadline_key: p.due_at.isoformat() for p in timers if p.kind == "deadline"}
        return {**data, "due": due}, timers

    # -- deadlines ------------------------------------------------------------------------

    @cached_property
    def _runs_in(self) -> dict[str, tuple[Deadline, frozenset[str]]]:
        return {
            d.key: (d, frozenset((s.name, *d.runs_through)))
            for s in self.workflow.states
            for d in s.deadlines
        }

    def kept(self, source: str, dest: str) -> frozenset[str]:
        """Deadlines that run in both states: a move between them neither stops nor
        restarts them (submitted -> manager_review keeps the decision period)."""
        return frozenset(
            key for key, (_, states) in self._runs_in.items() if source in states and dest in states
        )

    def clock_changes(self, source: str, dest: str, keep: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
        """Office service levels (business days) stop while the case waits for the
        cooperative, and resume when it answers. The law's periods never pause: the office
        cannot suspend them."""
        waits_before = self.workflow.state(source).pauses_clock
        waits_after = self.workflow.state(dest).pauses_clock
        office = frozenset(
            key for key in keep if self._runs_in[key][0].counting == Counting.BUSINESS_DAYS
        )
        if waits_after and not waits_before:
            return office, frozenset()
        if waits_before and not waits_after:
            return frozenset(), office
        return frozenset(), frozenset()

    def timers_for(
        self,
        state: str,
        *,
        entered_at: datetime,
        data: Mapping[str, Any],
        policy: Mapping[str, Any],
        calendar: HolidayCalendar,
        skip: frozenset[str] = frozenset(),
    ) -> tuple[PlannedTimer, ...]:
        """The timers a case entering `state` must have: its deadlines, warnings, reminders."""
        s = self.workflow.state(state)
        planned: list[PlannedTimer] = []
        for d in s.deadlines:
            if d.key in skip:
                continue
            planned.extend(self._deadline_timers(d, entered_at, data, policy, calendar))
        for r in s.reminders:
            due = next((p for p in planned if p.deadline_key == r.deadline and p.kind == "deadline"), None)
            if due is None:
                continue
            before = resolve_days(r.before, policy)
            at = due.due_at - timedelta(days=before)
            planned.append(
                PlannedTimer(
                    deadline_key=r.deadline,
                    kind="reminder",
                    due_at=at,
                    started_at=due.started_at,
                    counting=due.counting,
                    days=due.days,
                    basis=due.basis,
                    action=f"remind:{r.to}:{r.template}",
                    explanation=due.explanation,
                    recipient=r.to,
                    template=r.template,
                )
            )
        return tuple(planned)

    def _deadline_timers(
        self,
        d: Deadline,
        entered_at: datetime,
        data: Mapping[str, Any],
        policy: Mapping[str, Any],
        calendar: HolidayCalendar,
    ) -> list[PlannedTimer]:
        start = datetime.fromisoformat(data[d.anchor]) if d.anchor else entered_at
        days = resolve_days(d.days, policy)
        due = compute_deadline(start, days, d.counting, calendar)
        explanation = explain(start, days, d.counting, d.basis, due, event=d.event)
        action = f"fire:{d.on_due.trigger}" if isinstance(d.on_due, Fire) else _escalation(d.on_due)
        timers = [
            PlannedTimer(
                deadline_key=d.key,
                kind="deadline",
                due_at=due,
                started_at=start,
                counting=d.counting.value,
                days=days,
                basis=d.basis.code,
                action=action,
                explanation=explanation,
            )
        ]
        if d.warn:
            for fraction in policy.get("warn_fractions", ()):
                timers.append(
                    PlannedTimer(
                        deadline_key=d.key,
                        kind="warning",
                        due_at=start + (due - start) * float(fraction),
                        started_at=start,
                        counting=d.counting.value,
                        days=days,
                        basis=d.basis.code,
                        action=f"warn:{float(fraction):g}",
                        explanation=explanation,
                    )
                )
        return timers


def _escalation(on_due: Escalate) -> str:
    return f"escalate:{on_due.to}"


def _unknown(trigger: str) -> Reason:
    return Reason(
        "unknown_action",
        Text(fr=f"Action inconnue : {trigger}.", ar=f"إجراء غير معروف: {trigger}."),
    )


def _wrong_state(trigger: str, state: str) -> Reason:
    return Reason(
        "not_allowed_in_state",
        Text(
            fr=f"L'action « {trigger} » n'est pas possible à l'étape « {state} ».",
            ar=f"الإجراء «{trigger}» غير ممكن في المرحلة «{state}».",
        ),
    )


class Registry:
    """Every definition version, compiled once at import."""

    def __init__(self, workflows: list[Workflow]) -> None:
        self._compiled: dict[tuple[str, int], CompiledWorkflow] = {}
        self._latest: dict[str, int] = {}
        for wf in workflows:
            self.add(wf)

    def add(self, wf: Workflow) -> CompiledWorkflow:
        """Register a definition version; a new version starts new cases only."""
        compiled = self._compiled.setdefault((wf.key, wf.version), CompiledWorkflow(wf))
        self._latest[wf.key] = max(self._latest.get(wf.key, 0), wf.version)
        return compiled

    def discard(self, key: str, version: int) -> None:
        """Forget a version (tests that try a definition out)."""
        self._compiled.pop((key, version), None)
        remaining = [v for k, v in self._compiled if k == key]
        if remaining:
            self._latest[key] = max(remaining)
        else:
            self._latest.pop(key, None)

    def get(self, key: str, version: int | None = None) -> CompiledWorkflow:
        version = self._latest[key] if version is None else version
        return self._compiled[(key, version)]

    def latest(self) -> list[CompiledWorkflow]:
        return [self._compiled[(k, v)] for k, v in self._latest.items()]

    def keys(self) -> list[str]:
        return list(self._latest)

    def by_prefix(self, prefix: str) -> CompiledWorkflow:
        for compiled in self.latest():
            if compiled.workflow.prefix == prefix:
                return compiled
        raise KeyError(prefix)
