"""The definition language: a case type written as data, so that an office lawyer can read a
definition file and check it against the law.

Nothing here runs anything. `engine.py` compiles a `Workflow` into a `transitions.Machine`
and answers what may happen next; `cases/` stores what did happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from rules.calendar import Counting
from rules.reasons import Basis, Reason, Text, internal

FULL_DAYS = Counting.FULL_DAYS
BUSINESS_DAYS = Counting.BUSINESS_DAYS


@dataclass(frozen=True)
class Actor:
    """Who asks: a signed-in user, or the scheduler (role "system")."""

    username: str
    role: str
    delegation_id: int | None = None
    id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.role == "system"


SYSTEM = Actor(username="system", role="system")


@dataclass(frozen=True)
class CaseView:
    """What a definition may see of a case: never a database row, so rules stay pure."""

    reference: str
    state: str
    data: Mapping[str, Any]
    opened_at: datetime
    assignee_id: int | None = None


@dataclass(frozen=True)
class Context:
    """Everything a guard or an effect may look at.

    `facts` are loaded by the store for this case type before guards run (e.g. the names
    already in the register), so that guards stay pure functions. `payload` is None when
    the engine only previews which actions are available.
    """

    case: CaseView
    actor: Actor
    now: datetime
    payload: BaseModel | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    policy: Mapping[str, Any] = field(default_factory=dict)


Guard = Callable[[Context], Iterable[Reason]]
Effect = Callable[[Context], Mapping[str, Any]]


@dataclass(frozen=True)
class Setting:
    """A number that is office policy, looked up by name in the settings at run time."""

    name: str


Days = int | Setting


@dataclass(frozen=True)
class Fire:
    """When due, fire this transition as the system."""

    trigger: str


@dataclass(frozen=True)
class Escalate:
    """When due, tell the named recipient (e.g. the delegation's managers)."""

    to: str


OnDue = Fire | Escalate


def fire(trigger: str) -> Fire:
    return Fire(trigger)


def escalate_to(recipient: str) -> Escalate:
    return Escalate(recipient)


@dataclass(frozen=True)
class Deadline:
    """A period that starts when the case enters the state.

    It keeps running while the case stays in the state or moves to one of `runs_through`,
    and is cancelled when the case leaves them. `anchor` names a data field holding the
    instant the period counts from, when that is not the moment the state was entered.
    `event` describes that starting event for the person who reads the explanation.
    """

    key: str
    days: Days
    counting: Counting
    basis: Basis
    on_due: OnDue
    event: Text
    runs_through: tuple[str, ...] = ()
    anchor: str | None = None
    warn: bool = False


def service_level(
    key: str,
    setting: str,
    *,
    event: Text,
    on_due: OnDue | None = None,
    runs_through: tuple[str, ...] = (),
) -> Deadline:
    """An office service level: business days, the number in the settings under
    `setting` (which is also its basis), warnings on the way, managers told on breach."""
    return Deadline(
        key, Setting(setting), Counting.BUSINESS_DAYS, internal(setting),
        on_due or Escalate("managers"), event=event, runs_through=runs_through, warn=True,
    )


@dataclass(frozen=True)
class Reminder:
    """A message to whoever must act, `before` days ahead of a deadline of the same state."""

    deadline: str
    before: Days
    to: str
    template: str


@dataclass(frozen=True)
class DocumentSpec:
    """A document a state expects, shown as a checklist line to be marked received.

    `required` documents hold the case: only when all of them are in does the state's
    `on_documents` step fire. Optional ones are listed so that nobody forgets to ask."""

    key: str
    title: Text
    required: bool = True


@dataclass(frozen=True)
class State:
    name: str
    title: Text
    deadlines: tuple[Deadline, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    final: bool = False
    pauses_clock: bool = False
    next_step: Text | None = None  # what the cooperative reads when it tracks its case
    documents: tuple[DocumentSpec, ...] = ()
    # The trigger fired (as whoever marks the last required document received) when every
    # required document is in: a state that waits for papers ends when they arrive, and
    # with it the pause of the office's clock.
    on_documents: str | None = None


@dataclass(frozen=True)
class Notify:
    """A notification written to the outbox when the transition happens."""

    template: str
    to: str


def to(recipient: str, template: str) -> Notify:
    return Notify(template=template, to=recipient)


@dataclass(frozen=True)
class Transition:
    trigger: str
    source: tuple[str, ...]
    dest: str
    title: Text
    roles: frozenset[str]
    data: type[BaseModel] | None = None
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    notify: tuple[Notify, ...] = ()


@dataclass(frozen=True)
class Workflow:
    """A versioned case type. A case keeps the version it started on."""

    key: str
    version: int
    title: Text
    prefix: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    opening: type[BaseModel] | None = None
    facts: tuple[str, ...] = ()
    on_open: tuple[Notify, ...] = ()

    def __post_init__(self) -> None:
        """A definition that names a document step that cannot happen fails at import,
        not on the day the last document arrives."""
        for s in self.states:
            keys = [d.key for d in s.documents]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{self.key} v{self.version}: state {s.name!r} lists a document twice")
            if s.on_documents is None:
                continue
            if not any(d.required for d in s.documents):
                raise ValueError(f"{self.key} v{self.version}: state {s.name!r} has on_documents "
                                 "but no required document")
            if not any(t.trigger == s.on_documents and s.name in t.source for t in self.transitions):
                raise ValueError(f"{self.key} v{self.version}: on_documents {s.on_documents!r} is "
                                 f"not a transition from {s.name!r}")

    def state(self, name: str) -> State:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(f"{self.key} v{self.version} has no state {name!r}")

    def transition(self, trigger: str) -> Transition:
        for transition in self.transitions:
            if transition.trigger == trigger:
                return transition
        raise KeyError(f"{self.key} v{self.version} has no transition {trigger!r}")

    def deadline(self, key: str) -> tuple[State, Deadline]:
        for state in self.states:
            for deadline in state.deadlines:
                if deadline.key == key:
                    return state, deadline
        raise KeyError(f"{self.key} v{self.version} has no deadline {key!r}")

    @property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states if s.final)


def transition(
    trigger: str,
    *,
    source: str | Iterable[str],
    dest: str,
    title: Text,
    roles: Iterable[str],
    data: type[BaseModel] | None = None,
    guards: Iterable[Guard] = (),
    effects: Iterable[Effect] = (),
    notify: Iterable[Notify] = (),
) -> Transition:
    """Keyword-only constructor, so that a definition reads field by field."""
    sources = (source,) if isinstance(source, str) else tuple(source)
    return Transition(
        trigger=trigger,
        source=sources,
        dest=dest,
        title=title,
        roles=frozenset(roles),
        data=data,
        guards=tuple(guards),
        effects=tuple(effects),
        notify=tuple(notify),
    )
