"""A local mail catcher for demonstrations: a real SMTP server (aiosmtpd) that keeps what it
receives in memory instead of delivering it, so that a person running the demo sees the
emails a case produced, in Arabic and French, exactly as they left the dispatcher.

Never a production component: it accepts mail for anyone and forgets it on restart.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session


@dataclass(frozen=True)
class CaughtEmail:
    envelope_from: str
    envelope_to: tuple[str, ...]
    sender: str
    to: str
    subject: str
    date: str
    message_id: str
    language: str
    text: str
    html: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _part(email: EmailMessage, subtype: str) -> str:
    body = email.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return ""
    return str(body.get_content())


def parse(raw: bytes, envelope_from: str, envelope_to: list[str]) -> CaughtEmail:
    email = message_from_bytes(raw, policy=policy.default)
    assert isinstance(email, EmailMessage)

    def header(name: str) -> str:
        """Unfolded: a long header arrives on two lines, its value starting with a space."""
        return " ".join(str(email.get(name, "")).split())

    return CaughtEmail(
        envelope_from=envelope_from,
        envelope_to=tuple(envelope_to),
        sender=header("From"),
        to=header("To"),
        subject=header("Subject"),
        date=header("Date"),
        message_id=header("Message-ID"),
        language=header("Content-Language"),
        text=_part(email, "plain"),
        html=_part(email, "html"),
    )


class _Handler:
    def __init__(self, catcher: MailCatcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        self.catcher.keep(parse(raw, str(envelope.mail_from or ""), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailCatcher:
    """Listens on host:port once started; `messages()` lists the catch, oldest first.
    Stopped and started again, it keeps what it caught (a drill of an SMTP outage)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025, keep: int = 2000) -> None:
        self.host = host
        self.port = port
        self._messages: deque[CaughtEmail] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def keep(self, email: CaughtEmail) -> None:
        with self._lock:
            self._messages.append(email)

    def messages(self) -> list[CaughtEmail]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> MailCatcher:
        if self._controller is None:
            controller = Controller(
                _Handler(self), hostname=self.host, port=self.port, enable_SMTPUTF8=True,
                server_kwargs={"data_size_limit": 10 * 1024 * 1024},
            )
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
