"""The tables. Every schema change gets an Alembic migration in `cases/migrations/`.

Deadlines and notifications are rows here, not scheduler jobs: a claim on them is one
atomic statement, and any number of processes can share them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from cases import versioning
from cases.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)
    name_fr: str = Field(max_length=120)
    name_ar: str = Field(max_length=120)


class Delegation(SQLModel, table=True):
    """A regional delegation of the office: data the office edits, not a constant."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name_fr: str = Field(max_length=120)
    name_ar: str = Field(max_length=120)
    region_code: str = Field(foreign_key="region.code", max_length=16)
    provinces: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Cooperative(SQLModel, table=True):
    """An entry of the central register ([L] Arts. 7-14, [D] Arts. 1-13)."""

    __table_args__ = (
        UniqueConstraint("reg_year", "reg_series", "reg_seq", name="uq_cooperative_regnum"),
    )

    id: int | None = Field(default=None, primary_key=True)
    national_number: str = Field(unique=True, max_length=32)
    reg_year: int
    reg_series: int = Field(ge=1, le=4)
    reg_seq: int
    name_ar: str = Field(max_length=250)
    name_fr: str = Field(max_length=250)
    region_code: str = Field(foreign_key="region.code", max_length=16)
    delegation_id: int = Field(foreign_key="delegation.id", index=True)
    province: str = Field(max_length=100)
    sector: str = Field(max_length=100, index=True)
    members: int = Field(ge=0)
    women_members: int = Field(ge=0)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: str = Field(default="ar", max_length=2)
    status: str = Field(default="active", max_length=16, index=True)
    registered_on: date


class CooperativeEvent(SQLModel, table=True):
    """A correction of a register entry: what changed, by whom, when and why."""

    __tablename__ = "cooperative_event"

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperative.id", index=True)
    at: datetime = _utc()
    actor: str = Field(max_length=80)
    reason: str = Field(max_length=1000)
    changes: dict[str, Any] = _json()


