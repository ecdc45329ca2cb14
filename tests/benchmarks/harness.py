"""Shared pieces of the benchmarks: repeated runs, medians and spreads, the report.

Every figure is reported as a ratio to a baseline measured in the same run, side by side,
because the machines are shared and noisy: an absolute time means little, a ratio of two
things measured together means more.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def fmt(self, unit: str = "ms", scale: float = 1000.0, digits: int = 2) -> str:
        return (
            f"{self.median * scale:.{digits}f} {unit} "
            f"({self.low * scale:.{digits}f}–{self.high * scale:.{digits}f})"
        )


def per_item(fn: Callable[[], int]) -> float:
    """Seconds per item for one run of `fn`, which returns how many items it did."""
    start = time.perf_counter()
    n = fn()
    return (time.perf_counter() - start) / max(n, 1)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("sqlalchemy", "sqlmodel", "transitions", "rapidfuzz", "fastapi", "psycopg")
    )
    return (
        f"{platform.node() or 'host'}: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}; {versions}"
    )
