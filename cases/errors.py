"""What the service layer refuses, in terms the edge turns into HTTP problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class NotFound(Exception):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class Conflict(Exception):
    """The case changed since the caller read it."""

    def __init__(self, reference: str, current_version: int | None) -> None:
        super().__init__(f"case {reference} changed (now version {current_version})")
        self.reference = reference
        self.current_version = current_version


class Invalid(Exception):
    """Input that does not fit its model; `errors` follow pydantic's shape."""

    def __init__(self, errors: Sequence[Any]) -> None:
        super().__init__("invalid input")
        self.errors = list(errors)


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class TooMany(Exception):
    """Too many attempts: come back after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; retry after {retry_after}s")
        self.retry_after = retry_after
