"""Delivery of the outbox: claim due messages, send them, record what became of each.

A run claims a batch with a lease, as the timers do (one transaction that selects due rows
`FOR UPDATE SKIP LOCKED` on PostgreSQL, or under SQLite's BEGIN IMMEDIATE, and stamps
them), sends the batch through one SMTP connection and one HTTP client, then records every
verdict in one transaction, guarded by the claim: a worker whose lease was taken over
writes nothing. Then the next batch, until nothing is due.

Failures: a transient one (server down, 4xx SMTP reply, gateway 5xx or timeout) puts the
message back with an exponential delay, shortened by a random share so that a thousand
messages that failed together do not retry together; after `outbox_max_attempts` it is
failed. A permanent one (mailbox refused, gateway 4xx) is failed at once. Failed messages
are listed for an admin, who may put one back (`retry`).

A crash between sending and recording leaves the batch claimed; when the lease ends another
worker finds those rows claimed but unrecorded ("unconfirmed"), and sends each once more,
with the same idempotency key (email Message-ID, SMS `Idempotency-Key`), so the receiving
side can tell. If that second claim also ends without a verdict, the message is failed
rather than sent a third time: at most once more, never more.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from cases import access, service
from cases.db import unit_of_work
from cases.errors import NotFound
from cases.models import Case, Outbox
from cases.settings import Settings
from notifications.channels import (
    Delivery,
    HttpSmsGateway,
    Mailer,
    Message,
    NoSmsGateway,
    SmsGateway,
    SmtpConfig,
)
from rules.phones import InvalidPhone, sms_number
from rules.reasons import Reason, Text
from workflows.engine import ActionBlocked
from workflows.spec import Actor

INTERRUPTED_TWICE = (
    "delivery unconfirmed twice (the sending worker stopped before recording the result): "
    "not sent a third time; check with the recipient before retrying"
)


@dataclass(frozen=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.claimed + other.claimed, self.sent + other.sent, self.retried + other.retried,
            self.failed + other.failed, self.released + other.released,
        )


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int
    message: Message


def _table() -> Table:
    return SQLModel.metadata.tables["outbox"]


# -- claiming ------------------------------------------------------------------------------------


def claim(
    *, engine: Engine, now: datetime, worker: str, limit: int, lease: timedelta
) -> tuple[list[Claimed], int]:
    """Stamp up to `limit` due messages as this worker's; returns them, and how many were
    failed instead because a second claim on them had also ended without a verdict."""
    with unit_of_work(engine) as s:
        rows = list(
            s.exec(
                select(Outbox)
                .where(
                    col(Outbox.status) == "pending",
                    col(Outbox.next_attempt_at) <= now,
                    col(Outbox.claimed_until).is_(None) | (col(Outbox.claimed_until) < now),
                )
                .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not rows:
            return [], 0
        # A row still stamped with a claim whose lease ended was claimed and never recorded.
        twice = [r.id for r in rows if r.claimed_by is not None and r.unconfirmed >= 1]
        once = [r.id for r in rows if r.claimed_by is not None and r.unconfirmed == 0]
        taken = [r for r in rows if r.id not in twice]
        table = _table()
        if twice:
            s.execute(
                update(table).where(table.c.id.in_(twice)).values(
                    status="failed", last_error=INTERRUPTED_TWICE, claimed_by=None,
                    claimed_until=None, unconfirmed=table.c.unconfirmed + 1,
                )
            )
        if once:
            s.execute(
                update(table).where(table.c.id.in_(once)).values(unconfirmed=table.c.unconfirmed + 1)
            )
        s.execute(
            update(table)
            .where(table.c.id.in_([r.id for r in taken]))
            .values(claimed_by=worker, claimed_until=now + lease)
        )
        return [_claimed(r) for r in taken], len(twice)


def _claimed(row: Outbox) -> Claimed:
    assert row.id is not None
    return Claimed(
        id=row.id,
        attempts=row.attempts,
        message=Message(
            key=row.idempotency_key, channel=row.channel, address=row.address,
            language=row.language, subject=row.subject, text=row.body_text, html=row.body_html,
        ),
    )


# -- sending -------------------------------------------------------------------------------------


def smtp_config(settings: Settings) -> SmtpConfig:
    return SmtpConfig(
        host=settings.smtp_host, port=settings.smtp_port, sender=settings.mail_from,
        starttls=settings.smtp_starttls, tls=settings.smtp_tls,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        timeout=settings.smtp_timeout_seconds,
    )


def _unsendable(message: Message) -> str | None:
    """What makes a message impossible to send whatever the server says."""
    if message.channel not in ("email", "sms"):
        return f"unknown channel {message.channel!r}"
    if not message.text:
        return "nothing to send: the message was never rendered"
    if message.channel == "sms":
        try:
            sms_number(message.address)
        except InvalidPhone as exc:
            return str(exc)
    return None


async def _send_emails(
    mailer: Mailer, batch: Sequence[Claimed], now: datetime, stop_at: float
) -> dict[int, Delivery]:
    """One after the other on the one connection (SMTP is sequential per connection).
    Past `stop_at` the rest are left unsent, to be released: the lease must never end
    while this worker is still sending, or another worker would send them too."""
    results: dict[int, Delivery] = {}
    for c in batch:
        if time.monotonic() > stop_at:
            break
        results[c.id] = await mailer.send(c.message, at=now)
    return results


async def _send_sms(
    gateway: SmsGateway, batch: Sequence[Claimed], concurrency: int, stop_at: float
) -> dict[int, Delivery]:
    gate = asyncio.Semaphore(concurrency)
    results: dict[int, Delivery] = {}

    async def one(c: Claimed) -> None:
        async with gate:
            if time.monotonic() <= stop_at:
                results[c.id] = await gateway.send(c.message)

    await asyncio.gather(*(one(c) for c in batch))
    return results


async def deliver(
    batch: Sequence[Claimed],
    *,
    mailer: Mailer,
    gateway: SmsGateway,
    now: datetime,
    settings: Settings,
    stop_at: float,
) -> dict[int, Delivery]:
    """Each claimed message's verdict; a message missing from the answer was not tried."""
    verdicts: dict[int, Delivery] = {}
    sendable: list[Claimed] = []
    for c in batch:
        problem = _unsendable(c.message)
        if problem is None:
            sendable.append(c)
        else:
            verdicts[c.id] = Delivery("failed", error=problem)
    emails = [c for c in sendable if c.message.channel == "email"]
    texts = [c for c in sendable if c.message.channel == "sms"]
    by_email, by_sms = await asyncio.gather(
        _send_emails(mailer, emails, now, stop_at),
        _send_sms(gateway, texts, settings.sms_concurrency, stop_at),
    )
    return {**verdicts, **by_email, **by_sms}


