"""Throw-away databases for the benchmarks: a SQLite file, and a PostgreSQL database when
COOPFLOW_BENCH_POSTGRES_URL (or COOPFLOW_TEST_POSTGRES_URL) names a server."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from cases.db import make_engine
from cases.migrate import upgrade


def postgres_url() -> str | None:
    return os.environ.get("COOPFLOW_BENCH_POSTGRES_URL") or os.environ.get("COOPFLOW_TEST_POSTGRES_URL")


def backends() -> list[str]:
    return ["sqlite"] + (["postgresql"] if postgres_url() else [])


@contextmanager
def fresh(backend: str) -> Iterator[Engine]:
    """A migrated, empty database that disappears afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    admin_url = postgres_url()
    assert admin_url
    name = f"coopflow_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
