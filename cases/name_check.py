"""The name check: the register and the valid certificates, judged by `rules.names`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import or_
from sqlmodel import Session, col, select

from cases import name_index
from cases.models import NameEntry
from cases.settings import Settings
from rules.names import NameMatch, NameVerdict, judge_name, same_as_key, script_of, translit_key

# The keys live in VARCHAR(250) columns, indexed. A key can be longer than its name (digits
# are spelled out, ligatures expanded: "0" * 249 keys to 1244 characters), so keys are stored
# and looked up cut at that length, the same way everywhere: no name overflows the column (a
# 500 on PostgreSQL, found by schemathesis), and equal names still meet.
KEY_LENGTH = 250


def keys_of(name: str) -> tuple[str, str]:
    """The name's "same as" key and transliteration key, as stored."""
    return same_as_key(name)[:KEY_LENGTH], translit_key(name)[:KEY_LENGTH]


def _match(entry: NameEntry, score: float) -> NameMatch:
    return NameMatch(name=entry.name, source=entry.source, ref=entry.ref, score=score)  # type: ignore[arg-type]


def check_name(
    name: str,
    *,
    db_session: Session,
    settings: Settings,
    sector: str | None = None,
    exclude_case_id: int | None = None,
) -> NameVerdict:
    """Same as: equal key in the same script, or equal transliteration key across scripts.
    Too like: a transliteration key scoring at least the office's threshold."""
    return check_names([name], db_session=db_session, settings=settings, sector=sector,
                       exclude_case_id=exclude_case_id)[0]


def check_names(
    names: Sequence[str],
    *,
    db_session: Session,
    settings: Settings,
    sector: str | None = None,
    exclude_case_id: int | None = None,
) -> list[NameVerdict]:
    """The verdict on each name of a request. The in-memory index catches up with the
    register once per request, at the first name that needs it, not once per name."""
    caught_up: list[name_index.NameIndex] = []

    def index() -> name_index.NameIndex:
        if not caught_up:
            found = name_index.for_engine(db_session.get_bind())  # type: ignore[arg-type]
            found.catch_up(db_session)
            caught_up.append(found)
        return caught_up[0]

    return [
        _check(n, index, db_session=db_session, settings=settings, sector=sector,
               exclude_case_id=exclude_case_id)
        for n in names
    ]


def _check(
    name: str,
    index: Callable[[], name_index.NameIndex],
    *,
    db_session: Session,
    settings: Settings,
    sector: str | None,
    exclude_case_id: int | None,
) -> NameVerdict:
    """One name: the database for "same as" (exact keys, always fresh), the index for "too
    like" (asked only when nothing is the same, which already refuses the name)."""
    (same_key, tkey), script = keys_of(name), script_of(name)
    same: list[NameMatch] = []
    seen: set[int] = set()
    if same_key:
        rows = db_session.exec(
            select(NameEntry).where(
                col(NameEntry.active),
                or_(col(NameEntry.same_key) == same_key, col(NameEntry.translit_key) == tkey),
            )
        )
        for entry in rows:
            if entry.case_id is not None and entry.case_id == exclude_case_id:
                continue
            if entry.same_key == same_key or script_of(entry.name) != script:
                same.append(_match(entry, 100.0))
                seen.add(entry.id)  # type: ignore[arg-type]

    similar: list[NameMatch] = []
    if tkey and not same:
        similar = _too_like(tkey, index(), db_session=db_session, settings=settings, seen=seen,
                            exclude_case_id=exclude_case_id)
    return judge_name(
        name, same_as=same, similar=similar, sector=sector, extra_sensitive=settings.sensitive_words
    )


def _too_like(
    tkey: str,
    index: name_index.NameIndex,
    *,
    db_session: Session,
    settings: Settings,
    seen: set[int],
    exclude_case_id: int | None,
) -> list[NameMatch]:
    """The `name_similar_limit` best matches the database confirms: active, of the key the
    index scored, not the case's own. The index picks the best before the database is read,
    so a match it had wrong (a certificate expired since it read the row, a row rolled back)
    would take the place of one further down: the index is told, the case's own rows are
    skipped, and it is asked again until every match it returns holds. Each round rules
    out at least one id, and the index keeps what it learnt for the next requests."""
    skip: set[int] = set(seen)
    rescored: set[int] = set()
    while True:
        scored = index.similar(tkey, settings.name_similarity_threshold, settings.name_similar_limit,
                               settings.name_too_like_extra_words, skip=skip)
        ids = [i for i, _ in scored]
        if not ids:
            return []
        entries: dict[int, NameEntry] = {
            e.id: e for e in db_session.exec(select(NameEntry).where(col(NameEntry.id).in_(ids)))
            if e.id is not None
        }
        own = {i for i, e in entries.items() if e.case_id is not None and e.case_id == exclude_case_id}
        wrong = index.confirm(
            ((i, e.translit_key, e.active) for i, e in entries.items()), ids
        ) | own
        if not wrong:
            break
        # a row found under another key (SQLite reused a rolled-back id) is scored again
        # under its own, once; any other wrong id is skipped, so that the rounds end
        again = {i for i in wrong - own - rescored if i in entries and entries[i].active}
        rescored |= again
        skip |= wrong - again
    return [_match(entries[i], float(score)) for i, score in scored][: settings.name_similar_limit]


def entries_for(
    names: Iterable[str], *, source: str, ref: str, cooperative_id: int | None = None,
    case_id: int | None = None,
) -> list[NameEntry]:
    """The rows that make these names block new ones."""
    keyed = [(n, *keys_of(n)) for n in names]
    return [
        NameEntry(
            source=source, ref=ref, name=n, same_key=key, translit_key=tkey,
            cooperative_id=cooperative_id, case_id=case_id, active=True,
        )
        for n, key, tkey in keyed
        if key
    ]
