"""Test fixtures. Every store test runs on SQLite, and on PostgreSQL when
COOPFLOW_TEST_POSTGRES_URL names a server (CI starts one; see .ci/run). In CI a missing
PostgreSQL is an error, not a skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from api.app import create_app
from cases import name_index, reference_data
from cases.clock import FixedClock
from cases.db import make_engine, unit_of_work
from cases.migrate import upgrade
from cases.models import User
from cases.settings import Settings
from cases.users import hash_password
from rules.calendar import OFFICE_TZ

PG_URL = os.environ.get("COOPFLOW_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

if os.environ.get("CI") and not PG_URL:
    raise pytest.UsageError("CI must run the store tests on PostgreSQL: set COOPFLOW_TEST_POSTGRES_URL")

PASSWORD = "correct-horse-battery"

assert isinstance(OFFICE_TZ, ZoneInfo)


def local(*args: int) -> datetime:
    """A moment on the office's wall clock."""
    return datetime(*args, tzinfo=OFFICE_TZ)  # type: ignore[misc]


def _postgres_database() -> Iterator[str]:
    assert PG_URL
    name = f"coopflow_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database per backend per test run, built by the real migrations."""
    if request.param == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "coopflow.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
    else:
        gen = _postgres_database()
        url = next(gen)
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()
        gen.close()


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """Argon2 is slow on purpose; hash the test password once."""
    return hash_password(PASSWORD)


def _wipe(engine: Engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))
    name_index.forget(engine)


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """A clean database with the regions, delegations and one user per role."""
    _wipe(migrated_engine)
    with unit_of_work(migrated_engine) as session:
        ids = reference_data.load(session)
        for username, role, delegation in [
            ("officer.agadir", "officer", "AGA"),
            ("officer.agadir2", "officer", "AGA"),
            ("officer.rabat", "officer", "RAB"),
            ("manager.agadir", "manager", "AGA"),
            ("manager.hq", "manager", None),
            ("legal.agadir", "legal", "AGA"),
            ("admin", "admin", None),
        ]:
            session.add(User(username=username, full_name=username, password_hash=_password_hash(),
                             role=role, delegation_id=ids[delegation] if delegation else None,
                             email=f"{username}@odco.example"))
    return migrated_engine


@pytest.fixture
def settings() -> Settings:
    # each test counts its own rate limits (the limiter is shared per storage URI)
    return Settings(database_url="sqlite://", secret_key="test-secret-key-long-enough-for-hs256-0123456789",  # type: ignore[arg-type]
                    rate_limit_storage=f"memory://?{uuid.uuid4().hex}")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local(2026, 3, 2, 10, 0))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(engine: Engine, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, engine=engine, clock=clock)) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
