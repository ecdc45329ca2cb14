"""An in-memory index of the transliteration keys of every blocking name, for "too like".

The exact "same as" check is an indexed equality in the database and is always fresh. The
fuzzy check needs every key at hand: a scan per request in SQL would take seconds at
100,000 names, so each process keeps the distinct keys in memory, grouped by length (a
ratio of at least T between two strings bounds their lengths), and catches up on new rows
by id before each look-up. Deactivated names are filtered out by re-reading the few
matches from the database.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cases.models import NameEntry


@dataclass
class NameIndex:
    last_id: int = 0
    ids_by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    keys_by_length: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def catch_up(self, db_session: Session) -> None:
        """Load the rows added since the last look-up (any process may have added them)."""
        with self.lock:
            rows = db_session.exec(  # type: ignore[call-overload]
                select(NameEntry.id, NameEntry.translit_key)
                .where(NameEntry.id > self.last_id)  # type: ignore[operator]
                .order_by(NameEntry.id)  # type: ignore[arg-type]
            ).all()
            for entry_id, key in rows:
                if key not in self.ids_by_key:
                    self.keys_by_length[len(key)].append(key)
                self.ids_by_key[key].append(entry_id)
                self.last_id = entry_id

    def similar(self, key: str, threshold: float, limit: int) -> list[tuple[int, float]]:
        """Entry ids whose key scores at least `threshold` against `key`, best first."""
        if not key:
            return []
        # fuzz.ratio = 2*matches/(la+lb)*100 >= T implies lb within [la*T/(200-T), la*(200-T)/T]
        low = int(len(key) * threshold / (200 - threshold))
        high = int(len(key) * (200 - threshold) / threshold) + 1
        choices = [k for n in range(low, high + 1) for k in self.keys_by_length.get(n, ())]
        found = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=limit)
        return [(entry_id, score) for k, score, _ in found for entry_id in self.ids_by_key[k]]


_indexes: weakref.WeakKeyDictionary[Engine, NameIndex] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def for_engine(engine: Engine) -> NameIndex:
    """One index per database per process."""
    with _indexes_lock:
        index = _indexes.get(engine)
        if index is None:
            index = _indexes[engine] = NameIndex()
        return index


def forget(engine: Engine) -> None:
    """Drop the index of a database that was emptied (tests); ids may then be reused."""
    with _indexes_lock:
        _indexes.pop(engine, None)
