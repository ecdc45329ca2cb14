"""The name check against a register of 100,000 names in Arabic and French, per request
(1 to 3 names), against a plain rapidfuzz scan over the same names."""

from __future__ import annotations

import random
import time

from cases.demo_names import cooperative_names, proposal
from rapidfuzz import fuzz, process
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cases.db import unit_of_work
from cases.models import NameEntry
from cases.name_check import check_names
from cases.settings import Settings
from rules.names import same_as_key, translit_key
from tests.benchmarks.harness import percentile

NAMES = 100_000
REQUESTS = 300


def _vowel_shift(name: str, rng: random.Random) -> str:
    """A proposal that is a near-copy of a registered name (Amal -> Amel)."""
    swaps = {"a": "e", "e": "a", "ou": "u", "i": "e"}
    src = rng.choice(list(swaps))
    return name.replace(src, swaps[src], 1)


def run(engine: Engine, settings: Settings) -> dict[str, float]:
    rng = random.Random(11)
    generated = cooperative_names(rng, NAMES // 2)
    names = [n for g in generated for n in (g.name_ar, g.name_fr)]
    with unit_of_work(engine) as s:
        rows = [
            {"source": "register", "ref": f"2020/1/{i:06d}", "name": n, "same_key": same_as_key(n),
             "translit_key": translit_key(n),
             "active": True}
            for i, n in enumerate(names)
        ]
        for start in range(0, len(rows), 10_000):
            s.execute(insert(NameEntry), rows[start : start + 10_000])

    requests: list[list[str]] = []
    for _ in range(REQUESTS):
        if rng.random() < 0.5:
            requests.append(proposal(rng))
        else:
            requests.append([_vowel_shift(rng.choice(names), rng) for _ in range(rng.randint(1, 3))])

    with Session(engine) as s:
        check_names(["Coopérative Warm Up"], db_session=s, settings=settings)  # loads the index once
        ours: list[float] = []
        for request in requests:
            start = time.perf_counter()
            check_names(request, db_session=s, settings=settings)
            ours.append(time.perf_counter() - start)

    lowered = [n.lower() for n in names]
    scans: list[float] = []
    for request in requests:
        start = time.perf_counter()
        for name in request:
            process.extract(name.lower(), lowered, scorer=fuzz.ratio, score_cutoff=85, limit=10)
        scans.append(time.perf_counter() - start)
    return {
        "ours_p50": percentile(ours, 50), "ours_p95": percentile(ours, 95),
        "scan_p50": percentile(scans, 50), "scan_p95": percentile(scans, 95),
    }
