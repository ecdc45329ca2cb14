"""Requests per second of `POST /api/v1/cases/{reference}/actions/approve` through a real
uvicorn server on localhost, next to a do-nothing FastAPI route served the same way (the
framework's own ceiling on this machine), measured alternately in one run.

Each server is its own process (`uvicorn --factory`, one worker, no access log): coopflow's
`api.app:create_app` on a fresh, migrated database with a real signed-in officer's token,
and `noop_app` below, whose one route parses the same request body (`ActionRequest`) in a
plain `def` (FastAPI's thread pool, as coopflow's routes) and returns a small object. The
load comes from this process: `CLIENTS` threads, each with its own keep-alive `httpx`
client, sharing a fixed list of requests and a time limit; every answer must be 200.

Each approval is a real step: the name check, the case's version bump, the history event,
the decision deadline cancelled and the certificate's 60 days started, the notification
written to the outbox, the certificate's name entry; then the answer with the case, its
running deadlines and every action from its new state. Each request approves a different
case, opened beforehand, with random names that are never the same as another by the name
rules' keys; the body accepts the name should the check find it close to another
(`accept_similar`), as an officer does after looking.
"""

from __future__ import annotations

import os
import random
import string
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from api.schemas import ActionRequest
from cases import reference_data, service, users
from cases.db import unit_of_work
from cases.settings import Settings
from rules.names import same_as_key, translit_key
from tests.benchmarks.harness import Spread, percentile
from tests.served import free_port, serving

REQUESTS = int(os.environ.get("COOPFLOW_BENCH_API_REQUESTS", "1000"))
CLIENTS = int(os.environ.get("COOPFLOW_BENCH_API_CLIENTS", "8"))
ROUNDS = int(os.environ.get("COOPFLOW_BENCH_API_ROUNDS", "3"))
TIME_LIMIT = float(os.environ.get("COOPFLOW_BENCH_API_SECONDS", "60"))  # per round
WARM_UP = 20
PASSWORD = "bench-password-0123"
ROOT = Path(__file__).resolve().parents[2]


def noop_app() -> FastAPI:
    """The framework's ceiling: the same method, path shape and body, no work."""
    app = FastAPI(title="noop")

    @app.post("/api/v1/cases/{reference}/actions/{trigger}")
    def act(reference: str, trigger: str, body: ActionRequest) -> dict[str, Any]:
        return {"reference": reference, "state": "approved", "version": body.expected_version + 1}

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


@contextmanager
def serve(factory: str, env: dict[str, str]) -> Iterator[str]:
    """A uvicorn process serving `factory` on a free localhost port; its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1", "--log-level", "warning", "--no-access-log"]
    with tempfile.TemporaryDirectory() as folder, serving(
        command, port=port, cwd=ROOT, env={**os.environ, **env}, log=Path(folder) / "server.log",
    ) as base:
        yield base


def _seed(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        reference_data.load(s)
        users.create(db_session=s, username="bench", password=PASSWORD, role="officer",
                     full_name="bench", delegation_code="AGA")


def _names(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    """`n` names, none the same as another by the name rules' keys (numbered names would
    be: the rules see through digits). Some are still alike; the officer accepts them
    (`accept_similar`), as one does after looking."""
    out: list[str] = []
    while len(out) < n:
        name = "Coopérative " + "".join(rng.choice(string.ascii_lowercase) for _ in range(12)).capitalize()
        keys = {"s:" + same_as_key(name), "t:" + translit_key(name)}
        if not keys & taken:
            taken |= keys
            out.append(name)
    return out


def _open(engine: Engine, settings: Settings, names: list[str]) -> list[tuple[str, str]]:
    """A name request for each name, opened now (the server's clock is real): its
    reference and its name."""
    with unit_of_work(engine) as s:
        user = users.get_by_username(db_session=s, username="bench")
        assert user is not None
        officer = users.actor_of(user)
        now = datetime.now(UTC)
        return [
            (service.open_case(
                db_session=s, workflow_key="name_approval", actor=officer, now=now, settings=settings,
                data={"names": [name], "founders": list("ABCDE"),
                      "sector": "agriculture", "purpose": "argan", "province": "Tiznit",
                      "applicant": {"full_name": "Fatima", "email": "f@example.ma"}},
            ).case.reference, name)
            for name in names
        ]


def _approvals(opened: list[tuple[str, str]]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"/api/v1/cases/{ref}/actions/approve",
             {"expected_version": 1, "data": {"accept_similar": [name]}}) for ref, name in opened]


def drive(base: str, requests: list[tuple[str, dict[str, Any]]], headers: dict[str, str]
          ) -> tuple[float, list[float], int]:
    """POST each (path, body) once from `CLIENTS` threads; seconds taken, latencies,
    failures. Stops early when `TIME_LIMIT` is spent."""
    lock = threading.Lock()
    todo = iter(requests)
    latencies: list[float] = []
    failures = [0]
    stop_at = time.perf_counter() + TIME_LIMIT

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while time.perf_counter() < stop_at:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                path, body = item
                began = time.perf_counter()
                answer = client.post(path, json=body)
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    if answer.status_code != 200:
                        failures[0] += 1
                        if failures[0] <= 3:
                            print(f"{path}: {answer.status_code} {answer.text[:500]}", file=sys.stderr)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began, latencies, failures[0]


def run(engine: Engine, settings: Settings) -> dict[str, Any]:
    """Alternate rounds: the do-nothing route, then coopflow's approvals, `ROUNDS` times."""
    _seed(engine)
    url = engine.url.render_as_string(hide_password=False)
    env = {"COOPFLOW_DATABASE_URL": url, "COOPFLOW_SECRET_KEY": settings.secret_key.get_secret_value(),
           "COOPFLOW_DEMO_OUTBOX": "false", "COOPFLOW_DEMO_CLOCK": "false"}
    rng, taken = random.Random(17), set[str]()
    rounds = [_approvals(_open(engine, settings, _names(rng, REQUESTS, taken))) for _ in range(ROUNDS)]
    warm = _approvals(_open(engine, settings, _names(rng, WARM_UP, taken)))
    noop = [(f"/api/v1/cases/N-{i}/actions/approve", body) for i, (_, body) in enumerate(rounds[0])]
    ours_rps: list[float] = []
    noop_rps: list[float] = []
    ours_lat: list[float] = []
    noop_lat: list[float] = []
    done = 0
    with serve("api.app:create_app", env) as ours, serve("tests.benchmarks.api_bench:noop_app", {}) as baseline:
        token = httpx.post(f"{ours}/api/v1/auth/token", data={"username": "bench", "password": PASSWORD},
                           timeout=30).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # warm both: imports, the name index, connections, FastAPI's caches
        drive(ours, warm, headers)
        drive(baseline, noop[:200], headers)
        for approvals in rounds:
            elapsed, lat, failed = drive(baseline, noop, headers)
            assert failed == 0, f"{failed} failed requests on the do-nothing route"
            noop_rps.append(len(lat) / elapsed)
            noop_lat += lat
            elapsed, lat, failed = drive(ours, approvals, headers)
            assert failed == 0, f"{failed} approvals did not answer 200"
            ours_rps.append(len(lat) / elapsed)
            ours_lat += lat
            done += len(lat)
    o, n = Spread.of(ours_rps), Spread.of(noop_rps)
    return {
        "ours": o, "noop": n, "ratio": n.median / o.median, "approvals": done,
        "ours_p50": percentile(ours_lat, 50), "ours_p95": percentile(ours_lat, 95),
        "noop_p50": percentile(noop_lat, 50), "noop_p95": percentile(noop_lat, 95),
    }
