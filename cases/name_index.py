"""An in-memory index of the transliteration keys of every blocking name, for "too like".

The exact "same as" check is an indexed equality in the database and is always fresh. The
fuzzy check needs every key at hand: a scan per request in SQL would take seconds at
100,000 names, so each process keeps the distinct keys in memory and catches up on new rows
by id before each look-up (`NameIndex.catch_up`).

Catching up by id alone is not enough:
- ids are taken when a row is inserted and seen when it commits, and transactions commit
  out of order: T1 takes id 500, T2 takes 501 and commits first, a look-up reads 501; a
  catch-up "after the highest id seen" would never read 500. The ids below the highest seen
  and not seen yet are the index's *gaps*, read again at every catch-up until `_GAP_WINDOW`
  newer ids have been taken (most are permanent: rolled-back inserts on PostgreSQL).
- a catch-up inside a transaction sees that transaction's own rows before they commit. A
  rolled-back row is harmless on PostgreSQL (the re-check in the database drops it), but
  SQLite gives its id to the next row inserted. The rolled-back rows were the highest ids
  the index had seen, so each catch-up reads the last `_TAIL` ids seen again: one gone or
  holding another key means a rollback, and the whole `_GAP_WINDOW` is read again.
- `active` changes on an existing row (a certificate expires). The index keeps the flag
  read with each row, and the name check tells it what the database said of the matches it
  returned (`NameIndex.confirm`): inactive ids are skipped before the `limit` best are
  chosen, so ten close expired names never hide an eleventh, valid one. A row never goes
  from inactive back to active (a name that blocks again gets a new row), which the index
  relies on for rows older than the window.

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
from array import array
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, combinations
from math import comb
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import or_
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

# How long an id below the highest one seen is waited for: a transaction that inserts a
# name and commits after this many later ids were taken is not seen by the processes that
# caught up in between, until they restart. Name entries are inserted a few hundred a day
# (a register import: once, before any look-up), so a few thousand ids are weeks, where a
# transaction lasts seconds. Reading these ids costs only when some are missing: the
# catch-up lists them by primary key (`_MAX_LISTED_GAPS` at most, else a range from the
# oldest), and rolled-back ids on PostgreSQL stay missing until the window passes them.
_GAP_WINDOW = 5000
_MAX_LISTED_GAPS = 500

# The highest ids seen, read again at every catch-up (by primary key) to notice a rollback
# of rows the index saw uncommitted: any one of them gone or re-keyed is enough, since the
# rolled-back rows are always the highest ids the index had seen.
_TAIL = 16

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
    # the ids holding each key, ascending; and the slot of each id (-1: not indexed), 4
    # bytes an id where a dict would take about 100
    ids_by_slot: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    slot_by_id: array[int] = field(default_factory=lambda: array("i"))
    # ids below `last_id` not seen yet (see `_GAP_WINDOW`)
    gaps: set[int] = field(default_factory=set)
    # ids whose row is inactive, and the slots none of whose ids is active
    inactive: set[int] = field(default_factory=set)
    dead_slots: set[int] = field(default_factory=set)
    # spelled alike: length -> count of each signature letter but the last -> bucket
    alike: dict[int, Any] = field(default_factory=dict)
    # containment: slots by their exact word set (as `_set_key`), and by (word, size of the
    # word set)
    by_word_set: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    postings: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def catch_up(self, db_session: Session) -> None:
        """Load the rows added since the last look-up (any process may have added them),
        those committed late below the highest id seen (the gaps), and the last `_TAIL` ids
        again; all of the window again when those show a rollback. Each read is a range or
        a list on the primary key."""
        with self.lock:
            floor = self.last_id - _GAP_WINDOW
            if any(g <= floor for g in self.gaps):
                self.gaps = {g for g in self.gaps if g > floor}
            start = max(0, self.last_id - _TAIL)
            listed = sorted(g for g in self.gaps if g <= start)
            where = col(NameEntry.id) > start
            if len(listed) > _MAX_LISTED_GAPS:
                start = listed[0] - 1
                where = col(NameEntry.id) > start
            elif listed:
                where = or_(where, col(NameEntry.id).in_(listed))
            if self._apply(self._read(db_session, where), start) and start > 0:
                start = max(0, self.last_id - _GAP_WINDOW)
                self._apply(self._read(db_session, col(NameEntry.id) > start), start)

    @staticmethod
    def _read(db_session: Session, where: Any) -> Sequence[tuple[int | None, str, bool]]:
        return db_session.exec(
            select(col(NameEntry.id), col(NameEntry.translit_key), col(NameEntry.active))
            .where(where)
            .order_by(col(NameEntry.id))
        ).all()

    def _apply(self, rows: Iterable[tuple[int | None, str, bool]], start: int) -> bool:
        """Index `rows`, which hold every row above id `start` (and maybe some below).
        Indexed ids above `start` that are gone are dropped. True if an indexed id was gone
        or held another key: a rollback."""
        seen: set[int] = set()
        rolled_back = False
        for entry_id, key, active in rows:
            if entry_id is None:
                continue
            seen.add(entry_id)
            rolled_back |= self._put(entry_id, key, active)
            self.gaps.discard(entry_id)
        top = self.last_id
        for entry_id in range(start + 1, min(top, len(self.slot_by_id) - 1) + 1):
            if entry_id not in seen and self.slot_by_id[entry_id] >= 0:
                self._drop(entry_id)
                rolled_back = True
        if seen:
            self.last_id = max(top, max(seen))
        for entry_id in range(max(start, self.last_id - _GAP_WINDOW) + 1, self.last_id + 1):
            if not self._indexed(entry_id):
                self.gaps.add(entry_id)
        return rolled_back

    def confirm(self, rows: Iterable[tuple[int, str, bool]], asked: Iterable[int]) -> set[int]:
        """What the database holds for ids `similar` returned: (id, key, active) of those
        found among `asked`. Returns the ids the index had wrong (inactive, gone, or under
        another key), and corrects them: the next `similar` skips or re-scores them."""
        with self.lock:
            found: set[int] = set()
            wrong: set[int] = set()
            for entry_id, key, active in rows:
                found.add(entry_id)
                if not active or not self._indexed(entry_id) or self.keys[self.slot_by_id[entry_id]] != key:
                    wrong.add(entry_id)
                    self._put(entry_id, key, active)
            for entry_id in asked:
                if entry_id not in found and self._indexed(entry_id):
                    wrong.add(entry_id)
                    self._drop(entry_id)
                    if entry_id > self.last_id - _GAP_WINDOW:
                        self.gaps.add(entry_id)  # SQLite may give the id to a new row
            return wrong

    def _indexed(self, entry_id: int) -> bool:
        return entry_id < len(self.slot_by_id) and self.slot_by_id[entry_id] >= 0

    def _add(self, entry_id: int, key: str) -> None:
        """Index an active row (the tests and the benchmark build indexes this way)."""
        self._put(entry_id, key, True)
        self.last_id = max(self.last_id, entry_id)

    def _put(self, entry_id: int, key: str, active: bool) -> bool:
        """Index the row `entry_id` under `key`; True if it was indexed under another."""
        slot = self._slot(key)
        if entry_id >= len(self.slot_by_id):
            grow = max(entry_id + 1 - len(self.slot_by_id), len(self.slot_by_id) // 2, 1024)
            self.slot_by_id.extend(array("i", [-1]) * grow)
        old = self.slot_by_id[entry_id]
        if old != slot:
            if old >= 0:
                self.ids_by_slot[old].remove(entry_id)
                self._refresh(old)
            self.slot_by_id[entry_id] = slot
            insort(self.ids_by_slot[slot], entry_id)
        if active:
            self.inactive.discard(entry_id)
        else:
            self.inactive.add(entry_id)
        self._refresh(slot)
        return old >= 0 and old != slot

    def _drop(self, entry_id: int) -> None:
        """Forget a row that is gone (rolled back)."""
        slot = self.slot_by_id[entry_id]
        self.slot_by_id[entry_id] = -1
        self.ids_by_slot[slot].remove(entry_id)
        self.inactive.discard(entry_id)
        self._refresh(slot)

    def _refresh(self, slot: int) -> None:
        ids = self.ids_by_slot[slot]
        if not ids or (self.inactive and all(i in self.inactive for i in ids)):
            self.dead_slots.add(slot)
        else:
            self.dead_slots.discard(slot)

    def _slot(self, key: str) -> int:
        """The slot of `key`, indexed for both searches when it is new."""
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
        return slot

    def similar(self, key: str, threshold: float, limit: int, extra_words: int = 1,
                skip: Collection[int] = ()) -> list[tuple[int, float]]:
        """Entry ids of names too like `key` (score at least `threshold`), best first.

        The same list, order and ties included, as the plain way: score every key of the
        length band with `fuzz.ratio` (in order of length, then age) and keep the `limit`
        best; score every containment candidate not among them with `fuzz.WRatio` (in the
        order of a scan of the postings of the key's words, the first
        `_MAX_CONTAINMENT_CANDIDATES` only) and keep the `limit` best; merge, spellings
        first on equal scores. `tests/test_name_index.py` holds the plain way and checks
        the two agree. Inactive ids, and the ids in `skip`, are left out before the best
        are chosen: a key none of whose ids is left is not a candidate at all."""
        if not key:
            return []
        with self.lock:
            live = self._live(skip)
            alike = self._spelled_alike(key, threshold, limit, live)
            scores: dict[int, float] = dict(alike)
            words = _words(key)
            contained = [(order, s) for order, s in self._containing_or_contained(words, extra_words)
                         if s not in scores and (live is None or live(s))]
            if len(contained) > _MAX_CONTAINMENT_CANDIDATES:
                contained = sorted(contained)[:_MAX_CONTAINMENT_CANDIDATES]
            found = process.extract(key, [self.keys[s] for _, s in contained], scorer=fuzz.WRatio,
                                    score_cutoff=threshold, limit=None)
            for _, score, i in sorted(found, key=lambda m: (-m[1], contained[m[2]]))[:limit]:
                scores[contained[i][1]] = score
            best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
            if live is None:
                return [(entry_id, score) for slot, score in best for entry_id in self.ids_by_slot[slot]]
            return [(entry_id, score) for slot, score in best for entry_id in self.ids_by_slot[slot]
                    if entry_id not in self.inactive and entry_id not in skip]

    def _live(self, skip: Collection[int]) -> Callable[[int], bool] | None:
        """Whether a slot holds an id still to report; None when all do (the usual case)."""
        dead = self.dead_slots
        if not skip:
            return (lambda s: s not in dead) if dead else None
        inactive = self.inactive
        return lambda s: s not in dead and any(i not in inactive and i not in skip for i in self.ids_by_slot[s])

    def _spelled_alike(self, key: str, threshold: float, limit: int,
                       live: Callable[[int], bool] | None = None) -> list[tuple[int, float]]:
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
        if live is not None:
            found = [m for m in found if live(slots[m[2]])]
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
