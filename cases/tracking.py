"""What a cooperative may learn of its case with its reference and PIN: the state, the
next step and the expected date with its legal basis — nothing else about the case."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from cases import service
from cases.models import Case
from cases.settings import Settings
from rules.reasons import Basis, Text


@dataclass(frozen=True)
class Tracking:
    reference: str
    state: str
    state_title: Text
    next_step: Text | None
    closed: bool
    expected_at: datetime | None
    expected_why: Text | None
    expected_basis: Basis | None


def track(*, db_session: Session, reference: str, pin: str, settings: Settings) -> Tracking | None:
    """None for an unknown reference and for a wrong PIN alike, after the same work, so
    that the answer says nothing about whether the reference exists."""
    case = db_session.exec(select(Case).where(col(Case.reference) == reference.strip().upper())).first()
    expected = case.pin_hash if case else service.pin_digest("unknown", "000000", settings)
    given = service.pin_digest(case.reference if case else "unknown", pin, settings)
    if case is None or not hmac.compare_digest(given, expected):
        return None
    wf = service.compiled(case).workflow
    state = wf.state(case.state)
    deadlines = [t for t in service.pending_timers(db_session=db_session, case=case) if t.kind == "deadline"]
    first = min(deadlines, key=lambda t: t.due_at, default=None)
    return Tracking(
        reference=case.reference, state=case.state, state_title=state.title, next_step=state.next_step,
        closed=case.closed_at is not None,
        expected_at=first.due_at if first else None,
        expected_why=Text(fr=first.explanation_fr, ar=first.explanation_ar) if first else None,
        expected_basis=Basis.parse(first.basis) if first else None,
    )
