"""Notifications: what was sent about a case, the failures an admin handles, and for the demo
the mailbox and SMS log that stand in for the world outside."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import MAX_ID
from cases import dispatch
from cases.errors import NotFound
from cases.models import Outbox
from notifications.catcher import MailCatcher
from notifications.sms_log import SmsLog

router = APIRouter(tags=["notifications"])


class NotificationPublic(BaseModel):
    id: int
    case: str | None = Field(default=None, description="The case's reference; none for a digest.")
    template: str
    recipient: str = Field(description="The role: applicant, assignee, managers, legal.")
    channel: str
    address: str
    language: str
    subject: str
    status: str = Field(description="pending, sent or failed.")
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    provider_id: str | None
    last_error: str | None

    @classmethod
    def of(cls, row: Outbox, reference: str | None) -> NotificationPublic:
        assert row.id is not None
        return cls(
            id=row.id, case=reference, template=row.template, recipient=row.recipient,
            channel=row.channel, address=row.address, language=row.language, subject=row.subject,
            status=row.status, attempts=row.attempts, created_at=row.created_at,
            next_attempt_at=row.next_attempt_at, sent_at=row.sent_at,
            provider_id=row.provider_id, last_error=row.last_error,
        )


@router.get("/api/v1/cases/{reference}/notifications", response_model=list[NotificationPublic])
def case_notifications(reference: str, actor: ActorDep, db_session: SessionDep) -> list[NotificationPublic]:
    """What was sent about the case, to whom, when, by which channel, with its status and
    attempts (the bodies stay private: the receipt carries the tracking PIN)."""
    rows = dispatch.of_case(db_session=db_session, reference=reference, actor=actor)
    return [NotificationPublic.of(row, reference) for row in rows]


@router.get("/api/v1/notifications/failures", response_model=list[NotificationPublic])
def failures(
    actor: ActorDep, db_session: SessionDep,
    limit: int = Query(default=100, ge=1, le=500),
    before: int | None = Query(default=None, ge=1, le=MAX_ID, description="Only ids below this one (next page)."),
) -> list[NotificationPublic]:
    """Failed messages, newest first (admins)."""
    rows = dispatch.failures(db_session=db_session, actor=actor, limit=limit, before=before)
    return [NotificationPublic.of(row, reference) for row, reference in rows]


@router.post("/api/v1/notifications/{notification_id}/retry", response_model=NotificationPublic)
def retry(notification_id: Annotated[int, Path(ge=1, le=MAX_ID)], actor: ActorDep, db_session: SessionDep, now: NowDep) -> NotificationPublic:
    """Put a failed message back in the queue, due now (admins); written in the case's history."""
    row = dispatch.retry(db_session=db_session, outbox_id=notification_id, actor=actor, now=now)
    db_session.commit()
    return NotificationPublic.of(row, None)


# -- the demo's stand-ins for the outside world ---------------------------------------------------


def _catcher(request: Request) -> MailCatcher:
    catcher: MailCatcher | None = getattr(request.app.state, "mail_catcher", None)
    if catcher is None:
        raise NotFound("route", "/api/v1/demo/mailbox (start with `coopflow serve --demo-outbox`)")
    return catcher


@router.get("/api/v1/demo/mailbox", tags=["demo"])
def mailbox(
    request: Request,
    reference: str | None = Query(default=None, description="Only the emails of this case."),
) -> list[dict[str, Any]]:
    """The emails the demo's local mail catcher received, newest first. Only with
    `coopflow serve --demo-outbox` (`make run`): nothing here ever left the machine."""
    caught = reversed(_catcher(request).messages())
    return [m.as_dict() for m in caught if reference is None or reference in m.message_id]


@router.get("/api/v1/demo/mailbox/page", tags=["demo"], response_class=HTMLResponse)
def mailbox_page(request: Request, reference: str | None = None) -> HTMLResponse:
    """The same, for a browser: each email as its recipient would see it."""
    caught = [m for m in reversed(_catcher(request).messages())
              if reference is None or reference in m.message_id]
    items = "".join(
        f"<section><h2>{escape(m.subject)}</h2><p>{escape(m.to)} · {escape(m.date)}</p>"
        f"<iframe style=\"width:100%;height:420px;border:1px solid #ccc\" "
        f"srcdoc=\"{escape(m.html or '<pre>' + escape(m.text) + '</pre>')}\"></iframe></section>"
        for m in caught
    )
    return HTMLResponse(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>coopflow demo mailbox</title>"
        "</head><body style=\"font-family:sans-serif;max-width:900px;margin:auto\">"
        f"<h1>Demo mailbox ({len(caught)})</h1>{items or '<p>Nothing caught yet.</p>'}</body></html>"
    )


@router.get("/api/v1/demo/sms", tags=["demo"])
def sms_log(request: Request) -> list[dict[str, Any]]:
    """The SMS the demo's local gateway received, newest first, with their parts."""
    log: SmsLog | None = getattr(request.app.state, "sms_log", None)
    if log is None:
        raise NotFound("route", "/api/v1/demo/sms (start with `coopflow serve --demo-outbox`)")
    return [m.as_dict() for m in reversed(log.messages())]