# -- recording -----------------------------------------------------------------------------------


def backoff(attempts: int, settings: Settings, rng: random.Random) -> timedelta:
    """Doubling from `outbox_backoff_seconds`, capped, less a random share (never more
    than the nominal delay, so a retry is due by then at the latest)."""
    nominal = min(
        settings.outbox_backoff_max_seconds,
        settings.outbox_backoff_seconds * 2 ** max(attempts - 1, 0),
    )
    return timedelta(seconds=nominal * (1 - settings.outbox_backoff_jitter * rng.random()))


def record(
    *,
    engine: Engine,
    batch: Sequence[Claimed],
    verdicts: dict[int, Delivery],
    now: datetime,
    worker: str,
    settings: Settings,
    rng: random.Random,
) -> DispatchReport:
    """Every verdict of a batch in one transaction; a row whose claim is no longer this
    worker's (its lease ended and another took it) is left to that other worker."""
    sent: list[dict[str, Any]] = []
    retried: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    released: list[dict[str, Any]] = []
    for c in batch:
        verdict = verdicts.get(c.id)
        if verdict is None:
            released.append({"b_id": c.id})
            continue
        attempts = c.attempts + 1
        if verdict.outcome == "sent":
            sent.append({"b_id": c.id, "b_attempts": attempts, "b_provider": verdict.provider_id})
        elif verdict.outcome == "retry" and attempts < settings.outbox_max_attempts:
            retried.append({
                "b_id": c.id, "b_attempts": attempts, "b_error": verdict.error,
                "b_next": now + backoff(attempts, settings, rng),
            })
        else:
            error = verdict.error or "failed"
            if verdict.outcome == "retry":
                error = f"{error} (gave up after {attempts} attempts)"
            failed.append({"b_id": c.id, "b_attempts": attempts, "b_error": error})
    table = _table()
    mine = (table.c.id == bindparam("b_id")) & (table.c.claimed_by == worker)
    unclaim = {"claimed_by": None, "claimed_until": None}
    statements = (
        (sent, update(table).where(mine).values(
            status="sent", sent_at=now, attempts=bindparam("b_attempts"),
            provider_id=bindparam("b_provider"), last_error=None, **unclaim)),
        (retried, update(table).where(mine).values(
            attempts=bindparam("b_attempts"), last_error=bindparam("b_error"),
            next_attempt_at=bindparam("b_next"), **unclaim)),
        (failed, update(table).where(mine).values(
            status="failed", attempts=bindparam("b_attempts"), last_error=bindparam("b_error"),
            **unclaim)),
        (released, update(table).where(mine).values(**unclaim)),
    )
    with unit_of_work(engine) as s:
        connection = s.connection()
        for params, statement in statements:
            if params:
                connection.execute(statement, params)
    return DispatchReport(
        claimed=len(batch), sent=len(sent), retried=len(retried), failed=len(failed),
        released=len(released),
    )


# -- a run ---------------------------------------------------------------------------------------


def _gateway(settings: Settings) -> HttpSmsGateway | None:
    if not settings.sms_gateway_url:
        return None
    token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
    return HttpSmsGateway(
        settings.sms_gateway_url, token=token, timeout=settings.sms_gateway_timeout_seconds
    )


