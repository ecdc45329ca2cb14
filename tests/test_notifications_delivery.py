"""Delivery, end to end: cases driven through the service layer and the timers, the outbox
dispatched with the test's clock to a real SMTP server (aiosmtpd on a free local port) and
a real HTTP server standing in for the SMS gateway. Runs on every configured database."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api import scheduler
from cases import digest, dispatch, service, timers
from cases.clock import FixedClock
from cases.db import unit_of_work
from cases.models import Case, Outbox, User
from cases.settings import Settings
from notifications.catcher import CaughtEmail, MailCatcher
from notifications.channels import Mailer, NoSmsGateway
from tests.conftest import local, login
from tests.test_name_approval import FOUNDERS, act, actor

# -- the outside world: a real SMTP server, a real HTTP gateway ----------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gateway:
    """An SMS gateway on a local port that answers from a script (then 200), and keeps
    every request it received with its headers."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        self.delivered: list[dict[str, Any]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, answer = gateway.script.pop(0) if gateway.script else (200, {})
                gateway.requests.append({"headers": dict(self.headers), "body": body, "status": status})
                if status == 200:
                    gateway.delivered.append(body)
                    answer = {"id": f"gw-{len(gateway.delivered)}"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def answer(self, *responses: tuple[int, dict[str, Any]]) -> None:
        self.script.extend(responses)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mail() -> Iterator[MailCatcher]:
    catcher = MailCatcher(port=free_port()).start()
    yield catcher
    catcher.stop()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway()
    yield g
    g.close()


@pytest.fixture
def wired(settings: Settings, mail: MailCatcher, gateway: Gateway) -> Settings:
    return settings.model_copy(update={
        "smtp_port": mail.port, "sms_gateway_url": gateway.url,
        "sms_gateway_token": SecretStr("gateway-token"), "mail_from": "ODCO <no-reply@odco.example>",
    })


# -- driving cases -----------------------------------------------------------------------------


def applicant(language: str, *, email: str | None = None, phone: str | None = None) -> dict[str, Any]:
    return {"full_name": "Fatima Ait Lahcen" if language == "ar" else "Youssef Alami",
            "language": language, "email": email, "phone": phone}


def open_case(engine: Engine, settings: Settings, at: datetime, contact: dict[str, Any],
              name: str = "Coopérative Tifawin") -> service.Opened:
    data = {"names": [name], "founders": FOUNDERS, "sector": "agriculture",
            "purpose": "huile d'argan", "province": "Tiznit", "applicant": contact}
    with unit_of_work(engine) as s:
        return service.open_case(db_session=s, workflow_key="name_approval", data=data,
                                 actor=actor(engine, "officer.agadir"), now=at, settings=settings)


def run(engine: Engine, settings: Settings, at: datetime, worker: str = "w1") -> dispatch.DispatchReport:
    return dispatch.dispatch(engine=engine, now=at, worker=worker, settings=settings,
                             rng=random.Random(7))


def rows(engine: Engine, reference: str | None = None) -> list[Outbox]:
    with Session(engine) as s:
        query = select(Outbox).order_by(col(Outbox.id))
        if reference is not None:
            case_id = s.exec(select(Case.id).where(col(Case.reference) == reference)).one()
            query = query.where(col(Outbox.case_id) == case_id)
        return list(s.exec(query))


def inbox(mail: MailCatcher, reference: str) -> list[CaughtEmail]:
    return [m for m in mail.messages() if m.message_id.startswith(f"<{reference}.")]


def only(mail: MailCatcher, reference: str, subject_part: str) -> CaughtEmail:
    found = [m for m in inbox(mail, reference) if subject_part in m.subject]
    assert len(found) == 1, [(m.subject, m.message_id) for m in mail.messages()]
    (message,) = found
    return message


# -- what arrives --------------------------------------------------------------------------------


def test_receipt_approval_and_expiry_reminder_arrive_in_each_applicants_language(
    engine: Engine, wired: Settings, clock: FixedClock, mail: MailCatcher
) -> None:
    t0 = clock.now()
    ar = open_case(engine, wired, t0, applicant("ar", email="fatima@example.ma"), "تعاونية تيفاوين")
    fr = open_case(engine, wired, t0, applicant("fr", email="youssef@example.ma"), "Coopérative Amal")
    assert run(engine, wired, t0).sent == 2

    receipt_ar = only(mail, ar.case.reference, "تم تسلم طلبكم")
    assert receipt_ar.to == "fatima@example.ma" and receipt_ar.language == "ar"
    assert ar.case.reference in receipt_ar.subject and ar.pin in receipt_ar.text
    assert "4 مارس 2026" in receipt_ar.text and "المادة 7" in receipt_ar.text
    assert 'dir="rtl" lang="ar"' in receipt_ar.html.replace('lang="ar" dir="rtl"', 'dir="rtl" lang="ar"')
    receipt_fr = only(mail, fr.case.reference, "Demande reçue")
    assert receipt_fr.language == "fr" and fr.pin in receipt_fr.text
    assert "4 mars 2026" in receipt_fr.text and "loi 112-12, art. 7" in receipt_fr.text

    clock.advance(timedelta(hours=2))
    for opened in (ar, fr):
        act(engine, wired, opened.case.reference, "approve", clock.now(), data={})
    assert run(engine, wired, clock.now()).sent == 2
    approved_ar = only(mail, ar.case.reference, "تم منح الاسم")
    assert "«تعاونية تيفاوين»" in approved_ar.text and "1 ماي 2026" in approved_ar.text
    approved_fr = only(mail, fr.case.reference, "Nom accordé")
    assert "« Coopérative Amal »" in approved_fr.text and "1 mai 2026" in approved_fr.text
    assert "immatricul" in approved_fr.text and "7 jours francs" in approved_fr.text
    assert ar.pin not in approved_ar.text  # the PIN is on the receipt only

    clock.set(local(2026, 4, 22, 0, 0))  # ten days before the certificate's last day
    assert timers.tick(engine=engine, now=clock.now(), worker="t1", settings=wired).fired == 2
    assert run(engine, wired, clock.now()).sent == 2
    reminder_ar = only(mail, ar.case.reference, "تذكير")
    assert "1 ماي 2026" in reminder_ar.subject and "المرسوم 2.15.617، المادة 4" in reminder_ar.text
    reminder_fr = only(mail, fr.case.reference, "Rappel")
    assert "1 mai 2026" in reminder_fr.subject and fr.case.reference in reminder_fr.subject

    # Each message arrived once, and its row says so with the server's id.
    assert len(mail.messages()) == 6
    assert set(Counter(m.message_id for m in mail.messages()).values()) == {1}
    for row in rows(engine):
        assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
        assert row.provider_id in {m.message_id for m in mail.messages()}
    assert run(engine, wired, clock.now() + timedelta(days=1)).claimed == 0


def test_every_template_renders_from_real_cases_in_both_languages(
    engine: Engine, wired: Settings, clock: FixedClock, mail: MailCatcher
) -> None:
    with unit_of_work(engine) as s:
        agadir = s.exec(select(User).where(col(User.username) == "manager.agadir")).one()
        s.add(User(username="manager2.agadir", full_name="Lahcen Ait Taleb", password_hash="x",
                   role="manager", delegation_id=agadir.delegation_id, language="ar",
                   email="manager2.agadir@odco.example"))
    t0 = clock.now()
    approved = {lang: open_case(engine, wired, t0, applicant(lang, email=f"{lang}1@example.ma"),
                                f"Coopérative Tiwizi {lang}") for lang in ("ar", "fr")}
    refused = {lang: open_case(engine, wired, t0, applicant(lang, email=f"{lang}2@example.ma"),
                               f"Coopérative Amal {lang}") for lang in ("ar", "fr")}
    late = open_case(engine, wired, t0, applicant("ar", email="late@example.ma"), "Coopérative Nour")
    act(engine, wired, approved["ar"].case.reference, "refer", t0 + timedelta(hours=1),
        data={"note": "Nom proche d'une marque : avis du responsable."})
    act(engine, wired, approved["ar"].case.reference, "approve", t0 + timedelta(hours=2),
        who="manager.agadir", data={})
    act(engine, wired, approved["fr"].case.reference, "approve", t0 + timedelta(hours=2), data={})
    for opened in refused.values():
        act(engine, wired, opened.case.reference, "refuse", t0 + timedelta(hours=3),
            data={"reason": "Le nom est celui d'une coopérative immatriculée à Tiznit."})
    # The untouched request warns the managers when half its time is gone, then is overdue.
    timers.tick(engine=engine, now=local(2026, 3, 3, 18, 0), worker="t", settings=wired)
    timers.tick(engine=engine, now=local(2026, 3, 5, 0, 1), worker="t", settings=wired)
    assert digest.queue_daily(engine=engine, now=local(2026, 3, 5, 7, 0)) == 2
    timers.tick(engine=engine, now=local(2026, 4, 22, 0, 0), worker="t", settings=wired)  # remind
    timers.tick(engine=engine, now=local(2026, 5, 2, 0, 1), worker="t", settings=wired)  # expire
    for opened in approved.values():
        act(engine, wired, opened.case.reference, "extend", local(2026, 5, 5, 9, 0),
            data={"requested_on": "2026-05-05", "all_signatories": True})

    queued = rows(engine)
    assert [(r.template, r.last_error) for r in queued if r.status == "failed"] == []
    produced = {(r.template, r.language) for r in queued}
    templates = {"request_received", "name_approved", "name_refused", "name_referred",
                 "certificate_expiring", "certificate_expired", "certificate_extended",
                 "deadline_warning", "deadline_breached", "daily_digest"}
    assert produced == {(t, lang) for t in templates for lang in ("ar", "fr")}
    breached = [r for r in queued if r.template == "deadline_breached"]
    assert breached and all(late.case.reference in r.subject for r in breached)

    report = run(engine, wired, local(2026, 5, 5, 10, 0))
    assert report.sent == len(queued) == len(mail.messages())
    # What arrives is what the outbox (and so the case's notifications) shows, to the space.
    assert sorted(m.subject for m in mail.messages()) == sorted(r.subject for r in queued)
    assert {m.language for m in mail.messages()} == {"ar", "fr"}
    digest_ar = next(m for m in mail.messages() if m.to == "manager2.agadir@odco.example"
                     and "حصيلة" in m.subject)
    assert "مندوبية أكادير" in digest_ar.text and "الملفات المتأخرة: 1" in digest_ar.text


# -- SMTP outages and crashes ---------------------------------------------------------------------


def test_smtp_down_for_a_while_then_every_message_arrives_once(
    engine: Engine, wired: Settings, clock: FixedClock, mail: MailCatcher
) -> None:
    mail.stop()
    t0 = clock.now()
    refs = [open_case(engine, wired, t0, applicant("fr", email=f"c{i}@example.ma"),
                      f"Coopérative Tiwizi {i}").case.reference for i in range(3)]
    for hour in (0, 1):
        report = run(engine, wired, t0 + timedelta(hours=hour))
        assert (report.claimed, report.retried, report.sent) == (3, 3, 0)
    for row in rows(engine):
        assert row.status == "pending" and row.attempts == 2
        assert "unreachable" in (row.last_error or "")
        assert t0 + timedelta(hours=1) < row.next_attempt_at <= t0 + timedelta(hours=1, seconds=60)

    mail.start()
    # The scheduler's own job: one run, in its own event loop, with the clock.
    clock.set(t0 + timedelta(hours=2))
    ctx = scheduler.Context(engine=engine, settings=wired, clock=clock, worker="s1")
    assert scheduler.dispatch_outbox(ctx).sent == 3
    assert scheduler.dispatch_outbox(ctx).claimed == 0
    assert sorted(m.message_id.split(".")[0].lstrip("<") for m in mail.messages()) == sorted(refs)
    assert all(r.status == "sent" and r.attempts == 3 and r.last_error is None for r in rows(engine))


def test_a_message_that_keeps_failing_is_failed_after_the_last_attempt(
    engine: Engine, wired: Settings, clock: FixedClock, mail: MailCatcher
) -> None:
    settings = wired.model_copy(update={"outbox_max_attempts": 3})
    mail.stop()
    ref = open_case(engine, settings, clock.now(), applicant("fr", email="c@example.ma")).case.reference
    reports = [run(engine, settings, clock.now() + timedelta(hours=h)) for h in range(4)]
    assert [(r.retried, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    (row,) = rows(engine, ref)
    assert row.status == "failed" and row.attempts == 3
    assert "unreachable" in (row.last_error or "") and "gave up after 3 attempts" in (row.last_error or "")


def test_backoff_doubles_up_to_its_cap_and_is_never_later_than_nominal(settings: Settings) -> None:
    rng = random.Random(1)
    delays = [dispatch.backoff(n, settings, rng).total_seconds() for n in range(1, 10)]
    nominal = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert all(n / 2 <= d <= n for d, n in zip(delays, nominal, strict=True)), delays
    assert len({round(d) for d in delays}) == len(delays)  # jittered, not in lockstep


def _send_without_recording(engine: Engine, settings: Settings, at: datetime, worker: str) -> None:
    """A worker that claims, sends, and dies before recording anything."""
    batch, _ = dispatch.claim(engine=engine, now=at, worker=worker, limit=10,
                              lease=timedelta(seconds=settings.outbox_lease_seconds))
    assert batch

    async def send() -> None:
        async with Mailer(dispatch.smtp_config(settings)) as mailer:
            await dispatch.deliver(batch, mailer=mailer, gateway=NoSmsGateway(), now=at,
                                   settings=settings, stop_at=float("inf"))

    asyncio.run(send())


def test_a_crash_between_sending_and_recording_sends_once_more_never_more(
    engine: Engine, wired: Settings, clock: FixedClock, mail: MailCatcher
) -> None:
    t0 = clock.now()
    lease = timedelta(seconds=wired.outbox_lease_seconds)
    once = open_case(engine, wired, t0, applicant("fr", email="once@example.ma"), "Coopérative Un")
    _send_without_recording(engine, wired, t0, "crashed")
    assert run(engine, wired, t0 + lease / 2).claimed == 0  # the dead worker's lease holds
    assert run(engine, wired, t0 + lease + timedelta(seconds=1)).sent == 1
    copies = inbox(mail, once.case.reference)
    assert len(copies) == 2 and copies[0].message_id == copies[1].message_id  # recognisably one
    (row,) = rows(engine, once.case.reference)
    assert row.status == "sent" and row.unconfirmed == 1

    twice = open_case(engine, wired, t0 + lease * 2, applicant("fr", email="twice@example.ma"),
                      "Coopérative Deux")
    _send_without_recording(engine, wired, t0 + lease * 2, "crashed-1")
    _send_without_recording(engine, wired, t0 + lease * 3 + timedelta(seconds=1), "crashed-2")
    report = run(engine, wired, t0 + lease * 5)
    assert (report.sent, report.failed) == (0, 1)
    assert len(inbox(mail, twice.case.reference)) == 2  # not a third time
    (row,) = rows(engine, twice.case.reference)
    assert row.status == "failed" and row.last_error == dispatch.INTERRUPTED_TWICE


# -- SMS -----------------------------------------------------------------------------------------


def test_gateway_answering_500_then_200_delivers_once(
    engine: Engine, wired: Settings, clock: FixedClock, gateway: Gateway
) -> None:
    gateway.answer((500, {"error": "upstream operator unavailable"}))
    t0 = clock.now()
    opened = open_case(engine, wired, t0, applicant("ar", phone="06 12 34 56 78"))
    first = run(engine, wired, t0)
    assert (first.retried, first.sent) == (1, 0)
    (row,) = rows(engine)
    assert row.status == "pending" and "500" in (row.last_error or "")
    assert "upstream operator unavailable" in (row.last_error or "")

    assert run(engine, wired, t0 + timedelta(minutes=1)).sent == 1
    assert run(engine, wired, t0 + timedelta(hours=1)).claimed == 0
    assert len(gateway.delivered) == 1
    (sms,) = gateway.delivered
    assert sms["to"] == "+212612345678" and opened.pin in sms["text"]
    assert opened.case.reference in sms["text"]
    keys = {r["headers"]["Idempotency-Key"] for r in gateway.requests}
    assert keys == {row.idempotency_key} and len(gateway.requests) == 2
    assert all(r["headers"]["Authorization"] == "Bearer gateway-token" for r in gateway.requests)
    (row,) = rows(engine)
    assert (row.status, row.provider_id, row.attempts) == ("sent", "gw-1", 2)


def test_gateway_400_ends_failed_visible_and_an_admin_retries_it(
    engine: Engine, wired: Settings, clock: FixedClock, gateway: Gateway, client: TestClient
) -> None:
    gateway.answer((400, {"error": "destination blocked by the operator"}))
    opened = open_case(engine, wired, clock.now(), applicant("fr", phone="0712345678"))
    ref = opened.case.reference
    assert run(engine, wired, clock.now()).failed == 1
    assert run(engine, wired, clock.now() + timedelta(days=1)).claimed == 0  # not retried alone

    admin = login(client, "admin")
    failures = client.get("/api/v1/notifications/failures", headers=admin).json()
    (failure,) = failures
    assert failure["case"] == ref and failure["channel"] == "sms" and failure["status"] == "failed"
    assert failure["last_error"] == "SMS gateway 400: destination blocked by the operator"
    officer = login(client, "officer.agadir")
    assert client.get("/api/v1/notifications/failures", headers=officer).status_code == 403
    seen = client.get(f"/api/v1/cases/{ref}/notifications", headers=officer).json()
    assert [(n["template"], n["status"], n["attempts"]) for n in seen] == [
        ("request_received", "failed", 1)]

    assert client.post(f"/api/v1/notifications/{failure['id']}/retry", headers=officer).status_code == 403
    retried = client.post(f"/api/v1/notifications/{failure['id']}/retry", headers=admin)
    assert retried.status_code == 200 and retried.json()["status"] == "pending"
    assert run(engine, wired, clock.now()).sent == 1
    assert len(gateway.delivered) == 1 and gateway.delivered[0]["to"] == "+212712345678"
    again = client.post(f"/api/v1/notifications/{failure['id']}/retry", headers=admin)
    assert again.status_code == 409 and again.json()["reasons"][0]["code"] == "notification_not_failed"
    history = client.get(f"/api/v1/cases/{ref}/history", headers=officer).json()
    assert [e["kind"] for e in history][-1] == "notification_retry"
    assert client.get("/api/v1/notifications/failures", headers=admin).json() == []


def test_a_number_that_cannot_take_an_sms_fails_at_once_without_blocking_the_step(
    engine: Engine, wired: Settings, clock: FixedClock, gateway: Gateway, mail: MailCatcher
) -> None:
    opened = open_case(engine, wired, clock.now(),
                       applicant("fr", email="y@example.ma", phone="0528 82 00 00"))
    email, text = rows(engine)
    assert (email.channel, email.status) == ("email", "pending")
    assert (text.channel, text.status) == ("sms", "failed")
    assert "not a mobile number" in (text.last_error or "")
    assert run(engine, wired, clock.now()).sent == 1
    assert gateway.requests == [] and len(inbox(mail, opened.case.reference)) == 1


def test_the_case_notifications_are_seen_as_the_case_is(
    engine: Engine, wired: Settings, clock: FixedClock, mail: MailCatcher, client: TestClient
) -> None:
    opened = open_case(engine, wired, clock.now(), applicant("ar", email="f@example.ma"))
    run(engine, wired, clock.now())
    ref = opened.case.reference
    seen = client.get(f"/api/v1/cases/{ref}/notifications", headers=login(client, "officer.agadir"))
    (note,) = seen.json()
    assert note["address"] == "f@example.ma" and note["channel"] == "email"
    assert note["status"] == "sent" and note["attempts"] == 1 and note["sent_at"]
    assert note["language"] == "ar" and ref in note["subject"]
    assert opened.pin not in json.dumps(seen.json())  # the body, with its PIN, stays private
    other = client.get(f"/api/v1/cases/{ref}/notifications", headers=login(client, "officer.rabat"))
    assert other.status_code == 404
