"""A local SMS gateway for demonstrations: it speaks the gateway protocol of
`channels.HttpSmsGateway` (JSON POST, bearer token, `Idempotency-Key`) and records each SMS
instead of sending it, so that a person running the demo sees what a cooperative's telephone
would have received, and what it would have cost in parts.

Like a real gateway it honours the idempotency key: the same key twice is one SMS, answered
with the same id. Never a production component.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from notifications.sms import encoding, segments


@dataclass(frozen=True)
class LoggedSms:
    id: str
    to: str
    text: str
    reference: str
    idempotency_key: str
    encoding: str
    segments: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SmsLog:
    """Listens on host:port once started; `messages()` lists the SMS, oldest first."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8026) -> None:
        self.host = host
        self.port = port
        self._messages: list[LoggedSms] = []
        self._by_key: dict[str, LoggedSms] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/sms"

    def messages(self) -> list[LoggedSms]:
        with self._lock:
            return list(self._messages)

    def receive(self, body: dict[str, Any], key: str) -> LoggedSms:
        with self._lock:
            if key and key in self._by_key:
                return self._by_key[key]
            text = str(body.get("text", ""))
            sms = LoggedSms(
                id=f"log-{len(self._messages) + 1}", to=str(body.get("to", "")), text=text,
                reference=str(body.get("reference", "")), idempotency_key=key,
                encoding=encoding(text), segments=segments(text),
            )
            self._messages.append(sms)
            if key:
                self._by_key[key] = sms
            return sms

    def start(self) -> SmsLog:
        if self._server is None:
            server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
            self.port = server.server_address[1]
            thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="sms-log", daemon=True)
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def _handler_for(log: SmsLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._answer(400, {"error": "the body is not JSON"})
                return
            if not isinstance(body, dict) or not body.get("to") or not body.get("text"):
                self._answer(400, {"error": "'to' and 'text' are required"})
                return
            sms = log.receive(body, self.headers.get("Idempotency-Key") or "")
            self._answer(200, {"id": sms.id, "segments": sms.segments})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the log is the record, not stderr."""

    return Handler
