"""Notifications queued in the transaction of the step that caused them.

Each row names its template, recipient, channel, address and language; rendering and
delivery belong to `notifications/` and the scheduler's dispatcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from cases.models import Case, Cooperative, Outbox, User
from workflows.spec import Notify


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    language: str


def recipients(db_session: Session, case: Case, role: str) -> Iterator[Recipient]:
    """The applicant (or the cooperative's contact), the assignee, or the delegation's
    managers, each reached by every channel they have."""
    if role == "applicant":
        contact = case.data.get("applicant") or {}
        if case.cooperative_id is not None:
            coop = db_session.get(Cooperative, case.cooperative_id)
            if coop is not None:
                contact = {"email": coop.email, "phone": coop.phone, "language": coop.language}
        language = contact.get("language") or "ar"
        if contact.get("email"):
            yield Recipient("email", contact["email"], language)
        if contact.get("phone"):
            yield Recipient("sms", contact["phone"], language)
        return
    users: Iterable[User] = ()
    if role == "assignee" and case.assignee_id is not None:
        user = db_session.get(User, case.assignee_id)
        users = [user] if user else []
    elif role == "managers":
        users = db_session.exec(
            select(User).where(
                col(User.role) == "manager", col(User.active),
                col(User.delegation_id) == case.delegation_id,
            )
        )
    for user in users:
        if user.email:
            yield Recipient("email", user.email, user.language)


def queue(
    db_session: Session,
    case: Case,
    notes: Iterable[Notify],
    *,
    now: datetime,
    key: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> None:
    """`key` names the event that causes the messages (by default the case's version, which
    one step consumes), so that each message has a stable idempotency key. `context` adds
    what only the caller knows (the receipt's PIN) to what the case itself tells."""
    del context  # rendering lands with the notifications issue
    cause = key or f"v{case.version}"
    for note in notes:
        for n, r in enumerate(recipients(db_session, case, note.to)):
            db_session.add(
                Outbox(
                    case_id=case.id,
                    created_at=now,
                    template=note.template,
                    recipient=note.to,
                    channel=r.channel,
                    address=r.address,
                    language=r.language,
                    next_attempt_at=now,
                    idempotency_key=f"{case.reference}:{cause}:{note.template}:{note.to}:{n}",
                )
            )
