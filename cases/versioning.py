"""One version per step: a case's version goes up once for each step that changes it,
however many times that step flushes.

SQLAlchemy's own counter adds one at every flush that updates the row. A step flushes
several times on its way (a query for the running timers flushes the new state, a
projection then edits the case's data and flushes again), so one step could add two or
three to the version, and the version an officer sees would count flushes, not steps.
Here the version is set by hand (`version_id_generator=False` on the mapper): before a
flush, a changed case not yet bumped in this step gets `version + 1`; the UPDATE still
carries `WHERE version = <the version read>`, so a stale writer is still refused. A step
starts with `new_step` (the service's `act` and `assign`: several may run in one
transaction, as the demo and the projections do); any other writer gets one bump per
transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction

_BUMPED = "coopflow_versioned"


def new_step(session: Session, obj: Any) -> None:
    """What `obj` changes from now on is a new version, even within the same transaction."""
    session.info.get(_BUMPED, set()).discard(inspect(obj).identity_key)


def install(model: type[Any]) -> None:
    """Bump `model.version` once per transaction for every changed row of `model`."""

    @event.listens_for(Session, "before_flush")
    def _bump(session: Session, _context: Any, _instances: Any) -> None:
        bumped: set[Any] = session.info.setdefault(_BUMPED, set())
        for obj in session.dirty:
            if not isinstance(obj, model):
                continue
            key = inspect(obj).identity_key
            if key not in bumped and session.is_modified(obj):
                obj.version = obj.version + 1
                bumped.add(key)

    @event.listens_for(Session, "after_transaction_end")
    def _forget(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # the outermost transaction: committed or rolled back
            session.info.pop(_BUMPED, None)
