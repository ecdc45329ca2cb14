"""An in-memory index of the transliteration keys of every blocking name, for "too like".

The exact "same as" check is an indexed equality in the database and is always fresh. The
fuzzy check needs every key at hand: a scan per request in SQL would take seconds at
100,000 names, so each process keeps the distinct keys in memory and catches up on new rows
by id before each look-up. Deactivated names are filtered out by re-reading the few
matches from the database.

Two ways a name is "too like" another (the Companies House idea, on our cross-script keys):
- spelled alike: `fuzz.ratio` at or above the office's threshold. A ratio of at least T
  bounds the two lengths, so only keys of nearby lengths are scored;
- one is the other plus a word or so: every distinctive word of the shorter name is in the
  longer one, which adds at most `extra_words` (an office setting; "Al Amal" and "Al Amal
  Tiznit"). Moroccan names reuse a few dozen distinctive words with an activity and a
  place, so a name that adds a whole activity and place to a one-word name is not "too
  like" it: flagging those would flag nearly every request of a 65,000-name register.
  An inverted index of words finds the candidates, scored with `fuzz.WRatio`, which rates
  such containment high without calling it identical.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain

from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases.models import NameEntry

# Containment candidates scored per look-up at most: a one-word query such as "Amal" is
# contained in thousands of names, and an officer needs the closest few, not all of them.
_MAX_CONTAINMENT_CANDIDATES = 5000


def _words(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if w != "&")


@dataclass
class NameIndex:
    last_id: int = 0
    keys: list[str] = field(default_factory=list)
    word_counts: list[int] = field(default_factory=list)
    slot_of: dict[str, int] = field(default_factory=dict)
    ids_by_slot: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    slots_by_length: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def catch_up(self, db_session: Session) -> None:
        """Load the rows added since the last look-up (any process may have added them)."""
        with self.lock:
            rows = db_session.exec(
                select(col(NameEntry.id), col(NameEntry.translit_key))
                .where(col(NameEntry.id) > self.last_id)
                .order_by(col(NameEntry.id))
            ).all()
            for entry_id, key in rows:
                if entry_id is not None:
                    self._add(entry_id, key)

    def _add(self, entry_id: int, key: str) -> None:
        slot = self.slot_of.get(key)
        if slot is None:
            slot = self.slot_of[key] = len(self.keys)
            self.keys.append(key)
            words = _words(key)
            self.word_counts.append(len(words))
            self.slots_by_length[len(key)].append(slot)
            for word in words:
                self.postings[word].append(slot)
        self.ids_by_slot[slot].append(entry_id)
        self.last_id = max(self.last_id, entry_id)

    def similar(self, key: str, threshold: float, limit: int, extra_words: int = 1) -> list[tuple[int, float]]:
        """Entry ids of names too like `key` (score at least `threshold`), best first."""
        if not key:
            return []
        scores: dict[int, float] = {}
        # fuzz.ratio = 2*matches/(la+lb)*100 >= T implies lb within [la*T/(200-T), la*(200-T)/T]
        low = int(len(key) * threshold / (200 - threshold))
        high = int(len(key) * (200 - threshold) / threshold) + 1
        near = [s for n in range(low, high + 1) for s in self.slots_by_length.get(n, ())]
        for _, score, i in process.extract(
            key, [self.keys[s] for s in near], scorer=fuzz.ratio, score_cutoff=threshold, limit=limit
        ):
            scores[near[i]] = score
        contained = self._containing_or_contained(_words(key), extra_words)
        contained = [s for s in contained if s not in scores][:_MAX_CONTAINMENT_CANDIDATES]
        for _, score, i in process.extract(
            key, [self.keys[s] for s in contained], scorer=fuzz.WRatio, score_cutoff=threshold,
            limit=limit,
        ):
            scores[contained[i]] = score
        best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
        return [(entry_id, score) for slot, score in best for entry_id in self.ids_by_slot[slot]]

    def _containing_or_contained(self, words: frozenset[str], extra_words: int) -> list[int]:
        """Slots whose words include all of `words`, or are all among `words`, with at
        most `extra_words` words more on either side."""
        if not words:
            return []
        hits = Counter(chain.from_iterable(self.postings.get(w, ()) for w in words))
        return [
            slot
            for slot, n in hits.items()
            if (n == len(words) and self.word_counts[slot] - n <= extra_words)
            or (n == self.word_counts[slot] and len(words) - n <= extra_words)
        ]


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
