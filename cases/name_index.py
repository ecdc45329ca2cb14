"""An in-memory index of the transliteration keys of every blocking name, for "too like".

The exact "same as" check is an indexed equality in the database and is always fresh. The
fuzzy check needs every key at hand: a scan per request in SQL would take seconds at
100,000 names, so each process keeps the distinct keys in memory and catches up on new rows
by id before each look-up. Deactivated names are filtered out by re-reading the few
matches from the database.

Two ways a name is "too like" another (the Companies House idea, on our cross-script keys):
- spelled alike: `fuzz.ratio` at or above the office's threshold;
- one is the other plus a word or so: every distinctive word of the shorter name is in the
  longer one, which adds at most `extra_words` (an office setting; "Al Amal" and "Al Amal
  Tiznit"). Moroccan names reuse a few dozen distinctive words with an activity and a
  place, so a name that adds a whole activity and place to a one-word name is not "too
  like" it: flagging those would flag nearly every request of a 65,000-name register.
  Those candidates are scored with `fuzz.WRatio`, which rates such containment high
  without calling it identical.

How the candidates are found without scoring the whole register (measured on 100,000
names, see docs/benchmarks.md); every filter below is a necessary condition, so the matches
are exactly those of scoring every key:
- spelled alike: `fuzz.ratio(a, b) >= T` means an insert/delete distance of at most
  (1 - T/100)(|a| + |b|), and that distance is at least the L1 distance between the two
  keys' letter counts. Keys are grouped by the counts of a few frequent letters (and their
  length), in nested dicts walked with that budget: at T = 90 a 20-letter key is scored
  against a few thousand keys instead of the 30,000-40,000 of its length band.
- containment: a candidate's word set is a superset of the request's with at most
  `extra_words` more words, or a subset with at most `extra_words` fewer. Postings are kept
  per (word, word-set size), so supersets come from intersecting a few short lists
  (rarest first), and subsets from looking up the request's own sub-sets of words. The
  earlier index counted hits over the whole posting lists of common words ("argan",
  "production"), tens of thousands of slots per request for a handful of candidates.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, combinations
from math import comb
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases.models import NameEntry

# Containment candidates scored per look-up at most: a one-word query such as "Amal" is
# contained in thousands of names, and an officer needs the closest few, not all of them.
_MAX_CONTAINMENT_CANDIDATES = 5000

# The letters whose counts group the keys for the "spelled alike" search. Any choice finds
# the same matches; these, among the letters whose counts vary most across the keys of a
# generated register, pruned best when measured (more letters prune more keys but cost more
# in walking the groups than scoring the keys would). Four: `_collect` walks three levels.
_SIGNATURE_LETTERS = ("t", " ", "n", "s")

# Beyond this many sub-sets of the request's words, the subsets of a long request are found
# by counting hits in the size-restricted postings instead of enumerating them.
_MAX_SUBSETS = 256

# Floating-point slack when turning the ratio threshold into integer bounds: a bound may
# only ever let one more key through, never keep a match out.
_EPSILON = 1e-6


def _words(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if w != "&")


def _set_key(words: Iterable[str]) -> str:
    """A word set as one string, the words sorted: a frozenset per registered key would hold
    its own copies of the words (about 20 MiB more at 100,000 names)."""
    return " ".join(sorted(words))


def _signature(key: str) -> tuple[int, ...]:
    """The key's length, then its count of each of `_SIGNATURE_LETTERS`: the path to its
    bucket in `NameIndex.alike` (the last count orders the bucket)."""
    return (len(key), *map(key.count, _SIGNATURE_LETTERS))


@dataclass
class _Bucket:
    """The keys of one length and one count of each signature letter but the last, sorted
    by their count of the last letter (then by slot): the keys a look-up may score are then
    one slice of it."""

    counts: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)

    def add(self, count: int, key: str, slot: int) -> None:
        at = bisect_right(self.counts, count)
        self.counts.insert(at, count)
        self.keys.insert(at, key)
        self.slots.insert(at, slot)


@dataclass
class NameIndex:
    last_id: int = 0
    keys: list[str] = field(default_factory=list)
    slot_of: dict[str, int] = field(default_factory=dict)
    ids_by_slot: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    # spelled alike: length -> count of each signature letter but the last -> bucket
    alike: dict[int, Any] = field(default_factory=dict)
    # containment: slots by their exact word set (as `_set_key`), and by (word, size of the
    # word set)
    by_word_set: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    postings: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
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
            *path, at, last = _signature(key)
            node = self.alike
            for coordinate in path:
                child = node.get(coordinate)
                if child is None:
                    child = node[coordinate] = {}
                node = child
            bucket = node.get(at)
            if bucket is None:
                bucket = node[at] = _Bucket()
            bucket.add(last, key, slot)
            words = _words(key)
            if words:
                self.by_word_set[_set_key(words)].append(slot)
                for word in words:
                    self.postings[word, len(words)].append(slot)
        self.ids_by_slot[slot].append(entry_id)
        self.last_id = max(self.last_id, entry_id)

    def similar(self, key: str, threshold: float, limit: int, extra_words: int = 1) -> list[tuple[int, float]]:
        """Entry ids of names too like `key` (score at least `threshold`), best first.

        The same list, order and ties included, as the plain way: score every key of the
        length band with `fuzz.ratio` (in order of length, then age) and keep the `limit`
        best; score every containment candidate not among them with `fuzz.WRatio` (in the
        order of a scan of the postings of the key's words, the first
        `_MAX_CONTAINMENT_CANDIDATES` only) and keep the `limit` best; merge, spellings
        first on equal scores. `tests/test_name_index.py` holds the plain way and checks
        the two agree."""
        if not key:
            return []
        with self.lock:
            alike = self._spelled_alike(key, threshold, limit)
            scores: dict[int, float] = dict(alike)
            words = _words(key)
            contained = [(order, s) for order, s in self._containing_or_contained(words, extra_words)
                         if s not in scores]
            if len(contained) > _MAX_CONTAINMENT_CANDIDATES:
                contained = sorted(contained)[:_MAX_CONTAINMENT_CANDIDATES]
            found = process.extract(key, [self.keys[s] for _, s in contained], scorer=fuzz.WRatio,
                                    score_cutoff=threshold, limit=None)
            for _, score, i in sorted(found, key=lambda m: (-m[1], contained[m[2]]))[:limit]:
                scores[contained[i][1]] = score
            best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
            return [(entry_id, score) for slot, score in best for entry_id in self.ids_by_slot[slot]]

    def _spelled_alike(self, key: str, threshold: float, limit: int) -> list[tuple[int, float]]:
        """The `limit` slots of best `fuzz.ratio` at least `threshold`, best first; on equal
        scores the shorter key, then the older one (the order of a scan by length)."""
        keys: list[str] = []
        slots: list[int] = []
        la, *letters = _signature(key)
        counts = tuple(letters)
        others = la - sum(counts)
        slack = 1 - threshold / 100
        for lb, node in self.alike.items():
            budget = slack * (la + lb) + _EPSILON
            if abs(la - lb) <= budget:
                _collect(node, counts, others, lb, budget, keys, slots)
        found = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
        ranked = sorted(found, key=lambda m: (-m[1], len(m[0]), slots[m[2]]))[:limit]
        return [(slots[i], score) for _, score, i in ranked]

    def _containing_or_contained(self, words: frozenset[str], extra_words: int) -> list[tuple[tuple[int, int], int]]:
        """Slots whose words include all of `words`, or are all among `words`, with at
        most `extra_words` words more on either side; each with its rank in a scan of the
        postings of `words` in their iteration order (the first of `words` it holds,
        then its slot), which decides ties and the cap."""
        if not words:
            return []
        order = {w: i for i, w in enumerate(words)}
        n = len(words)
        found: list[tuple[tuple[int, int], int]] = [((0, s), s) for s in self.by_word_set.get(_set_key(words), ())]
        for size in range(n + 1, n + extra_words + 1):
            found += [((0, s), s) for s in self._holding_all(words, size)]
        smallest = max(1, n - extra_words)
        if sum(comb(n, size) for size in range(smallest, n)) <= _MAX_SUBSETS:
            for size in range(smallest, n):
                for subset in combinations(words, size):
                    first = min(order[w] for w in subset)
                    found += [((first, s), s) for s in self.by_word_set.get(_set_key(subset), ())]
        else:
            for size in range(smallest, n):
                hits = Counter(chain.from_iterable(self.postings.get((w, size), ()) for w in words))
                for s, held in hits.items():
                    if held == size:
                        first = min(order[w] for w in _words(self.keys[s]))
                        found.append(((first, s), s))
        return found

    def _holding_all(self, words: frozenset[str], size: int) -> list[int]:
        """Slots of `size` words among which are all of `words`: the posting lists of that
        size intersected, shortest first."""
        lists = []
        for w in words:
            posting = self.postings.get((w, size))
            if not posting:
                return []
            lists.append(posting)
        lists.sort(key=len)
        if len(lists) == 1:
            return list(lists[0])
        held = set(lists[0])
        for posting in lists[1:]:
            held.intersection_update(posting)
            if not held:
                return []
        return sorted(held)


def _collect(node: dict[int, Any], counts: tuple[int, ...], others: int, lb: int, budget: float,
             keys: list[str], slots: list[int]) -> None:
    """Add to `keys` and `slots` every key of length `lb` under `node` that can score the
    threshold against a key with these letter `counts` and `others` letters besides.

    ratio = 100 * (1 - d / (la + lb)) with d the insert/delete distance, so a score of at
    least T allows d <= (1 - T/100)(la + lb), the `budget`; and d is at least the L1 distance
    between the two keys' letter counts (the signature letters, and all others together).
    Each level spends the difference of its letter's count; in a bucket, the last letter
    and the others share what is left, which keeps one range of counts of the last letter.
    Three nested loops rather than a recursion: the walk is most of a look-up's time."""
    want0, want1, want2, last = counts
    for count0, node1 in node.items():
        left0 = budget - abs(count0 - want0)
        if left0 < 0:
            continue
        for count1, node2 in node1.items():
            left1 = left0 - abs(count1 - want1)
            if left1 < 0:
                continue
            for count2, bucket in node2.items():
                left = left1 - abs(count2 - want2)
                if left < 0:
                    continue
                # a key of this bucket with c of the last letter has lb - (the three counts)
                # - c other letters, q - c more than the query: it spends |c - last| +
                # |q - c|, which is |q - last| for c between the two, and two more for
                # each step outside
                q = lb - count0 - count1 - count2 - others
                spare = left - abs(q - last)
                if spare < 0:
                    continue
                step = int(spare // 2)
                start = bisect_left(bucket.counts, min(q, last) - step)
                end = bisect_right(bucket.counts, max(q, last) + step)
                if start < end:
                    keys += bucket.keys[start:end]
                    slots += bucket.slots[start:end]


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
