"""The outbox dispatcher sending 10,000 queued emails to a local aiosmtpd server, against a
bare aiosmtplib loop sending the same messages over one connection, side by side in one
run. The ratio is the engine's overhead: claiming batches with a lease, building each email
from its row, recording every verdict in the database."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from cases import dispatch
from cases.models import Outbox
from cases.settings import Settings
from notifications.channels import message_id
from notifications.render import render
from tests.benchmarks.harness import Spread

EMAILS = 10_000
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_CHUNK = 2_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _context(language: str) -> dict[str, Any]:
    fr = language == "fr"
    deadline = {
        "last_day": date(2026, 5, 1),
        "basis": "décret 2-15-617, art. 4" if fr else "المرسوم 2.15.617، المادة 4",
        "explanation": "60 jours francs (décret 2-15-617, art. 4)" if fr else "60 يوما كاملة",
    }
    return {
        "office": "Office du Développement de la Coopération" if fr else "مكتب تنمية التعاون",
        "reference": "NA-2026-000001", "workflow": "Certificat de dénomination",
        "state": "Certificat délivré", "delegation": "Délégation d'Agadir", "today": NOW.date(),
        "recipient_name": "Fatima Ait Lahcen", "names": ["Coopérative Tifawin"],
        "granted_name": "Coopérative Tifawin", "extended": False,
        "deadlines": {"certificate_validity": deadline},
    }


def _queue(engine: Engine, tag: str) -> None:
    """10,000 rendered approvals, half in Arabic, queued as the service layer leaves them."""
    rendered = {lang: render("name_approved", lang, _context(lang)) for lang in ("ar", "fr")}
    rows = []
    for i in range(EMAILS):
        lang = "ar" if i % 2 else "fr"
        r = rendered[lang]
        rows.append({
            "created_at": NOW, "template": "name_approved", "recipient": "applicant",
            "channel": "email", "address": f"applicant{i}@example.ma", "language": lang,
            "subject": r.subject, "body_text": r.text, "body_html": r.html, "status": "pending",
            "attempts": 0, "next_attempt_at": NOW, "idempotency_key": f"bench:{tag}:{i}",
            "unconfirmed": 0,
        })
    with engine.begin() as conn:
        for start in range(0, EMAILS, _CHUNK):
            conn.execute(insert(Outbox), rows[start:start + _CHUNK])


def _messages(engine: Engine, tag: str) -> list[tuple[str, str, str, str, str, str]]:
    with engine.connect() as conn:
        return [
            (r.idempotency_key, r.address, r.language, r.subject, r.body_text, r.body_html)
            for r in conn.execute(
                select(Outbox).where(Outbox.idempotency_key.like(f"bench:{tag}:%"))  # type: ignore[attr-defined]
            )
        ]


async def _bare(port: int, sender: str, messages: list[tuple[str, str, str, str, str, str]]) -> None:
    """What a hand-written sender does: one connection, one EmailMessage per row."""
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    date = format_datetime(NOW)
    for key, address, language, subject, text, html in messages:
        email = EmailMessage()
        email.set_content(text)
        email.add_alternative(html, subtype="html")
        email["From"], email["To"], email["Subject"], email["Date"] = sender, address, subject, date
        email["Message-ID"] = message_id(key, sender)
        email["Content-Language"], email["Auto-Submitted"] = language, "auto-generated"
        await smtp.send_message(email)
    await smtp.quit()


@contextmanager
def _smtp_server() -> Iterator[int]:
    """aiosmtpd's Sink (accepts and discards) in its own process, so that the receiver
    does not share the senders' interpreter and its lock: what is measured is the senders."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the benchmark's SMTP server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(engine: Engine, settings: Settings, runs: int) -> dict[str, Any]:
    ours: list[float] = []
    bare: list[float] = []
    with _smtp_server() as port:
        settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                               "sms_gateway_url": None})
        for n in range(runs):
            tag = f"r{n}"
            _queue(engine, tag)
            messages = _messages(engine, tag)
            start = time.perf_counter()
            report = dispatch.dispatch(engine=engine, now=NOW, worker="bench", settings=settings)
            ours.append(time.perf_counter() - start)
            assert report.sent == EMAILS, report  # every one answered 250 by the server

            start = time.perf_counter()
            asyncio.run(_bare(port, settings.mail_from, messages))
            bare.append(time.perf_counter() - start)
    o, b = Spread.of(ours), Spread.of(bare)
    return {"ours": o, "bare": b, "ratio": o.median / b.median, "rate": EMAILS / o.median,
            "batch": settings.outbox_batch_size}
