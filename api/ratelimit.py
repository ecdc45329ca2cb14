"""Rate limits at the edge, with the maintained `limits` library (moving windows), for
the public tracking route and for sign-in. The storage is a setting: in memory for one
process, a shared store (e.g. redis://) when several API workers run."""

from __future__ import annotations

import time
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from cases.errors import TooMany


@lru_cache(maxsize=8)
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(storage_uri))


@lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


def check(storage_uri: str, *checks: tuple[str, str, str]) -> None:
    """Each check is (rate such as "10/minute", namespace, key); all are counted, and the
    first exhausted one refuses with the seconds to wait."""
    limiter = _limiter(storage_uri)
    refused: int | None = None
    for rate, namespace, key in checks:
        item = _item(rate)
        if not limiter.hit(item, namespace, key):
            reset = limiter.get_window_stats(item, namespace, key).reset_time
            wait = max(1, int(reset - time.time()))
            refused = wait if refused is None else max(refused, wait)
    if refused is not None:
        raise TooMany(retry_after=refused)
