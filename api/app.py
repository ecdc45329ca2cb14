"""The HTTP edge: routes call one service function each and shape the answer."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api import problems
from api.routes import auth, cases, health, name_checks
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
    settings: Settings | None = None, engine: Engine | None = None, clock: Clock | None = None
) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="coopflow", version="0.1.0", description=DESCRIPTION)
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.clock = clock or Clock()
    problems.install(app)
    for module in (health, auth, cases, name_checks):
        app.include_router(module.router)
    return app
