"""Notifications queued, already rendered, in the transaction of the step that caused them.

Rendering at queue time, with the case's facts of that moment, makes what is sent the same
as what the history shows: a message sent an hour later, after a retry, still tells the
deadline that ran when the step was taken. Delivery is `cases.dispatch`'s job.

A message that cannot be sent as written (a template error, a telephone number that
cannot take an SMS) never blocks the step that caused it: its row is stored as failed,
with the reason, where the case's notifications and the failures list show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from cases.models import Case, Cooperative, Delegation, Outbox, Timer, User
from notifications.render import RenderError, render
from rules.calendar import local_day
from rules.phones import InvalidPhone, sms_number
from rules.reasons import Basis, Text
from workflows.registry import REGISTRY
from workflows.spec import Notify

OFFICE = Text(fr="Office du Développement de la Coopération", ar="مكتب تنمية التعاون")

# Column sizes of `Outbox`, so that a long subject is cut rather than refused by PostgreSQL.
_SUBJECT_MAX = 300


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    language: str
    name: str


def _by_contact(contact: Mapping[str, Any], name: str) -> Iterator[Recipient]:
    language = contact.get("language") or "ar"
    if contact.get("email"):
        yield Recipient("email", contact["email"], language, name)
    if contact.get("phone"):
        yield Recipient("sms", contact["phone"], language, name)


def _claimant(db_session: Session, case: Case) -> Iterator[Recipient]:
    """Who receives the office's answers for the party that brought the case, as filed:
    never the cooperative's contact, which may be the other side (a member against the
    board) and must not receive the claimant's tracking PIN."""
    del db_session
    contact = case.data.get("applicant") or {}
    yield from _by_contact(contact, contact.get("full_name") or "")


def _respondents(db_session: Session, case: Case) -> Iterator[Recipient]:
    """Each party the case is brought against: by its own contact when the filing gives
    one, else, for a cooperative or its organs, by the register's contact."""
    for party in case.data.get("respondents") or []:
        if party.get("email") or party.get("phone"):
            yield from _by_contact(party, party.get("name") or "")
        elif party.get("cooperative_ref"):
            coop = db_session.exec(
                select(Cooperative).where(col(Cooperative.national_number) == party["cooperative_ref"])
            ).first()
            if coop is not None:
                yield from _by_contact({"email": coop.email, "phone": coop.phone, "language": coop.language},
                                       party.get("name") or coop.name_fr)


def _parties(db_session: Session, case: Case) -> Iterator[Recipient]:
    """Both sides, each address once (a party named twice, or a claimant who is also a
    respondent's contact, is told once)."""
    seen: set[tuple[str, str]] = set()
    for r in (*_claimant(db_session, case), *_respondents(db_session, case)):
        if (r.channel, r.address) not in seen:
            seen.add((r.channel, r.address))
            yield r


# Roles of the cases brought by one party against others (disputes): the definitions say
# `to("claimant", ...)`, `to("parties", ...)`.
PARTY_ROLES = {"claimant": _claimant, "respondents": _respondents, "parties": _parties}


def recipients(db_session: Session, case: Case, role: str) -> Iterator[Recipient]:
    """The applicant (the cooperative's contact once it exists, the founders'
    representative before), the parties of a dispute (`PARTY_ROLES`), the assignee, the
    delegation's managers or its legal staff, each reached by every channel they have, in
    their own language."""
    if role in PARTY_ROLES:
        yield from PARTY_ROLES[role](db_session, case)
        return
    if role == "applicant":
        contact = case.data.get("applicant") or {}
        name = contact.get("full_name") or ""
        if case.cooperative_id is not None:
            coop = db_session.get(Cooperative, case.cooperative_id)
            if coop is not None:
                name = coop.name_ar if coop.language == "ar" else coop.name_fr
                contact = {"email": coop.email, "phone": coop.phone, "language": coop.language}
        yield from _by_contact(contact, name)
        return
    users: Iterable[User] = ()
    if role == "assignee" and case.assignee_id is not None:
        user = db_session.get(User, case.assignee_id)
        users = [user] if user else []
    elif role in ("managers", "legal"):
        users = db_session.exec(
            select(User).where(
                col(User.role) == ("manager" if role == "managers" else "legal"), col(User.active),
                col(User.delegation_id) == case.delegation_id,
            ).order_by(col(User.id))
        )
    for user in users:
        if user.email:
            yield Recipient("email", user.email, user.language, user.full_name)


# -- what a message may say about its case -----------------------------------------------------


def last_day(due_at: datetime) -> date:
    """The last day of a period: a deadline is the midnight that closes it (see
    `rules.calendar.end_of_day`), so its own date would promise one day too many."""
    return local_day(due_at) - timedelta(days=1)


def _deadline(timer: Timer, language: str) -> dict[str, Any]:
    return {
        "last_day": last_day(timer.due_at),
        "basis": Basis.parse(timer.basis).label.in_(language),  # type: ignore[arg-type]
        "explanation": timer.explanation_ar if language == "ar" else timer.explanation_fr,
        "days": timer.days,
        "counting": timer.counting,
    }


