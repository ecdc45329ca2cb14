"""The name index finds exactly what scoring every key would find.

`cases.name_index` prunes before it scores (letter counts for the spelling, word-set sizes
for containment). Pruning must never change a verdict, so these tests hold the plain way,
the index as it was before the pruning (scan the length band with `fuzz.ratio`, count hits
over whole posting lists for containment), and check that both give the same list (ids,
scores, order, ties) on a generated register of a few thousand names, for several office
settings and for the cap on containment candidates. The same comparison on the benchmark's
100,000 names is reported in docs/benchmarks.md."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from itertools import chain

import pytest
from rapidfuzz import fuzz, process

from cases import name_index
from cases.demo_names import cooperative_names, proposal
from rules.names import translit_key


class PlainIndex:
    """The index before pruning: every key of the length band scored with `fuzz.ratio`,
    containment candidates found by counting hits over the posting lists of every word."""

    def __init__(self, entries: list[tuple[int, str]]) -> None:
        self.keys: list[str] = []
        self.word_counts: list[int] = []
        self.slot_of: dict[str, int] = {}
        self.ids_by_slot: dict[int, list[int]] = defaultdict(list)
        self.slots_by_length: dict[int, list[int]] = defaultdict(list)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for entry_id, key in entries:
            slot = self.slot_of.get(key)
            if slot is None:
                slot = self.slot_of[key] = len(self.keys)
                self.keys.append(key)
                words = name_index._words(key)
                self.word_counts.append(len(words))
                self.slots_by_length[len(key)].append(slot)
                for word in words:
                    self.postings[word].append(slot)
            self.ids_by_slot[slot].append(entry_id)

    def similar(self, key: str, threshold: float, limit: int, extra_words: int) -> list[tuple[int, float]]:
        if not key:
            return []
        scores: dict[int, float] = {}
        low = int(len(key) * threshold / (200 - threshold))
        high = int(len(key) * (200 - threshold) / threshold) + 1
        near = [s for n in range(low, high + 1) for s in self.slots_by_length.get(n, ())]
        for _, score, i in process.extract(
            key, [self.keys[s] for s in near], scorer=fuzz.ratio, score_cutoff=threshold, limit=limit
        ):
            scores[near[i]] = score
        words = name_index._words(key)
        hits = Counter(chain.from_iterable(self.postings.get(w, ()) for w in words))
        contained = [
            slot
            for slot, n in hits.items()
            if (n == len(words) and self.word_counts[slot] - n <= extra_words)
            or (n == self.word_counts[slot] and len(words) - n <= extra_words)
        ]
        contained = [s for s in contained if s not in scores][: name_index._MAX_CONTAINMENT_CANDIDATES]
        for _, score, i in process.extract(
            key, [self.keys[s] for s in contained], scorer=fuzz.WRatio, score_cutoff=threshold,
            limit=limit,
        ):
            scores[contained[i]] = score
        best = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:limit]
        return [(entry_id, score) for slot, score in best for entry_id in self.ids_by_slot[slot]]


@pytest.fixture(scope="module")
def register() -> tuple[list[tuple[int, str]], list[str]]:
    """About 1,200 registered names (a few keys twice) and requests of every shape: new
    proposals, registered keys with a word more or less, lone common words."""
    rng = random.Random(7)
    names = [n for g in cooperative_names(rng, 600) for n in (g.name_ar, g.name_fr)]
    keys = [translit_key(n) for n in names]
    entries = list(enumerate(keys, 1))
    words = sorted({w for k in keys for w in k.split()})
    requests = [translit_key(n) for _ in range(40) for n in proposal(rng)]
    requests += rng.sample(keys, 40)
    requests += [" ".join(k.split()[:-1]) for k in rng.sample(keys, 40)]
    requests += [f"{k} {rng.choice(words)}" for k in rng.sample(keys, 40)]
    requests += words[:20] + [" ".join(rng.sample(words, 2)) for _ in range(20)] + ["", "&"]
    return entries, requests


@pytest.mark.parametrize(
    ("threshold", "limit", "extra_words"),
    [(90.0, 10, 1), (85.0, 3, 0), (80.0, 5, 2)],
)
def test_same_matches_as_scoring_every_key(
    register: tuple[list[tuple[int, str]], list[str]], threshold: float, limit: int, extra_words: int
) -> None:
    entries, requests = register
    assert any(PlainIndex(entries).similar(k, threshold, limit, extra_words) for k in requests)
    _finds_what_the_scan_finds(entries, requests, threshold, limit, extra_words)


def _finds_what_the_scan_finds(entries: list[tuple[int, str]], requests: list[str], threshold: float,
                               limit: int, extra_words: int) -> None:
    plain = PlainIndex(entries)
    index = name_index.NameIndex()
    for entry_id, key in entries:
        index._add(entry_id, key)
    for key in requests:
        assert index.similar(key, threshold, limit, extra_words) == plain.similar(
            key, threshold, limit, extra_words
        ), key


def test_the_cap_on_containment_candidates_keeps_the_same_ones(
    register: tuple[list[tuple[int, str]], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lone common word has more containment candidates than the cap: both ways keep
    the same first ones (the order of a scan of the postings), and the same ties."""
    entries, requests = register
    monkeypatch.setattr(name_index, "_MAX_CONTAINMENT_CANDIDATES", 3)
    _finds_what_the_scan_finds(entries, requests, 70.0, 10, 2)


def test_long_requests_count_hits_instead_of_enumerating_subsets(
    register: tuple[list[tuple[int, str]], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    entries, requests = register
    monkeypatch.setattr(name_index, "_MAX_SUBSETS", 0)
    _finds_what_the_scan_finds(entries, requests, 90.0, 10, 2)


def test_every_entry_of_a_shared_key_is_returned() -> None:
    index = name_index.NameIndex()
    for entry_id, key in [(1, "vml tznt"), (2, "nr"), (3, "vml tznt"), (4, "vml")]:
        index._add(entry_id, key)
    found = index.similar("vml tznt", 90.0, 10, 1)
    assert [entry_id for entry_id, _ in found][:2] == [1, 3]
    assert {entry_id for entry_id, _ in found} == {1, 3, 4}
    assert index.similar("", 90.0, 10, 1) == []


def test_equal_spelling_scores_go_to_the_shorter_key_first() -> None:
    """"abc" scores the same against "abd" and "abcxyz" (1 - 2/6 = 1 - 3/9): the plain scan
    goes by length, so "abd" comes first even though "abcxyz" is older."""
    entries = [(1, "abcxyz"), (2, "abd")]
    index = name_index.NameIndex()
    for entry_id, key in entries:
        index._add(entry_id, key)
    assert index.similar("abc", 60.0, 1, 0) == PlainIndex(entries).similar("abc", 60.0, 1, 0)
    assert [entry_id for entry_id, _ in index.similar("abc", 60.0, 1, 0)] == [2]
