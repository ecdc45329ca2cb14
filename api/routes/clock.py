from datetime import timedelta

from fastapi import APIRouter

from api.deps import ActorDep, ClockDep, EngineDep, NowDep, SessionDep, SettingsDep
from api.schemas import ClockMove, ClockPublic
from cases import access, timers
from cases.errors import NotFound

router = APIRouter(prefix="/api/v1/admin", tags=["demo"])


@router.get("/clock", response_model=ClockPublic)
def read_clock(actor: ActorDep, now: NowDep) -> ClockPublic:
    """The time the engine runs on (moved forward by the demo clock, when it is on)."""
    del actor
    return ClockPublic(now=now, fired=0)


@router.post("/clock", response_model=ClockPublic)
def move_clock(
    body: ClockMove, actor: ActorDep, clock: ClockDep, settings: SettingsDep, engine: EngineDep,
    db_session: SessionDep,
) -> ClockPublic:
    """Demonstrations only (COOPFLOW_DEMO_CLOCK): move time forward and fire what fell due,
    so that a person can watch a certificate warn, expire and notify."""
    if not settings.demo_clock:
        raise NotFound("route", "/api/v1/admin/clock")
    access.require(actor, "demo_clock")
    now = clock.advance(timedelta(days=body.days, hours=body.hours))
    # End this request's own transaction first: on SQLite it holds the lock the tick needs.
    db_session.commit()
    report = timers.tick(engine=engine, now=now, worker="demo-clock", settings=settings)
    return ClockPublic(now=now, fired=report.fired)