class NameEntry(SQLModel, table=True):
    """A name that blocks a new one: a registered cooperative's or a valid certificate's.

    The normalised keys are indexed so that the "same as" check is an index look-up.
    """

    __tablename__ = "name_entry"
    __table_args__ = (
        Index("ix_name_entry_same_key_active", "same_key", "active"),
        Index("ix_name_entry_translit_key_active", "translit_key", "active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)  # register | certificate
    cooperative_id: int | None = Field(default=None, foreign_key="cooperative.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    ref: str = Field(max_length=32)
    name: str = Field(max_length=250)
    same_key: str = Field(max_length=250)
    translit_key: str = Field(max_length=250)
    active: bool = True


# Stands in for "no deadline running" in `Case.next_due_at` and `Case.at_risk_from`
# (see cases/deadlines.py): the far future sorts last on every database.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
_OPEN = text("closed_at IS NULL")
NEXT_DUE_COLUMNS = ("next_due_at", "id", "delegation_id", "workflow_key", "assignee_id")
DELEGATION_NEXT_DUE_COLUMNS = ("delegation_id", "next_due_at", "id", "workflow_key", "assignee_id", "at_risk_from")
AT_RISK_COLUMNS = ("at_risk_from", "next_due_at", "delegation_id")

_case_version = Column("version", Integer, nullable=False, server_default=text("1"))


class Case(SQLModel, table=True):
    # the version is bumped once per transaction by cases/versioning.py, not per flush
    __mapper_args__ = {"version_id_col": _case_version, "version_id_generator": False}
    __table_args__ = (
        Index("ix_case_delegation_state", "delegation_id", "state"),
        Index("ix_case_workflow_state", "workflow_key", "state"),
        # the officers' workload (cases/stats.py): open cases per holder, and recent closures
        Index(
            "ix_case_open_assignee",
            "assignee_id",
            "delegation_id",
            "closed_at",  # always NULL, but named by the counts: the index covers them
            "next_due_at",
            "at_risk_from",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index(
            "ix_case_closed_assignee",
            "closed_at",
            "assignee_id",
            "delegation_id",
            postgresql_where=text("closed_at IS NOT NULL"),
            sqlite_where=text("closed_at IS NOT NULL"),
        ),
        # the lists, soonest due first (the leading columns), and the overdue dashboard's and
        # at-risk counts read from the indexes alone (the trailing ones): cases/deadlines.py
        Index("ix_case_open_next_due", *NEXT_DUE_COLUMNS, postgresql_where=_OPEN, sqlite_where=_OPEN),
        Index("ix_case_open_delegation_next_due", *DELEGATION_NEXT_DUE_COLUMNS,
              postgresql_where=_OPEN, sqlite_where=_OPEN),
        Index("ix_case_open_at_risk", *AT_RISK_COLUMNS, postgresql_where=_OPEN, sqlite_where=_OPEN),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=32)
    workflow_key: str = Field(max_length=40)
    workflow_version: int
    state: str = Field(max_length=40)
    cooperative_id: int | None = Field(default=None, foreign_key="cooperative.id", index=True)
    delegation_id: int = Field(foreign_key="delegation.id")
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    data: dict[str, Any] = _json()
    pin_hash: str = Field(max_length=255)
    opened_at: datetime = _utc()
    updated_at: datetime = _utc()
    closed_at: datetime | None = _utc(default=None)
    # kept from the timers by cases/deadlines.py; NEVER when no deadline runs
    next_due_at: datetime = _utc(default=NEVER)
    at_risk_from: datetime = _utc(default=NEVER)
    version: int = Field(default=1, sa_column=_case_version)


class CaseEvent(SQLModel, table=True):
    """The append-only history: who did what, when, from which state to which."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    seq: int
    at: datetime = _utc()
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor: str = Field(max_length=80)
    kind: str = Field(max_length=24)  # opened | transition | comment | assigned | checked
    trigger: str | None = Field(default=None, max_length=40)
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str | None = Field(default=None, max_length=40)
    data: dict[str, Any] = _json()


class CaseDocument(SQLModel, table=True):
    """A document a case's state expects, marked received: by whom, when, in which state,
    and the file handed in, if any. The file itself is on disk under the upload folder at
    `stored_path` (named by its SHA-256, so the same file is stored once). One row per
    document of a case: receiving it again replaces the row, the history keeps both."""

    __tablename__ = "case_document"
    __table_args__ = (UniqueConstraint("case_id", "key", name="uq_case_document_key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    key: str = Field(max_length=40)
    state: str = Field(max_length=40)
    received_at: datetime = _utc()
    received_by: str = Field(max_length=80)
    received_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    file_name: str | None = Field(default=None, max_length=255)
    content_type: str | None = Field(default=None, max_length=100)
    size: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    stored_path: str | None = Field(default=None, max_length=200)


class Timer(SQLModel, table=True):
    """A deadline, a warning before it or a reminder, started and cancelled with the
    state change that causes it. The scheduler claims due rows with a lease.

    status: pending -> fired | collapsed (a stale warning or reminder, superseded) |
    breached (an escalated deadline, the case still overdue) -> closed | cancelled.
    """

    __table_args__ = (
        Index(
            "ix_timer_pending_due",
            "due_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # a case's timers of one deadline: what a firing checks for staleness, what a step
        # cancels, pauses and resumes
        Index("ix_timer_case_deadline", "case_id", "deadline_key"),
        Index(
            "ix_timer_open_deadline_due",
            "due_at",
            "case_id",
            postgresql_where=text("kind = 'deadline' AND status IN ('pending', 'breached')"),
            sqlite_where=text("kind = 'deadline' AND status IN ('pending', 'breached')"),
        ),
        # service-level compliance (cases/stats.py): the deadlines someone must meet
        # (escalated when missed), met ones by the instant they were met, and all of them
        # by their due instant (missed ones end there); covering, so that only the cases
        # are looked up
        Index(
            "ix_timer_deadline_met",
            "fired_at",
            "due_at",
            "case_id",
            "deadline_key",
            postgresql_where=text("kind = 'deadline' AND status = 'cancelled' AND action LIKE 'escalate:%'"),
            sqlite_where=text("kind = 'deadline' AND status = 'cancelled' AND action LIKE 'escalate:%'"),
        ),
        Index(
            "ix_timer_deadline_due",
            "due_at",
            "case_id",
            "status",
            "fired_at",
            "deadline_key",
            postgresql_where=text("kind = 'deadline' AND action LIKE 'escalate:%'"),
            sqlite_where=text("kind = 'deadline' AND action LIKE 'escalate:%'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    deadline_key: str = Field(max_length=40)
    kind: str = Field(max_length=16)  # deadline | warning | reminder
    state: str = Field(max_length=40)
    due_at: datetime = _utc()
    started_at: datetime = _utc()
    counting: str = Field(max_length=16)
    days: int | None = Field(default=None, description="the period's length, to recompute it")
    basis: str = Field(max_length=60)
    action: str = Field(max_length=120)
    explanation_fr: str = Field(max_length=500)
    explanation_ar: str = Field(max_length=500)
    status: str = Field(default="pending", max_length=16)  # pending | fired | cancelled
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = _utc(default=None)
    fired_at: datetime | None = _utc(default=None)


class Outbox(SQLModel, table=True):
    """A notification written, already rendered, in the transaction of the step that
    caused it. The dispatcher claims due rows with a lease (`claimed_by`/`claimed_until`);
    `unconfirmed` counts claims that ended without a verdict (a worker stopped mid-send),
    so that such a message is sent once more at most, never twice more."""

    __table_args__ = (
        Index(
            "ix_outbox_pending_next",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index(
            "ix_outbox_failed",
            "id",
            postgresql_where=text("status = 'failed'"),
            sqlite_where=text("status = 'failed'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    created_at: datetime = _utc()
    template: str = Field(max_length=80)
    recipient: str = Field(max_length=40)
    channel: str = Field(max_length=8)  # email | sms
    address: str = Field(max_length=254)
    language: str = Field(max_length=2)
    subject: str = Field(default="", max_length=300)
    body_text: str = ""
    body_html: str = ""
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    idempotency_key: str = Field(unique=True, max_length=80)
    provider_id: str | None = Field(default=None, max_length=200)
    last_error: str | None = None
    sent_at: datetime | None = _utc(default=None)
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = _utc(default=None)
    unconfirmed: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=80)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)  # officer | legal | manager | admin
    delegation_id: int | None = Field(default=None, foreign_key="delegation.id")
    email: str | None = Field(default=None, max_length=254)
    language: str = Field(default="fr", max_length=2)
    active: bool = True
    # moved on by a password reset or a deactivation: tokens signed before are refused
    sessions_epoch: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class Holiday(SQLModel, table=True):
    """The office's corrections to the estimated public holidays (moon-sighted dates)."""

    day: date = Field(primary_key=True)
    name_fr: str = Field(default="", max_length=120)
    name_ar: str = Field(default="", max_length=120)
    is_holiday: bool = True
    note: str | None = Field(default=None, max_length=500)


class ReferenceCounter(SQLModel, table=True):
    """Case references restart each year per case type: NA-2026-000123."""

    __tablename__ = "reference_counter"

    prefix: str = Field(primary_key=True, max_length=8)
    year: int = Field(primary_key=True)
    last: int = 0


versioning.install(Case)
