"""What a step changes beyond its own case, kept in step with the case's state.

Each case type may register one projection, `PROJECTIONS[key](db_session, case, outcome,
now=..., settings=...)`, run in the step's own transaction: a certificate of name blocks
its name while it is valid or may still be extended and stops blocking when it is used,
lapses or is refused; a recorded registration enters the register and closes the name
case it used; an audit's findings open an extraordinary general assembly; and so on.
A projection may act on another case through `cases.service` (as the system)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import update
from sqlmodel import Session, col

from cases import (
    accompaniment_store,
    assembly_store,
    audit_store,
    dispute_store,
    registration_store,
)
from cases.models import Case, NameEntry
from cases.name_check import entries_for
from cases.settings import Settings
from workflows.engine import Outcome
from workflows.spec import Workflow

CERTIFICATE_BLOCKS_IN = frozenset({"approved", "expired"})


def _name_approval(db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings) -> None:
    del now, settings
    blocks = outcome.dest in CERTIFICATE_BLOCKS_IN
    blocked = outcome.source in CERTIFICATE_BLOCKS_IN
    if blocks and not blocked:
        for entry in entries_for(
            [case.data["granted_name"]], source="certificate", ref=case.reference, case_id=case.id
        ):
            db_session.add(entry)
    elif blocked and not blocks:
        db_session.execute(
            update(NameEntry)
            .where(col(NameEntry.case_id) == case.id)
            .values(active=False)
        )


class Projection(Protocol):
    def __call__(self, db_session: Session, case: Case, outcome: Outcome, *, now: datetime,
                 settings: Settings) -> None: ...


PROJECTIONS: dict[str, Projection] = {"name_approval": _name_approval}
PROJECTIONS["registration"] = registration_store.project_registration
PROJECTIONS["registration_change"] = registration_store.project_change
PROJECTIONS["dispute"] = dispute_store.project
PROJECTIONS["accompaniment"] = accompaniment_store.project
PROJECTIONS["general_assembly"] = assembly_store.project
PROJECTIONS["audit"] = audit_store.project


def after_step(
    db_session: Session, workflow: Workflow, case: Case, outcome: Outcome, *, now: datetime,
    settings: Settings,
) -> None:
    projection = PROJECTIONS.get(workflow.key)
    if projection is not None:
        projection(db_session, case, outcome, now=now, settings=settings)
