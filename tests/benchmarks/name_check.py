"""The name check against a register of 100,000 names in Arabic and French, per request
(1 to 3 names), against a plain rapidfuzz scan over the same names.

`python -m tests.benchmarks.name_check [REQUESTS]` checks, on the same register and that many
requests (3,000 by default), that the index finds exactly what the plain way finds (every
key of the length band scored, containment by counting hits: `tests/test_name_index.py`):
same ids, scores and order for every name of every request. It takes a few minutes."""

from __future__ import annotations

import random
import sys
import time

from rapidfuzz import fuzz, process
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cases.db import unit_of_work
from cases.demo_names import cooperative_names, proposal
from cases.models import NameEntry
from cases.name_check import check_names
from cases.name_index import NameIndex
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


def _register(rng: random.Random) -> list[str]:
    """The registered names: each generated cooperative in Arabic and in French."""
    return [n for g in cooperative_names(rng, NAMES // 2) for n in (g.name_ar, g.name_fr)]


def _requests(rng: random.Random, names: list[str], count: int) -> list[list[str]]:
    """Half new proposals, half near-copies of registered names."""
    requests: list[list[str]] = []
    for _ in range(count):
        if rng.random() < 0.5:
            requests.append(proposal(rng))
        else:
            requests.append([_vowel_shift(rng.choice(names), rng) for _ in range(rng.randint(1, 3))])
    return requests


def run(engine: Engine, settings: Settings) -> dict[str, float]:
    rng = random.Random(11)
    names = _register(rng)
    with unit_of_work(engine) as s:
        rows = [
            {"source": "register", "ref": f"2020/1/{i:06d}", "name": n, "same_key": same_as_key(n),
             "translit_key": translit_key(n),
             "active": True}
            for i, n in enumerate(names)
        ]
        for first in range(0, len(rows), 10_000):
            s.execute(insert(NameEntry), rows[first : first + 10_000])

    requests = _requests(rng, names, REQUESTS)

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


def compare(request_count: int, settings: Settings) -> tuple[int, int]:
    """(names checked, names whose matches differ) between the index and the plain way, on
    the benchmark's register, with the office's settings."""
    from tests.test_name_index import PlainIndex

    rng = random.Random(11)
    names = _register(rng)
    entries = [(i, translit_key(n)) for i, n in enumerate(names, 1)]
    plain = PlainIndex(entries)
    index = NameIndex()
    for entry_id, key in entries:
        index._add(entry_id, key)
    keys = [translit_key(n) for request in _requests(rng, names, request_count) for n in request]
    args = (settings.name_similarity_threshold, settings.name_similar_limit,
            settings.name_too_like_extra_words)
    differ = sum(index.similar(k, *args) != plain.similar(k, *args) for k in keys)
    return len(keys), differ


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    bench_settings = Settings(secret_key="bench-secret-key-long-enough-for-hs256-0123456789")  # type: ignore[arg-type]
    checked, differ = compare(count, bench_settings)
    print(f"{count:,} requests, {checked:,} names against {NAMES:,} registered: {differ} differ")
    raise SystemExit(1 if differ else 0)