async def run(
    *,
    engine: Engine,
    now: datetime,
    worker: str,
    settings: Settings,
    rng: random.Random | None = None,
    max_batches: int | None = None,
) -> DispatchReport:
    """Deliver everything due by `now`, batch after batch, over one SMTP connection and
    one HTTP client. A message that fails now is due later, so a run always ends.

    Every claim of the run holds until `now` + lease, so the run stops claiming and
    sending when half the lease has passed (on the process's own clock: `now` may be a
    test's or a demo's): no message is still being sent when its claim could be taken
    over. A backlog larger than that is the next run's."""
    rng = rng or random.Random()
    lease = timedelta(seconds=settings.outbox_lease_seconds)
    stop_at = time.monotonic() + lease.total_seconds() / 2
    total = DispatchReport()
    batches = 0
    async with AsyncExitStack() as stack:
        mailer = await stack.enter_async_context(Mailer(smtp_config(settings)))
        http = _gateway(settings)
        gateway: SmsGateway = NoSmsGateway() if http is None else await stack.enter_async_context(http)
        while (max_batches is None or batches < max_batches) and time.monotonic() < stop_at:
            batch, abandoned = claim(
                engine=engine, now=now, worker=worker, limit=settings.outbox_batch_size, lease=lease,
            )
            total = total + DispatchReport(claimed=abandoned, failed=abandoned)
            if not batch:
                if abandoned:
                    continue
                break
            batches += 1
            verdicts = await deliver(
                batch, mailer=mailer, gateway=gateway, now=now, settings=settings, stop_at=stop_at,
            )
            total = total + record(
                engine=engine, batch=batch, verdicts=verdicts, now=now, worker=worker,
                settings=settings, rng=rng,
            )
    return total


def dispatch(
    *,
    engine: Engine,
    now: datetime,
    worker: str,
    settings: Settings,
    rng: random.Random | None = None,
    max_batches: int | None = None,
) -> DispatchReport:
    """`run` from synchronous code: the scheduler's thread, the CLI, the tests."""
    return asyncio.run(
        run(engine=engine, now=now, worker=worker, settings=settings, rng=rng,
            max_batches=max_batches)
    )


# -- what people see, and the admin's retry ------------------------------------------------------


def of_case(*, db_session: Session, reference: str, actor: Actor) -> list[Outbox]:
    """What was sent about a case, to whom, when: visible to whoever may see the case."""
    case = service.get(db_session=db_session, reference=reference, actor=actor)
    return list(
        db_session.exec(select(Outbox).where(col(Outbox.case_id) == case.id).order_by(col(Outbox.id)))
    )


def _admin(actor: Actor) -> None:
    access.require(actor, "notifications_admin")


def failures(
    *, db_session: Session, actor: Actor, limit: int = 100, before: int | None = None
) -> list[tuple[Outbox, str | None]]:
    """Failed messages, newest first, each with its case's reference (none for a digest)."""
    _admin(actor)
    query = (
        select(Outbox, Case.reference)
        .join(Case, col(Case.id) == col(Outbox.case_id), isouter=True)
        .where(col(Outbox.status) == "failed")
    )
    if before is not None:
        query = query.where(col(Outbox.id) < before)
    rows = db_session.exec(query.order_by(col(Outbox.id).desc()).limit(limit)).all()
    return [(row, reference) for row, reference in rows]


def retry(*, db_session: Session, outbox_id: int, actor: Actor, now: datetime) -> Outbox:
    """Put a failed message back in the queue, due now, with a fresh count of attempts;
    the retry is written in the case's history with who asked for it."""
    _admin(actor)
    row = db_session.get(Outbox, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound("notification", str(outbox_id))
    if row.status != "failed":
        raise ActionBlocked("retry", (Reason("notification_not_failed", Text(
            fr=f"Ce message n'est pas en échec (statut : {row.status}) : rien à relancer.",
            ar=f"هذه الرسالة ليست في حالة فشل (الحالة: {row.status}): لا شيء لإعادة إرساله.",
        )),))
    if not row.body_text:
        raise ActionBlocked("retry", (Reason("notification_not_rendered", Text(
            fr="Ce message n'a jamais pu être rédigé (modèle ou adresse invalide) : "
               "il ne peut pas être envoyé tel quel.",
            ar="تعذر تحرير هذه الرسالة (نموذج أو عنوان غير صالح): لا يمكن إرسالها كما هي.",
        )),))
    failure = row.last_error
    row.status, row.attempts, row.unconfirmed = "pending", 0, 0
    row.next_attempt_at, row.claimed_by, row.claimed_until = now, None, None
    db_session.add(row)
    if row.case_id is not None:
        case = db_session.get(Case, row.case_id)
        if case is not None:
            service.record_event(
                db_session, case, actor, now, kind="notification_retry",
                data={"notification": row.id, "template": row.template, "channel": row.channel,
                      "address": row.address, "failure": failure},
            )
    return row
