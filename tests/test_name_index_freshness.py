"""The in-memory name index stays true to the database: rows committed out of id order,
rows rolled back after the index saw them, rows that become inactive.

`tests/test_name_index.py` checks that the index finds what a scan finds on a fixed
register; these check that the register it holds is the database's, on both backends."""

from __future__ import annotations

from rapidfuzz import fuzz
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from cases import name_index
from cases.db import unit_of_work
from cases.models import NameEntry
from cases.name_check import check_name, keys_of
from cases.settings import Settings

QUERY = "Coopérative Tafraout Amandes Bio"
# eleven keys one letter from the query's ("tfrt vmnds bn", ...), and one two letters away
CLOSE = [f"Coopérative Tafraout Amandes Bi{c}" for c in "ntklmdfjrzh"]
FURTHER = "Coopérative Tafraout Amandes Bikal"


def _entry(name: str, *, entry_id: int | None = None, active: bool = True, ref: str = "R") -> NameEntry:
    same_key, tkey = keys_of(name)
    return NameEntry(id=entry_id, source="register", ref=ref, name=name, same_key=same_key,
                     translit_key=tkey, active=active)


def _too_like(engine: Engine, settings: Settings, name: str = QUERY) -> list[str]:
    with Session(engine) as s:
        return [m.name for m in check_name(name, db_session=s, settings=settings).matches]


def test_the_premise_the_close_names_outrank_the_further_one() -> None:
    query = keys_of(QUERY)[1]
    close = {keys_of(n)[1] for n in CLOSE}
    further = keys_of(FURTHER)[1]
    assert len(close) == len(CLOSE) > 10
    assert all(fuzz.ratio(query, k) > fuzz.ratio(query, further) >= 90 for k in close)
    assert all(keys_of(n)[0] != keys_of(QUERY)[0] for n in [*CLOSE, FURTHER])


def test_a_row_committed_after_a_higher_id_is_found(engine: Engine, settings: Settings) -> None:
    """T1 takes id 500, T2 takes 501 and commits first, a look-up catches up to 501, then T1
    commits: the next look-up must hold 500 (a catch-up "after the highest id" never would)."""
    with unit_of_work(engine) as s:
        s.add(_entry("Coopérative Nour Tiznit", entry_id=501))
    assert _too_like(engine, settings) == []
    assert name_index.for_engine(engine).last_id == 501
    with unit_of_work(engine) as s:
        s.add(_entry(FURTHER, entry_id=500))
    assert _too_like(engine, settings) == [FURTHER]


def test_a_late_row_is_found_after_later_ones_too(engine: Engine, settings: Settings) -> None:
    """The gap stays listed while newer rows arrive, and goes once the row is read."""
    with unit_of_work(engine) as s:
        s.add(_entry("Coopérative Nour Tiznit", entry_id=100))
    assert _too_like(engine, settings) == []
    for entry_id in range(101, 151):
        with unit_of_work(engine) as s:
            s.add(_entry(f"Coopérative Nour {entry_id}", entry_id=entry_id))
        _too_like(engine, settings)
    with unit_of_work(engine) as s:
        s.add(_entry(FURTHER, entry_id=50))
    assert _too_like(engine, settings) == [FURTHER]
    assert not name_index.for_engine(engine).gaps & {50, *range(100, 151)}


def test_a_rolled_back_row_seen_by_the_index_is_replaced(engine: Engine, settings: Settings) -> None:
    """A look-up inside a transaction indexes its uncommitted row; the transaction rolls
    back. On SQLite the next row takes the same id: it must be indexed with its own key."""
    with unit_of_work(engine) as s:
        s.add(_entry("Coopérative Nour Tiznit"))
    with Session(engine) as s:
        s.add(_entry("Coopérative Atlas Ouarzazate Safran"))
        s.flush()
        assert [m.name for m in check_name("Coopérative Atlas Ouarzazate Safrane", db_session=s,
                                           settings=settings).matches] == ["Coopérative Atlas Ouarzazate Safran"]
        s.rollback()
    assert _too_like(engine, settings, "Coopérative Atlas Ouarzazate Safrane") == []
    with unit_of_work(engine) as s:
        s.add(_entry(FURTHER))
    assert _too_like(engine, settings) == [FURTHER]
    assert _too_like(engine, settings, "Coopérative Atlas Ouarzazate Safrane") == []


def test_inactive_names_do_not_crowd_out_an_active_one(engine: Engine, settings: Settings) -> None:
    """Eleven closer names, all inactive (expired certificates), and one active: the active
    one is "too like" the request, whatever the limit of matches."""
    with unit_of_work(engine) as s:
        s.add_all(_entry(n, active=False) for n in CLOSE)
        s.add(_entry(FURTHER))
    assert _too_like(engine, settings) == [FURTHER]


def test_names_that_become_inactive_do_not_crowd_out_an_active_one(engine: Engine, settings: Settings) -> None:
    """The index read the close names while they were active; they expire afterwards (the
    catch-up by id does not see that): the active one is still reported, and the index
    remembers what it learnt."""
    with unit_of_work(engine) as s:
        s.add_all(_entry(n, ref="old") for n in CLOSE)
        s.add(_entry(FURTHER))
    assert len(_too_like(engine, settings)) == settings.name_similar_limit
    assert FURTHER not in _too_like(engine, settings)
    with unit_of_work(engine) as s:
        s.execute(update(NameEntry).where(col(NameEntry.ref) == "old").values(active=False))
    assert _too_like(engine, settings) == [FURTHER]
    index = name_index.for_engine(engine)
    assert [i for i, _ in index.similar(keys_of(QUERY)[1], 90.0, 1, 1)] == [
        i for i, _ in index.similar(keys_of(FURTHER)[1], 90.0, 1, 1)]


def test_some_inactive_among_the_matches_leave_the_active_ones_in_order(engine: Engine, settings: Settings) -> None:
    with unit_of_work(engine) as s:
        s.add_all(_entry(n, active=i % 2 == 0) for i, n in enumerate(CLOSE))
        s.add(_entry(FURTHER))
    assert _too_like(engine, settings) == [*CLOSE[::2], FURTHER]
