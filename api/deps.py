"""FastAPI dependencies: the settings, the clock, a session per request, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.auth import username_from
from cases import users
from cases.clock import Clock
from cases.settings import Settings
from workflows.spec import Actor

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; a route commits what its service call wrote."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]


def get_now(clock: ClockDep) -> datetime:
    return clock.now()


NowDep = Annotated[datetime, Depends(get_now)]


def get_wall_time(request: Request) -> datetime:
    wall: Clock = request.app.state.wall_clock
    return wall.now()


WallTimeDep = Annotated[datetime, Depends(get_wall_time)]


def current_actor(
    token: Annotated[str, Depends(oauth2)], db_session: SessionDep, settings: SettingsDep,
    now: WallTimeDep,
) -> Actor:
    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="invalid or expired token",
        headers={"WWW-Authenticate": "Bearer"},
    )
    signed = username_from(token, settings=settings, now=now)
    if signed is None:
        raise unauthorized
    username, epoch = signed
    user = users.get_by_username(db_session=db_session, username=username)
    if user is None or not user.active or user.sessions_epoch != epoch:
        raise unauthorized
    return users.actor_of(user)


ActorDep = Annotated[Actor, Depends(current_actor)]
