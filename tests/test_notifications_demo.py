"""`make run`'s stand-ins for the outside world: the mail catcher and the SMS gateway log,
seen through the API as a person running the demo sees them; and two dispatchers at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from cases.clock import FixedClock
from cases.settings import Settings
from notifications.catcher import MailCatcher
from notifications.sms_log import SmsLog
from tests.conftest import local
from tests.test_name_approval import act
from tests.test_notifications_delivery import applicant, free_port, open_case, rows, run


@pytest.fixture
def demo(settings: Settings) -> Iterator[tuple[MailCatcher, SmsLog, Settings]]:
    """What `coopflow serve --demo-outbox` starts, on free ports."""
    catcher = MailCatcher(port=free_port()).start()
    log = SmsLog(port=free_port()).start()
    yield catcher, log, settings.model_copy(update={"smtp_port": catcher.port, "sms_gateway_url": log.url})
    catcher.stop()
    log.stop()


def test_an_approved_request_shows_its_emails_and_sms_in_the_demo(
    engine: Engine, clock: FixedClock, demo: tuple[MailCatcher, SmsLog, Settings]
) -> None:
    catcher, log, settings = demo
    opened = open_case(engine, settings, clock.now(),
                       applicant("ar", email="fatima@example.ma", phone="0661234567"))
    ref = opened.case.reference
    act(engine, settings, ref, "approve", clock.now() + timedelta(hours=1), data={})
    assert run(engine, settings, clock.now() + timedelta(hours=1)).sent == 4

    app = create_app(settings=settings, engine=engine, clock=clock)
    app.state.mail_catcher, app.state.sms_log = catcher, log
    with TestClient(app) as client:
        mailbox = client.get("/api/v1/demo/mailbox", params={"reference": ref}).json()
        assert [m["subject"] for m in mailbox] == [
            f"تم منح الاسم – الملف {ref}", f"تم تسلم طلبكم – الملف {ref} (شهادة التسمية)"]
        assert all(m["to"] == "fatima@example.ma" and m["language"] == "ar" for m in mailbox)
        assert 'dir="rtl"' in mailbox[0]["html"]
        page = client.get("/api/v1/demo/mailbox/page", params={"reference": ref})
        assert page.status_code == 200 and "Demo mailbox (2)" in page.text
        texts = client.get("/api/v1/demo/sms").json()
        assert [t["to"] for t in texts] == ["+212661234567"] * 2
        assert sum(opened.pin in t["text"] for t in texts) == 1  # on the receipt only
        assert all(ref in t["text"] and t["encoding"] == "ucs2" for t in texts)
        assert all(1 <= t["segments"] <= 2 for t in texts)


def test_the_demo_routes_do_not_exist_without_the_demo_outbox(client: TestClient) -> None:
    assert client.get("/api/v1/demo/mailbox").status_code == 404
    assert client.get("/api/v1/demo/sms").status_code == 404


def test_the_sms_log_honours_the_idempotency_key(
    engine: Engine, clock: FixedClock, demo: tuple[MailCatcher, SmsLog, Settings]
) -> None:
    _, log, settings = demo
    open_case(engine, settings, clock.now(), applicant("fr", phone="0612345678"))
    (row,) = rows(engine)
    first = log.receive({"to": "+212612345678", "text": "x"}, row.idempotency_key)
    assert run(engine, settings, clock.now()).sent == 1
    (sent,) = rows(engine)
    assert sent.provider_id == first.id and len(log.messages()) == 1


def test_two_dispatchers_at_once_deliver_each_message_once(
    engine: Engine, clock: FixedClock, demo: tuple[MailCatcher, SmsLog, Settings]
) -> None:
    catcher, _, settings = demo
    settings = settings.model_copy(update={"outbox_batch_size": 7})
    t0 = local(2026, 3, 2, 10, 0)
    for i in range(60):
        open_case(engine, settings, t0, applicant("fr", email=f"c{i}@example.ma"), f"Coopérative N{i}")
    reports = []

    def worker(name: str) -> None:
        reports.append(run(engine, settings, t0, worker=name))

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(r.sent for r in reports) == 60
    assert all(r.status == "sent" and r.attempts == 1 for r in rows(engine))
    ids = Counter(m.message_id for m in catcher.messages())
    assert len(ids) == 60 and set(ids.values()) == {1}
