"""Moving open cases from one version of a definition to the next.

A case keeps the version it started on; a new version changes a running case only through
this explicit migration, which maps each state of the old version to one of the new, can
be rehearsed (dry run), and records the move in each case's history. Deadlines that the
new version defines for the mapped state keep running if they already were, the others
stop, and the new ones start from the moment of the migration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from cases import deadlines, service
from cases.calendar import load_calendar
from cases.errors import Invalid
from cases.models import Case
from cases.settings import Settings
from workflows.registry import REGISTRY
from workflows.spec import Actor


@dataclass
class MigrationReport:
    key: str
    from_version: int
    to_version: int
    dry_run: bool
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    references: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = "would move" if self.dry_run else "moved"
        return [f"{self.key} v{self.from_version} -> v{self.to_version}: {head} {len(self.references)} open case(s)"] + [
            f"  {a} -> {b}: {n}" for (a, b), n in sorted(self.moves.items())
        ]


def plan_mapping(key: str, from_version: int, to_version: int, mapping: Mapping[str, str]) -> dict[str, str]:
    """Every open state of the old version mapped to a state of the new (same name by
    default); refuses an incomplete or unknown mapping before anything is touched."""
    old = REGISTRY.get(key, from_version).workflow
    new = REGISTRY.get(key, to_version).workflow
    new_states = {s.name for s in new.states}
    full: dict[str, str] = {}
    errors = []
    for state in old.states:
        if state.final:
            continue
        target = mapping.get(state.name, state.name)
        if target not in new_states:
            errors.append({"loc": ["map", state.name], "msg": f"v{to_version} has no state {target!r}"})
        full[state.name] = target
    for source in mapping:
        if source not in full:
            errors.append({"loc": ["map", source], "msg": f"v{from_version} has no open state {source!r}"})
    if errors:
        raise Invalid(errors)
    return full


def migrate(
    *,
    db_session: Session,
    key: str,
    from_version: int,
    to_version: int,
    mapping: Mapping[str, str],
    actor: Actor,
    now: datetime,
    settings: Settings,
    dry_run: bool,
) -> MigrationReport:
    states = plan_mapping(key, from_version, to_version, mapping)
    report = MigrationReport(key, from_version, to_version, dry_run)
    new = REGISTRY.get(key, to_version)
    cases = db_session.exec(
        select(Case).where(col(Case.workflow_key) == key, col(Case.workflow_version) == from_version,
                           col(Case.closed_at).is_(None)).order_by(col(Case.id))
    )
    calendar = load_calendar(db_session)
    for case in cases:
        target = states[case.state]
        report.moves[(case.state, target)] += 1
        report.references.append(case.reference)
        if dry_run:
            continue
        running = {t.deadline_key for t in service.pending_timers(db_session=db_session, case=case)}
        keep = frozenset(k for k in running if k in new.kept(target, target))
        source = case.state
        case.workflow_version, case.state, case.updated_at = to_version, target, now
        service.cancel_timers(db_session, case, keep=keep, now=now)
        data, timers = case.data, new.timers_for(target, entered_at=now, data=case.data,
                                                 policy=settings.policy(), calendar=calendar, skip=keep)
        case.data = {**data, "due": {**{k: v for k, v in data.get("due", {}).items() if k in keep},
                                     **{t.deadline_key: t.due_at.isoformat() for t in timers if t.kind == "deadline"}}}
        db_session.add(case)
        service.start_timers(db_session, case, timers)
        service.record_event(db_session, case, actor, now, kind="migrated", from_state=source, to_state=target,
                             data={"from_version": from_version, "to_version": to_version})
        deadlines.refresh(db_session, case)
    return report
