"""The delegations as the lists and figures name them: by their code (AGA, RAB...), read in
one query per answer rather than one per row."""

from __future__ import annotations

from sqlmodel import Session, select

from cases.models import Delegation


def codes(db_session: Session) -> dict[int, str]:
    """Delegation codes by id."""
    return {i: c for i, c in db_session.exec(select(Delegation.id, Delegation.code)) if i is not None}
