"""The scheduler's wiring: a few in-memory APScheduler 3 jobs, plain functions, that make
time pass. Deadlines themselves are rows (see `cases.timers`), so any number of scheduler
processes may run on one PostgreSQL database: each timer still fires once."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from cases import assembly_store, digest, dispatch, timers
from cases.clock import Clock
from cases.settings import Settings
from rules.calendar import OFFICE_TZ

log = logging.getLogger("coopflow.scheduler")


@dataclass(frozen=True)
class Context:
    engine: Engine
    settings: Settings
    clock: Clock
    worker: str


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def fire_due_timers(ctx: Context) -> timers.TickReport:
    """Claim and fire what fell due; after downtime this is the catch-up."""
    report = timers.tick(engine=ctx.engine, now=ctx.clock.now(), worker=ctx.worker, settings=ctx.settings)
    if report.claimed:
        log.info("timers: %s", report)
    return report


def dispatch_outbox(ctx: Context) -> dispatch.DispatchReport:
    """Deliver what the outbox holds due; delivery is asynchronous, in this thread's own
    event loop, one SMTP connection for the run."""
    report = dispatch.dispatch(engine=ctx.engine, now=ctx.clock.now(), worker=ctx.worker,
                               settings=ctx.settings)
    if report.claimed:
        log.info("outbox: %s", report)
    return report


def daily_digest(ctx: Context) -> int:
    """Tell each delegation's managers what is overdue and at risk this morning."""
    return digest.queue_daily(engine=ctx.engine, now=ctx.clock.now())


def open_general_assemblies(ctx: Context) -> None:
    """Open a general-assembly supervision case for each active cooperative whose financial
    year ended and that has none for that year yet. Daily, so a missed morning is caught up
    the next; idempotent, and safe with several scheduler processes (see `open_due`)."""
    opened = assembly_store.open_due(engine=ctx.engine, now=ctx.clock.now(), settings=ctx.settings)
    if opened:
        log.info("general assemblies: %d cases opened", opened)


def build(ctx: Context, *, blocking: bool = False) -> BaseScheduler:
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=OFFICE_TZ)
    common = {"args": [ctx], "max_instances": 1, "coalesce": True}
    scheduler.add_job(fire_due_timers, "interval", seconds=ctx.settings.timer_poll_seconds,
                      id="timers", **common)
    scheduler.add_job(dispatch_outbox, "interval", seconds=ctx.settings.outbox_poll_seconds,
                      id="outbox", **common)
    scheduler.add_job(daily_digest, "cron", hour=ctx.settings.digest_hour, minute=0, id="digest", **common)
    scheduler.add_job(open_general_assemblies, "cron", hour=5, minute=30, id="assemblies", **common)
    return scheduler
