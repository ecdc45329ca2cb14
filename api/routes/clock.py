from datetime import timedelta

from fastapi import APIRouter

from api.deps import ActorDep, ClockDep, EngineDep, NowDep, SessionDep, SettingsDep
from api.schemas import ClockMove, ClockPublic
from cases import timers
from cases.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/v1/admin", tags=["demo"])


@router.get("/clock", response_model=ClockPublic)
def read_clock(actor: ActorDep, now: NowDep) -> ClockPublic:
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
    if actor.role != "admin":
        raise Forbidden("only an admin moves the demo clock")
    now = clock.advance(timedelta(days=body.days, hours=body.hours))
    # End this request's own transaction first: on SQLite it holds the lock the tick needs.
    db_session.commit()
    report = timers.tick(engine=engine, now=now, worker="demo-clock", settings=settings)
    return ClockPublic(now=now, fired=report.fired)
