"""The two ways a message leaves the office: email over SMTP, SMS through an HTTP gateway.

A channel knows nothing of cases or of the outbox: it takes a rendered `Message` and says
what became of it, as one of three verdicts. `sent` carries the provider's id; `retry` is a
failure that may pass (a server down or slow, a 4xx SMTP reply, a gateway's 5xx or 429);
`failed` is one that will not (a mailbox refused with a 5xx, a gateway's 4xx), with the
provider's own words, because that is what an admin reads before retrying by hand.

Each message carries its idempotency key where the other side can see it: in the email's
Message-ID (a resent email is recognisably the same message) and in the SMS gateway's
`Idempotency-Key` header (a gateway that honours it sends the SMS once).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import TracebackType
from typing import Any, Literal, Protocol

import aiosmtplib
import httpx

Outcome = Literal["sent", "retry", "failed"]


@dataclass(frozen=True)
class Message:
    """What to deliver: rendered text, an address, and the key that names it for good."""

    key: str
    channel: str
    address: str
    language: str
    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    provider_id: str | None = None
    error: str | None = None


def _sent(provider_id: str) -> Delivery:
    return Delivery("sent", provider_id=provider_id[:200])


def _retry(error: str) -> Delivery:
    return Delivery("retry", error=error[:1000])


def _failed(error: str) -> Delivery:
    return Delivery("failed", error=error[:1000])


# -- email ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    starttls: bool = False
    tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")


def message_id(key: str, sender: str) -> str:
    """The same key always gives the same Message-ID, readable by a postmaster (the case
    reference leads it) and unique (a digest of the whole key ends it)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "coopflow.invalid"
    readable = ".".join(p for p in _NOT_ATEXT.split(key) if p)[:120]
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"<{readable}.{digest}@{domain}>"


def email_message(message: Message, *, sender: str, at: datetime) -> EmailMessage:
    email = EmailMessage()
    # The body first: setting it clears every Content-* header.
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    email["From"] = sender
    email["To"] = message.address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(at)
    email["Message-ID"] = message_id(message.key, sender)
    email["Content-Language"] = message.language
    # RFC 3834: an automatic message; autoresponders must not answer it.
    email["Auto-Submitted"] = "auto-generated"
    return email


# Headers are written on one line up to SMTP's own limit (998): folded at 78, the standard
# library drops the space at the fold between two encoded words, and an Arabic subject
# loses a space ("NA-2026-000038، آخر" arrives as "NA-2026-000038،آخر").
WIRE = policy.SMTP.clone(max_line_length=998)


_CONNECTION_ERRORS = (
    aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPHeloError, aiosmtplib.SMTPAuthenticationError, aiosmtplib.SMTPNotSupported,
    OSError, TimeoutError,
)


class Mailer:
    """One SMTP connection for a batch: opened at the first message, reused for the next
    ones, reopened after the server drops it. Once the server cannot be reached, the rest
    of the batch is answered `retry` at once, without waiting for a timeout each."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: aiosmtplib.SMTP | None = None
        self._down: str | None = None
        self.connections = 0

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close(polite=True)

    async def _close(self, *, polite: bool) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None or not smtp.is_connected:
            return
        try:
            if polite:
                await smtp.quit()
            else:
                smtp.close()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        c = self.config
        smtp = aiosmtplib.SMTP(
            hostname=c.host, port=c.port, use_tls=c.tls, start_tls=c.starttls and not c.tls,
            username=c.username, password=c.password, timeout=c.timeout,
        )
        await smtp.connect()
        self.connections += 1
        self._smtp = smtp
        return smtp

    async def send(self, message: Message, *, at: datetime) -> Delivery:
        if self._down is not None:
            return _retry(self._down)
        email = email_message(message, sender=self.config.sender, at=at)
        try:
            smtp = await self._connection()
        except _CONNECTION_ERRORS as exc:
            self._down = f"SMTP server {self.config.host}:{self.config.port} unreachable: {_describe(exc)}"
            await self._close(polite=False)
            return _retry(self._down)
        try:
            await smtp.sendmail(
                parseaddr(self.config.sender)[1], [message.address], email.as_bytes(policy=WIRE)
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            return self._reply(refused.code, refused.message)
        except aiosmtplib.SMTPResponseException as exc:
            # aiosmtplib has reset the envelope; the connection serves the next message.
            return self._reply(exc.code, exc.message)
        except aiosmtplib.SMTPNotSupported as exc:
            return _failed(f"SMTP server cannot take this message: {exc}")
        except _CONNECTION_ERRORS as exc:
            # Dropped mid-message (idle timeout, a limit of messages per connection):
            # this one is retried later; the next one opens a fresh connection.
            await self._close(polite=False)
            return _retry(f"SMTP connection lost: {_describe(exc)}")
        except aiosmtplib.SMTPException as exc:
            await self._close(polite=False)
            return _retry(f"SMTP error: {_describe(exc)}")
        return _sent(str(email["Message-ID"]))

    @staticmethod
    def _reply(code: int, text: str) -> Delivery:
        """5xx: the server will never take this message; anything else may pass."""
        error = f"SMTP {code}: {text}"
        return _failed(error) if 500 <= code < 600 else _retry(error)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# -- SMS -----------------------------------------------------------------------------------------


class SmsGateway(Protocol):
    """Anything that takes an SMS and says what became of it."""

    async def send(self, message: Message) -> Delivery: ...


class NoSmsGateway:
    """No gateway configured: an SMS fails at once, visibly, instead of waiting forever."""

    async def send(self, message: Message) -> Delivery:
        return _failed("no SMS gateway configured (COOPFLOW_SMS_GATEWAY_URL)")


class HttpSmsGateway:
    """A JSON POST per SMS: {"to", "text", "reference"}, a bearer token, and the message's
    idempotency key in the `Idempotency-Key` header. 2xx is sent (the provider's id from
    `id` or `message_id`), 429 and 5xx and timeouts are retried, any other 4xx is failed
    with the provider's own message."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> HttpSmsGateway:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self._client = httpx.AsyncClient(timeout=self.timeout, headers=headers)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, message: Message) -> Delivery:
        if self._client is None:
            raise RuntimeError("use the gateway inside `async with`")
        try:
            response = await self._client.post(
                self.url,
                json={"to": message.address, "text": message.text, "reference": message.key},
                headers={"Idempotency-Key": message.key},
            )
        except httpx.TimeoutException as exc:
            return _retry(f"SMS gateway timed out: {_describe(exc)}")
        except httpx.TransportError as exc:
            return _retry(f"SMS gateway unreachable: {_describe(exc)}")
        status = response.status_code
        if 200 <= status < 300:
            return _sent(_provider_id(response) or message.key)
        error = f"SMS gateway {status}: {_provider_message(response)}"
        if status == 429 or status >= 500 or status < 400:
            return _retry(error)
        return _failed(error)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _provider_id(response: httpx.Response) -> str | None:
    body = _json(response)
    if isinstance(body, dict):
        for field in ("id", "message_id", "messageId"):
            if body.get(field) is not None:
                return str(body[field])
    return response.headers.get("X-Message-Id")


def _provider_message(response: httpx.Response) -> str:
    body = _json(response)
    if isinstance(body, dict):
        for field in ("error", "message", "detail"):
            value = body.get(field)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
    return response.text.strip()[:300] or response.reason_phrase