def _causing_timer(db_session: Session, key: str | None) -> Timer | None:
    """The timer whose firing queues these messages (`cases.timers` names the cause
    `timer<id>`), so that a reminder or a warning can tell its own deadline."""
    if key is None or not key.startswith("timer") or not key[5:].isdigit():
        return None
    return db_session.get(Timer, int(key[5:]))


def _timer_context(db_session: Session, timer: Timer, language: str) -> dict[str, Any]:
    """A warning or a reminder speaks of the deadline it announces: the last day is the
    deadline's, not the day the reminder fires."""
    deadline = timer if timer.kind == "deadline" else db_session.exec(
        select(Timer)
        .where(
            col(Timer.case_id) == timer.case_id,
            col(Timer.deadline_key) == timer.deadline_key,
            col(Timer.kind) == "deadline",
        )
        .order_by(col(Timer.id).desc())
    ).first()
    context: dict[str, Any] = {
        "key": timer.deadline_key,
        "kind": timer.kind,
        "basis": Basis.parse(timer.basis).label.in_(language),  # type: ignore[arg-type]
        "explanation": timer.explanation_ar if language == "ar" else timer.explanation_fr,
    }
    if deadline is not None:
        context["last_day"] = last_day(deadline.due_at)
    verb, _, share = timer.action.partition(":")
    if verb == "warn":
        context["elapsed_percent"] = round(float(share) * 100)
    return context


def case_context(
    db_session: Session, case: Case, language: str, *, now: datetime, timer: Timer | None = None
) -> dict[str, Any]:
    """The facts of the case a template may use, in the recipient's language. A fact the
    case does not have (no granted name yet) is absent, not empty: a template that needs
    it fails loudly rather than sending a blank."""
    lang: Any = language
    wf = REGISTRY.get(case.workflow_key, case.workflow_version).workflow
    delegation = db_session.get(Delegation, case.delegation_id)
    running = db_session.exec(
        select(Timer).where(
            col(Timer.case_id) == case.id,
            col(Timer.kind) == "deadline",
            col(Timer.status).in_(("pending", "breached")),
        )
    )
    data = case.data
    context: dict[str, Any] = {
        "office": OFFICE.in_(lang),
        "reference": case.reference,
        "workflow": wf.title.in_(lang),
        "state": wf.state(case.state).title.in_(lang),
        "delegation": (delegation.name_ar if language == "ar" else delegation.name_fr) if delegation else "",
        "today": local_day(now),
        "names": list(data.get("names", ())),
        "extended": bool(data.get("extended")),
        "deadlines": {t.deadline_key: _deadline(t, language) for t in running},
    }
    for fact in ("granted_name", "refusal_reason"):
        if data.get(fact):
            context[fact] = data[fact]
    if timer is not None:
        context["timer"] = _timer_context(db_session, timer, language)
    return context


# -- queueing ------------------------------------------------------------------------------------


def message(
    *,
    template: str,
    recipient: str,
    channel: str,
    address: str,
    language: str,
    context: Mapping[str, Any],
    now: datetime,
    key: str,
    case_id: int | None = None,
) -> Outbox:
    """One outbox row, rendered now. An SMS goes to the E.164 form of the number."""
    row = Outbox(
        case_id=case_id, created_at=now, template=template, recipient=recipient,
        channel=channel, address=address[:254], language=language, next_attempt_at=now,
        idempotency_key=key,
    )
    if channel == "sms":
        try:
            row.address = sms_number(address)
        except InvalidPhone as exc:
            return _failed(row, str(exc))
    try:
        rendered = render(template, language, context)
    except RenderError as exc:
        return _failed(row, f"template error: {exc}")
    row.subject = rendered.subject[:_SUBJECT_MAX]
    if channel == "sms":
        row.body_text = rendered.sms
    else:
        row.body_text, row.body_html = rendered.text, rendered.html
    return row


def _failed(row: Outbox, reason: str) -> Outbox:
    row.status, row.last_error = "failed", reason
    return row


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
    cause = key or f"v{case.version}"
    facts: dict[str, dict[str, Any]] = {}
    # Reading the case's facts must not flush the step's pending rows early: its history
    # event, flushed now, would hold its (case, seq) slot for the whole rendering.
    with db_session.no_autoflush:
        timer = _causing_timer(db_session, key)
        addressed = [(note, n, r) for note in notes
                     for n, r in enumerate(recipients(db_session, case, note.to))]
        for _, _, r in addressed:
            if r.language not in facts:
                facts[r.language] = case_context(db_session, case, r.language, now=now, timer=timer)
    for note, n, r in addressed:
        db_session.add(
            message(
                template=note.template, recipient=note.to, channel=r.channel,
                address=r.address, language=r.language,
                context={**facts[r.language], **(context or {}), "recipient_name": r.name},
                now=now, key=f"{case.reference}:{cause}:{note.template}:{note.to}:{n}",
                case_id=case.id,
            )
        )
