"""Tables kept in step with a case's state: a certificate of name blocks its name while it
is valid or may still be extended, and stops blocking when it is used, lapses or is
refused (the registered cooperative's own entry takes over once it is used)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from cases.models import Case, NameEntry
from cases.name_check import entries_for
from workflows.engine import Outcome
from workflows.spec import Workflow

CERTIFICATE_BLOCKS_IN = frozenset({"approved", "expired"})


def _name_approval(db_session: Session, case: Case, outcome: Outcome) -> None:
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


PROJECTIONS = {"name_approval": _name_approval}


def after_step(db_session: Session, workflow: Workflow, case: Case, outcome: Outcome) -> None:
    projection = PROJECTIONS.get(workflow.key)
    if projection is not None:
        projection(db_session, case, outcome)
