"""The HTTP edge: routes call one service function each and shape the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api import problems, scheduler
from api.routes import (
    audits,
    auth,
    cases,
    cooperatives,
    disputes,
    documents,
    health,
    holidays,
    name_checks,
    notifications,
    overdue,
    register_reports,
    tracking,
    workflows,
)
from api.routes import clock as clock_routes
from api.routes import stats as stats_routes
from api.routes import users as users_routes
from cases.clock import Clock
from cases.db import make_engine
from cases.settings import Settings, get_settings

DESCRIPTION = """
coopflow: the case-management engine of the cooperatives office. Every name approval is a
case moving through a versioned state machine with rules, deadlines and notifications.

Sign in with **Authorize** (demo accounts are listed in the README), then open a name
request with `POST /api/v1/cases`.
"""


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
    *,
    run_scheduler: bool = False,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    clock = clock or Clock()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """`coopflow serve` runs the scheduler in the API process unless told not to."""
        jobs = None
        if run_scheduler:
            ctx = scheduler.Context(engine=engine, settings=settings, clock=clock,
                                    worker=scheduler.worker_name())
            jobs = scheduler.build(ctx)
            jobs.start()
        try:
            yield
        finally:
            if jobs is not None:
                jobs.shutdown(wait=False)

    app = FastAPI(title="coopflow", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    # Tokens expire on real time: a demo clock moved by two months must not sign people out.
    app.state.wall_clock = Clock() if settings.demo_clock else clock
    problems.install(app)
    for module in (health, auth, overdue, cases, cooperatives, disputes, name_checks, holidays, workflows, tracking, clock_routes,
                   notifications, register_reports, audits, documents, users_routes):
        app.include_router(module.router)
    app.include_router(cases.me_router)
    app.include_router(stats_routes.router)
    return app

