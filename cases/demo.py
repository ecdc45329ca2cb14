"""Demo data: a register of made-up cooperatives, the office's staff, and name-approval
cases in every state, for `coopflow demo`, the pages and the benchmarks.

The cases are not written as rows: each one is a short story played through the service
layer (`open_case`, `assign`, `act`) by the staff member who would take each step, at the
moment it would be taken, with the scheduler's own steps (a certificate expiring, an
extension window closing) taken by the system when they fall due. Their history, timers,
outbox and name reservations are therefore exactly what real use produces, and a change to
a rule or a definition shows up in the demo as it would in an office. The stories are
played in the order of their steps' instants, so that references and name reservations
follow each other as they would have.

The register is written in bulk, through the name rows `name_check.entries_for` makes, and
holds no two cooperatives whose names are the "same as" each other: a demo whose register
breaks the office's own rule would teach the wrong thing.
"""

from __future__ import annotations

import heapq
import random
import time as timing
import unicodedata
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col

from cases import reference_data, service
from cases.access import ROLES
from cases.calendar import load_calendar
from cases.db import unit_of_work
from cases.demo_names import (
    GeneratedName,
    Proposal,
    cooperative_names,
    person_name,
    proposal_for,
    respelled,
)
from cases.models import Case, Cooperative, Delegation, NameEntry, Timer, User
from cases.name_check import check_names, entries_for
from cases.settings import Settings
from cases.users import actor_of, hash_password
from rules.calendar import OFFICE_TZ, HolidayCalendar, local_day
from rules.certificates import last_day_to_ask
from rules.names import NameVerdict, same_as_key
from workflows.spec import SYSTEM, Actor

DEMO_PASSWORD = "demo1234"
STAFF_EMAIL_DOMAIN = "odco.example"
# Reserved for documentation (RFC 2606): a demo outbox can never reach a real person.
PUBLIC_EMAIL_DOMAIN = "mail.example"

ALREADY_LOADED = "demo data already loaded"


@dataclass(frozen=True, slots=True)
class StaffMember:
    username: str
    role: str
    delegation: str | None  # None = headquarters
    full_name: str
    language: str


DEMO_STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", "admin", None, "Nadia Benali", "fr"),
    StaffMember("manager.hq", "manager", None, "Karim Tazi", "fr"),
    StaffMember("officer.agadir", "officer", "AGA", "Brahim Oubella", "ar"),
    StaffMember("officer2.agadir", "officer", "AGA", "Fatima Zahra Amzil", "fr"),
    StaffMember("manager.agadir", "manager", "AGA", "Lahcen Ait Taleb", "ar"),
    StaffMember("legal.agadir", "legal", "AGA", "Hind Bakkali", "fr"),
    StaffMember("officer.marrakech", "officer", "MRK", "Youssef El Idrissi", "ar"),
    StaffMember("manager.marrakech", "manager", "MRK", "Khadija Chraibi", "fr"),
    StaffMember("officer.rabat", "officer", "RAB", "Meryem Alaoui", "fr"),
    StaffMember("manager.rabat", "manager", "RAB", "Hassan Berrada", "ar"),
    StaffMember("officer.errachidia", "officer", "ERR", "Mimoun Ouchen", "ar"),
)

_BATCH = 2000
# How many proposals a story checks in full for a free name before it settles for one that
# is only close: in a register of the real size nearly every plausible name is close to one.
_FREE_NAME_TRIES = 2
_OPENS = time(8, 30)
_CLOSES = time(16, 30)


def load(
    engine: Engine,
    *,
    settings: Settings,
    cooperatives: int = 3000,
    seed: int = 112,
    if_empty: bool = False,
    clock_now: datetime | None = None,
    progress: bool = True,
    other_case_types: bool = False,
) -> str:
    """Load the demo in one transaction (all of it or nothing, so that `--if-empty` never
    finds half a demo) and say what was loaded and how to sign in. The other case types'
    stories (registration, assemblies and audits, disputes and accompaniment) play after
    the name approvals, on the same register."""
    now = clock_now if clock_now is not None else datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("clock_now must be an aware datetime")
    if cooperatives < 0:
        raise ValueError("cooperatives cannot be negative")
    started = timing.perf_counter()
    rng = random.Random(seed)
    with unit_of_work(engine) as session:
        if if_empty and session.execute(select(col(Cooperative.id)).limit(1)).first() is not None:
            return ALREADY_LOADED
        reference_data.load(session)
        created, kept = _staff(session)
        bar = _Bar(progress)
        with bar:
            register, taken = _register(session, rng, cooperatives, now, bar)
            states = _play(session, rng, settings, now, register, taken, bar)
            others = _play_others(session, rng, settings, now) if other_case_types else Counter()
    return _summary(
        seed=seed, seconds=timing.perf_counter() - started, register=register, states=states,
        created=created, kept=kept, others=others,
    )


def _play_others(session: Session, rng: random.Random, settings: Settings, now: datetime) -> Counter[str]:
    """Each case type's own demo stories; counts keyed "<case type>.<state>"."""
    from cases import demo_assemblies, demo_disputes, demo_registration

    counts: Counter[str] = Counter()
    for module in (demo_registration, demo_assemblies, demo_disputes):
        for key, n in module.play(session, now=now, settings=settings, rng=rng).items():
            counts[key.replace(":", ".")] += n
    return counts


# -- progress ----------------------------------------------------------------------------------


class _Bar:
    """A progress bar on stderr (stdout carries the summary), or nothing at all."""

    def __init__(self, enabled: bool) -> None:
        self.progress: Progress | None = None
        if enabled:
            self.progress = Progress(
                TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(stderr=True),
            )

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def task(self, description: str, total: int) -> TaskID | None:
        return self.progress.add_task(description, total=total) if self.progress else None

    def advance(self, task: TaskID | None, steps: int = 1) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task, steps)


# -- staff ---------------------------------------------------------------------------------------


def _staff(session: Session) -> tuple[list[str], list[str]]:
    """Create the demo accounts that do not exist yet; an existing account (a real user, or
    a test's) keeps its password and role. Argon2 is slow on purpose, so the password is
    hashed once for all accounts."""
    existing = set(session.execute(select(col(User.username))).scalars())
    delegations = dict(session.execute(select(col(Delegation.code), col(Delegation.id))).all())
    password_hash: str | None = None
    created: list[str] = []
    kept: list[str] = []
    for member in DEMO_STAFF:
        if member.username in existing:
            kept.append(member.username)
            continue
        if member.role not in ROLES:
            raise ValueError(f"unknown role {member.role!r} for {member.username}")
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        session.add(User(
            username=member.username, full_name=member.full_name, password_hash=password_hash,
            role=member.role,
            delegation_id=delegations[member.delegation] if member.delegation else None,
            email=f"{member.username}@{STAFF_EMAIL_DOMAIN}", language=member.language,
        ))
        created.append(member.username)
    session.flush()
    return created, kept


# -- the register --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Registered:
    """What the stories need to know of a registered cooperative."""

    national_number: str
    name_ar: str
    name_fr: str
    province: str
    delegation: str


@dataclass(slots=True)
class _Draft:
    generated: GeneratedName
    entries: list[NameEntry]
    delegation: Delegation
    province: str
    year: int = 0
    series: int = 1
    registered_on: date = date.min


def _register(
    session: Session, rng: random.Random, n: int, now: datetime, bar: _Bar
) -> tuple[list[Registered], set[str]]:
    """`n` registered cooperatives, spread over the delegations by where their activity
    is done, numbered as the central register numbers them (YYYY/S/NNNNNN, restarting
    each year in four series); and the same-as keys of the whole register."""
    delegations = list(session.execute(select(Delegation)).scalars())
    by_province = {p: d for d in delegations for p in d.provinces}
    used = set(session.execute(
        select(col(NameEntry.same_key)).where(col(NameEntry.source) == "register")
    ).scalars())
    drafts = _drafts(rng, n, used, by_province, delegations, bar)
    _number(rng, drafts, local_day(now), load_calendar(session))
    last_seq: dict[tuple[int, int], int] = {
        (year, series): seq
        for year, series, seq in session.execute(
            select(col(Cooperative.reg_year), col(Cooperative.reg_series),
                   func.max(col(Cooperative.reg_seq)))
            .group_by(col(Cooperative.reg_year), col(Cooperative.reg_series))
        )
    }
    task = bar.task("Storing the register", len(drafts))
    register: list[Registered] = []
    for start in range(0, len(drafts), _BATCH):
        batch = drafts[start : start + _BATCH]
        rows = [_row(rng, d, last_seq, now) for d in batch]
        # A Core executemany, then the ids by number. With RETURNING, SQLite inserts row by
        # row and the results are spliced together in quadratic time; through the ORM,
        # rows with different missing values are sent in separate statements.
        session.execute(insert(_table(Cooperative)), rows)
        numbers = [row["national_number"] for row in rows]
        ids = dict(session.execute(
            select(col(Cooperative.national_number), col(Cooperative.id))
            .where(col(Cooperative.national_number).in_(numbers))
        ).all())
        entries: list[dict[str, Any]] = []
        for draft, row in zip(batch, rows, strict=True):
            number = row["national_number"]
            entries.extend(
                {
                    "source": e.source, "cooperative_id": ids[number], "case_id": None,
                    "ref": number, "name": e.name, "same_key": e.same_key,
                    "translit_key": e.translit_key, "active": True,
                }
                for e in draft.entries
            )
            register.append(Registered(number, row["name_ar"], row["name_fr"], draft.province,
                                       draft.delegation.code))
        session.execute(insert(_table(NameEntry)), entries)
        bar.advance(task, len(batch))
    return register, used


def _table(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _drafts(
    rng: random.Random,
    n: int,
    used: set[str],
    by_province: dict[str, Delegation],
    delegations: Sequence[Delegation],
    bar: _Bar,
) -> list[_Draft]:
    """Generated names, skipping any whose Arabic or French key is already in the register.
    The Arabic key is checked first, so that most repeats are caught before the rows and
    their keys are made."""
    task = bar.task("Naming cooperatives", n)
    drafts: list[_Draft] = []
    drawn = 0
    while len(drafts) < n:
        if drawn > 20 * n + 10_000:
            raise RuntimeError(f"the name generator cannot make {n} distinct names")
        for g in cooperative_names(rng, min(_BATCH, 2 * (n - len(drafts)) + 10)):
            drawn += 1
            if same_as_key(g.name_ar) in used:
                continue
            entries = entries_for([g.name_ar, g.name_fr], source="register", ref="")
            keys = {e.same_key for e in entries}
            if len(keys) < 2 or keys & used:
                continue
            used.update(keys)
            delegation = by_province.get(g.province)
            province = g.province
            if delegation is None:  # the office moved or renamed this province
                delegation = rng.choice(delegations)
                province = rng.choice(delegation.provinces) if delegation.provinces else g.province
            drafts.append(_Draft(g, entries, delegation, province))
            bar.advance(task)
            if len(drafts) == n:
                break
    return drafts


def _number(
    rng: random.Random, drafts: list[_Draft], today: date, calendar: HolidayCalendar
) -> None:
    """Registration years weighted to recent ones (about 5,000 new cooperatives a year
    now, far fewer twenty years ago), a day the courts' clerks work within the year, and
    the series: 4 for unions, 1 (natural persons) for most others."""
    years = list(range(2005, today.year + 1))
    weights = [1 + (y - years[0]) ** 1.5 for y in years]
    for d in drafts:
        year = rng.choices(years, weights=weights)[0]
        first = date(year, 1, 1)
        last = min(date(year, 12, 31), today)
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        while not calendar.is_business_day(day) and day > first:
            day -= timedelta(days=1)
        while not calendar.is_business_day(day) and day < last:
            day += timedelta(days=1)
        d.year, d.registered_on = year, day
        if d.generated.kind == "union":
            d.series = 4
        else:
            d.series = rng.choices((1, 2, 3), weights=(88, 7, 5))[0]
    drafts.sort(key=lambda d: (d.year, d.series, d.registered_on))


def _row(
    rng: random.Random, d: _Draft, last_seq: dict[tuple[int, int], int], now: datetime
) -> dict[str, Any]:
    g = d.generated
    seq = last_seq.get((d.year, d.series), 0) + 1
    last_seq[(d.year, d.series)] = seq
    if g.kind == "union":
        members = rng.randint(5, 40)  # member cooperatives
    else:
        members = max(5, min(300, round(rng.lognormvariate(2.4, 0.7))))
    if g.kind == "women":
        women = members
    elif rng.random() < 0.55:
        women = 0
    else:
        women = rng.randint(0, members // 2)
    old = d.year <= now.year - 4
    return {
        "national_number": f"{d.year}/{d.series}/{seq:06d}",
        "reg_year": d.year,
        "reg_series": d.series,
        "reg_seq": seq,
        "name_ar": g.name_ar,
        "name_fr": g.name_fr,
        "region_code": d.delegation.region_code,
        "delegation_id": d.delegation.id,
        "province": d.province,
        "sector": g.sector,
        "members": members,
        "women_members": women,
        "email": _email(g.name_fr, rng) if rng.random() < 0.25 else None,
        "phone": _phone(rng) if rng.random() < 0.5 else None,
        "language": "ar" if rng.random() < 0.78 else "fr",
        "status": "dissolved" if old and rng.random() < 0.04 else "active",
        "registered_on": d.registered_on,
    }


_NOT_IN_ADDRESSES = frozenset({
    "cooperative", "feminine", "union", "des", "cooperatives", "al", "el", "pour", "la",
    "le", "de", "l", "d", "du", "et", "wa", "an", "ar", "as", "at", "az", "ech", "es", "ait",
})


def _ascii_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else " " for ch in plain).split()


def _email(name_fr: str, rng: random.Random) -> str:
    words = [w for w in _ascii_words(name_fr) if w not in _NOT_IN_ADDRESSES][:2]
    return f"coop.{'.'.join(words) or 'contact'}{rng.randint(1, 99)}@{PUBLIC_EMAIL_DOMAIN}"


# Mobile blocks of the Moroccan numbering plan (as libphonenumber knows it), so that a
# demo number passes the checks a real one must pass before an SMS is sent.
_MOBILE_BLOCKS = ("60", "61", "62", "63", "64", "65", "66", "67", "69", "70", "71", "76", "77",
                  "78")


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice(_MOBILE_BLOCKS)}{rng.randint(0, 9_999_999):07d}"


# -- the cases: time ------------------------------------------------------------------------------


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=OFFICE_TZ).astimezone(UTC)


@dataclass
class _Office:
    """What every story shares: the session, the settings, the random source, the office's
    calendar, the register, and the staff of each delegation."""

    session: Session
    settings: Settings
    rng: random.Random
    now: datetime
    calendar: HolidayCalendar
    register: list[Registered]
    taken: set[str]  # the register's same-as keys
    desks: dict[str, _Desk]
    opened: list[_Case] = field(default_factory=list)
    by_delegation: dict[str, list[Registered]] = field(default_factory=dict)

    # -- office hours: people act on business days, between opening and closing time --

    def business_day(self, day: date, *, forward: bool) -> date:
        step = timedelta(days=1 if forward else -1)
        while not self.calendar.is_business_day(day):
            day += step
        return day

    def moment(self, day: date, *, earliest: time = _OPENS,
               latest: time = time(15, 30)) -> datetime:
        span = (datetime.combine(day, latest) - datetime.combine(day, earliest)).seconds // 60
        return _at(day, earliest) + timedelta(minutes=self.rng.randint(0, max(span, 0)))

    def days_ago(self, days: int) -> datetime:
        """A moment during office hours, `days` calendar days ago (or the business day
        before), never after now."""
        day = self.business_day(local_day(self.now) - timedelta(days=days), forward=False)
        at = self.moment(day, latest=time(12, 0))
        while at > self.now:
            day = self.business_day(day - timedelta(days=1), forward=False)
            at = self.moment(day, latest=time(12, 0))
        return at

    def earlier(self, at: datetime, minutes: tuple[int, int] = (40, 900)) -> datetime:
        """A moment before `at` in office hours: the same morning, or the afternoon of the
        business day before."""
        before = at - timedelta(minutes=self.rng.randint(*minutes))
        local = before.astimezone(OFFICE_TZ)
        if _OPENS <= local.time() <= _CLOSES and self.calendar.is_business_day(local.date()):
            return before
        day = self.business_day(local.date() - timedelta(days=1), forward=False)
        return self.moment(day, earliest=time(13, 0), latest=time(16, 0))

    def later(self, at: datetime, minutes: tuple[int, int] = (20, 150)) -> datetime:
        """The next step by a person: a little later the same day, or the next morning."""
        nxt = at + timedelta(minutes=self.rng.randint(*minutes))
        local = nxt.astimezone(OFFICE_TZ)
        if local.time() <= _CLOSES and self.calendar.is_business_day(local.date()):
            return nxt
        day = self.business_day(local.date() + timedelta(days=1), forward=True)
        return self.moment(day, latest=time(11, 0))

    def days_after(self, at: datetime, days: int) -> datetime:
        day = self.business_day(local_day(at) + timedelta(days=days), forward=True)
        return self.moment(day)

    # -- what the officer sees -------------------------------------------------------

    def verdicts(self, names: Sequence[str], sector: str | None) -> list[NameVerdict]:
        return check_names(names, db_session=self.session, settings=self.settings, sector=sector)

    def fresh(self, desk: _Desk, *, distinctive: tuple[str, str] | None = None) -> Proposal:
        """A request whose first name is free (or, failing that, only close to a registered
        one) and plain (or carrying the given word), as founders propose who looked at the
        register first: the stories that need a close or taken name build it on purpose.
        In a register of the real size most plausible names are close to some other."""
        fallback: Proposal | None = None
        checked = 0
        for _ in range(500):
            p = proposal_for(self.rng, provinces=desk.provinces, distinctive=distinctive)
            if same_as_key(p.names[0]) in self.taken:
                continue  # known taken without asking: the full check costs milliseconds
            first = self.verdicts(p.names[:1], p.sector)[0]
            checked += 1
            if bool(first.sensitive) != (distinctive is not None):
                continue
            if first.status == "available":
                return p
            if first.status == "too_like" and fallback is None:
                fallback = p
            if fallback is not None and checked >= _FREE_NAME_TRIES:
                break
        if fallback is None:
            raise RuntimeError("no proposal the register leaves free: is the register full?")
        return fallback

    def registered(self, desk: _Desk) -> Registered | None:
        """A registered cooperative of the desk's delegation (of any, if it has none)."""
        if not self.by_delegation:
            for r in self.register:
                self.by_delegation.setdefault(r.delegation, []).append(r)
        pool = self.by_delegation.get(desk.code) or self.register
        return self.rng.choice(pool) if pool else None

    def close_to_register(self, desk: _Desk) -> tuple[str, Registered] | None:
        """A registered name respelled with one vowel changed, which the name check finds
        "too like" the registered one (the officer must look)."""
        for _ in range(20):
            reg = self.registered(desk)
            if reg is None:
                return None
            name = respelled(reg.name_fr)
            if name is not None and self.verdicts([name], None)[0].status == "too_like":
                return name, reg
        return None

    def request(self, p: Proposal, names: Sequence[str] | None = None,
                founders: int | None = None) -> dict[str, Any]:
        """The request form as the counter officer types it in."""
        count = founders if founders is not None else self.rng.randint(5, 14)
        people: list[str] = []
        while len(people) < count:
            person = person_name(self.rng)
            if person not in people:
                people.append(person)
        applicant: dict[str, Any] = {
            "full_name": people[0], "language": "ar" if self.rng.random() < 0.7 else "fr",
        }
        # Email only, at a reserved domain: the answers the demo queues must never reach a
        # real person, and any 06/07 number could be someone's telephone.
        applicant["email"] = (
            f"{'.'.join(_ascii_words(people[0]))}{self.rng.randint(1, 99)}@{PUBLIC_EMAIL_DOMAIN}"
        )
        return {
            "names": list(names if names is not None else p.names),
            "founders": people,
            "sector": p.sector,
            "purpose": p.purpose,
            "province": p.province,
            "applicant": applicant,
        }

    def approval(self, names: Sequence[str], sector: str | None, *, accept_close: bool,
                 note: str | None = None) -> dict[str, Any]:
        """The officer's decision as the name check presents it: names taken are passed
        over; close ones are accepted (when `accept_close`, or when no free name follows)
        or rejected; the first that remains is granted."""
        verdicts = self.verdicts(names, sector)
        accept: list[str] = []
        reject: list[str] = []
        for index, v in enumerate(verdicts):
            if v.status == "available":
                break
            if v.status == "too_like":
                free_later = any(w.status == "available" for w in verdicts[index + 1 :])
                if accept_close or not free_later:
                    accept.append(v.name)
                    note = note or "Ressemblance examinée : aucun risque de confusion retenu."
                    break
                reject.append(v.name)
        data: dict[str, Any] = {"accept_similar": accept, "reject_similar": reject}
        if note:
            data["note"] = note
        return data


@dataclass
class _Desk:
    """A delegation's staff, as the stories need them."""

    code: str
    delegation_id: int
    provinces: tuple[str, ...]
    officers: tuple[Actor, ...]
    manager: Actor


@dataclass
class _Case:
    """One case as its story moves it: every step goes through the service layer with the
    version the actor last saw, and the session is flushed after each, as after a request."""

    office: _Office
    desk: _Desk
    row: Case | None = None
    sector: str | None = None

    @property
    def reference(self) -> str:
        assert self.row is not None, "the case is not opened yet"
        return self.row.reference

    @property
    def data(self) -> dict[str, Any]:
        assert self.row is not None
        return self.row.data

    @property
    def officer(self) -> Actor:
        return self.desk.officers[0]

    def open(self, at: datetime, request: dict[str, Any]) -> None:
        o = self.office
        opened = service.open_case(
            db_session=o.session, workflow_key="name_approval", data=request, actor=self.officer,
            now=at, settings=o.settings,
        )
        self.row = opened.case
        self.sector = request["sector"]
        o.session.flush()
        o.opened.append(self)

    def assign(self, at: datetime, to: Actor, by: Actor | None = None) -> None:
        service.assign(db_session=self.office.session, reference=self.reference,
                       assignee=to.username, actor=by or self.desk.manager, now=at)
        self.office.session.flush()

    def comment(self, at: datetime, text: str, by: Actor | None = None) -> None:
        service.comment(db_session=self.office.session, reference=self.reference, text=text,
                        actor=by or self.officer, now=at)
        self.office.session.flush()

    def act(self, trigger: str, at: datetime, data: dict[str, Any] | None = None,
            by: Actor | None = None) -> None:
        assert self.row is not None
        o = self.office
        self.row = service.act(
            db_session=o.session, reference=self.reference, trigger=trigger,
            actor=by or self.officer, data=data, expected_version=self.row.version, now=at,
            settings=o.settings,
        )
        o.session.flush()

    def due(self, deadline: str) -> datetime:
        return datetime.fromisoformat(self.data["due"][deadline])

    def fire(self, trigger: str, deadline: str) -> None:
        """The scheduler's step when a deadline falls due: its timer is marked fired (the
        claim the scheduler makes) and the transition is taken by the system."""
        at = self.due(deadline)
        assert self.row is not None
        self.office.session.execute(
            update(Timer)
            .where(
                col(Timer.case_id) == self.row.id, col(Timer.deadline_key) == deadline,
                col(Timer.kind) == "deadline", col(Timer.status) == "pending",
            )
            .values(status="fired", fired_at=at, claimed_by="demo")
        )
        self.act(trigger, at, by=SYSTEM)


# -- the cases: stories ----------------------------------------------------------------------------

# A story yields the instant of its next step and takes that step when resumed.
Steps = Generator[datetime, None, None]
Story = Callable[[_Office, _Case], Steps]

_SENSITIVE = (
    ("المغرب الأخضر", "Maroc Vert"),
    ("الوطنية للتنمية", "Nationale de Développement"),
    ("مغرب التضامن", "Maroc Solidaire"),
)
_AGRARIAN = ("الإصلاح الزراعي النصر", "de la réforme agraire Annasr")

_COURT_TOWNS = {
    "Agadir Ida-Outanane": "Agadir", "Inezgane-Aït Melloul": "Inezgane",
    "Chtouka-Aït Baha": "Biougra", "Skhirate-Témara": "Témara", "Al Haouz": "Marrakech",
    "Tinghir": "Ouarzazate", "Midelt": "Errachidia",
}


def _waiting(o: _Office, c: _Case) -> Steps:
    """Received in the last days; most already given to an officer."""
    at = o.days_ago(o.rng.randint(0, 2))
    yield at
    c.open(at, o.request(o.fresh(c.desk)))
    if o.rng.random() < 0.7:
        at = o.later(at)
        yield at
        c.assign(at, o.rng.choice(c.desk.officers))


def _overdue(o: _Office, c: _Case) -> Steps:
    """Past the 2-day decision deadline: what a manager's overdue list is for."""
    at = o.days_ago(o.rng.randint(6, 9))
    yield at
    c.open(at, o.request(o.fresh(c.desk)))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    at = o.later(at, (60, 300))
    yield at
    c.comment(at, "Dossier incomplet : copie de la CIN d'un fondateur demandée au représentant.")


def _too_few_founders(o: _Office, c: _Case) -> Steps:
    at = o.days_ago(o.rng.randint(1, 3))
    yield at
    c.open(at, o.request(o.fresh(c.desk), founders=4))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    at = o.later(at)
    yield at
    c.comment(at, "La demande ne compte que 4 signataires sur les 5 exigés : "
                  "le représentant est invité à la compléter.")


def _close_pending(o: _Office, c: _Case) -> Steps:
    """A name too like a registered one, waiting for the officer's judgement."""
    at = o.days_ago(o.rng.randint(0, 2))
    yield at
    p = o.fresh(c.desk)
    close = o.close_to_register(c.desk)
    names = [close[0], *p.names[:1]] if close else p.names
    c.open(at, o.request(p, names))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    if close:
        at = o.later(at)
        yield at
        c.comment(at, f"Nom proche de « {close[1].name_fr} » (n° {close[1].national_number}) : "
                      "avis du responsable demandé avant de décider.")


def _referred(o: _Office, c: _Case) -> Steps:
    """A name with a sensitive word, waiting for a manager."""
    at = o.days_ago(o.rng.randint(2, 6))
    yield at
    yield from _refer(o, c, at)


def _refer(o: _Office, c: _Case, at: datetime) -> Generator[datetime, None, datetime]:
    """Opened at `at` with a sensitive word in its first name, and referred to a manager;
    returns the instant of the referral."""
    p = o.fresh(c.desk, distinctive=o.rng.choice(_SENSITIVE))
    c.open(at, o.request(p))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    words = ", ".join(o.verdicts(p.names[:1], p.sector)[0].sensitive) or "mot sensible"
    at = o.later(at)
    yield at
    c.act("refer", at, {"note": f"Le nom comporte « {words} » : accord du responsable requis."})
    return at


def _approve(o: _Office, c: _Case, days_ago: int) -> Steps:
    """Granted `days_ago` (to the business day), having been received and assigned a
    little before, within the 2-day decision deadline: the stories that go on from a
    certificate count their days from its issue."""
    approve_at = o.days_ago(days_ago)
    at = o.earlier(approve_at)
    yield at
    c.open(at, o.request(o.fresh(c.desk)))
    assign_at = at + timedelta(minutes=o.rng.randint(5, 20))
    if assign_at >= approve_at:
        assign_at = at + (approve_at - at) / 2
    yield assign_at
    c.assign(assign_at, c.officer)
    yield approve_at
    c.act("approve", approve_at, o.approval(c.data["names"], c.sector, accept_close=False))


def _assign_and_approve(o: _Office, c: _Case, at: datetime, *, accept_close: bool,
                        note: str | None) -> Steps:
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    at = o.later(at, (30, 600))
    yield at
    c.act("approve", at, o.approval(c.data["names"], c.sector, accept_close=accept_close,
                                    note=note))


def _approved(o: _Office, c: _Case) -> Steps:
    yield from _approve(o, c, o.rng.randint(3, 45))


def _approved_close(o: _Office, c: _Case) -> Steps:
    """The officer looked at a close match and found no risk of confusion."""
    at = o.days_ago(o.rng.randint(3, 30))
    yield at
    p = o.fresh(c.desk)
    close = o.close_to_register(c.desk)
    c.open(at, o.request(p, [close[0], *p.names[:1]] if close else p.names))
    yield from _assign_and_approve(
        o, c, at, accept_close=True,
        note="Ressemblance examinée : aucun risque de confusion retenu." if close else None,
    )


def _approved_second_choice(o: _Office, c: _Case) -> Steps:
    """The first name is too like a registered one and is rejected: the next is granted."""
    at = o.days_ago(o.rng.randint(3, 30))
    yield at
    p = o.fresh(c.desk)
    close = o.close_to_register(c.desk)
    c.open(at, o.request(p, [close[0], *p.names[:2]] if close else p.names))
    yield from _assign_and_approve(o, c, at, accept_close=False, note=None)


def _approved_by_manager(o: _Office, c: _Case) -> Steps:
    at = o.days_ago(o.rng.randint(4, 30))
    yield at
    at = yield from _refer(o, c, at)
    at = o.later(at, (60, 900))
    yield at
    c.act("approve", at, o.approval(c.data["names"], c.sector, accept_close=False,
                                    note="Accord du responsable : le mot sensible est admis ici."),
          by=c.desk.manager)


def _expired(o: _Office, c: _Case) -> Steps:
    """Issued a little over 60 days ago: expired, and its 7-day extension window open."""
    yield from _approve(o, c, 63)
    at = c.due("certificate_validity")
    yield at
    c.fire("expire", "certificate_validity")


def _extended(o: _Office, c: _Case) -> Steps:
    """Expired, then extended at every signatory's request within the window."""
    yield from _approve(o, c, o.rng.randint(70, 105))
    at = c.due("certificate_validity")
    yield at
    c.fire("expire", "certificate_validity")
    expired_at = datetime.fromisoformat(c.data["expired_at"])
    at = o.days_after(expired_at, o.rng.randint(1, 3))
    if local_day(at) > last_day_to_ask(expired_at):
        return
    yield at
    c.act("extend", at, {"requested_on": local_day(at).isoformat(), "all_signatories": True})


def _lapsed(o: _Office, c: _Case) -> Steps:
    """Expired and never extended: closed by the system when the window ended."""
    yield from _approve(o, c, o.rng.randint(75, 160))
    at = c.due("certificate_validity")
    yield at
    c.fire("expire", "certificate_validity")
    at = c.due("extension_window")
    yield at
    c.fire("close_unextended", "extension_window")


def _used(o: _Office, c: _Case) -> Steps:
    """Used for registration in the local register while still valid."""
    yield from _approve(o, c, o.rng.randint(12, 58))
    issued = datetime.fromisoformat(c.data["certificate_issued_at"])
    room = min(50, (local_day(o.now) - local_day(issued)).days - 1)
    if room < 4:
        return
    at = o.days_after(issued, o.rng.randint(4, room))
    if at > o.now:  # the next business day is still to come: today it is, then
        at = o.days_ago(0)
    yield at
    province = c.data["province"]
    registered_on = max(local_day(issued), local_day(at) - timedelta(days=o.rng.randint(0, 3)))
    c.act("use", at, {
        "court": f"Tribunal de première instance de {_COURT_TOWNS.get(province, province)}",
        "local_number": str(o.rng.randint(40, 2400)),
        "registered_on": registered_on.isoformat(),
    })


def _refused_taken(o: _Office, c: _Case) -> Steps:
    """Every proposed name is the same as a registered one."""
    at = o.days_ago(o.rng.randint(3, 40))
    yield at
    p = o.fresh(c.desk)
    taken = [r for r in (o.registered(c.desk) for _ in range(2)) if r is not None]
    names = p.names
    if taken:  # the same names, as founders write them: another script, "Coop" for short
        names = [taken[0].name_ar, taken[-1].name_fr.replace("Coopérative", "Coop", 1)]
    c.open(at, o.request(p, list(dict.fromkeys(names))))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    numbers = ", ".join(dict.fromkeys(r.national_number for r in taken)) or "—"
    at = o.later(at)
    yield at
    c.act("refuse", at, {"reason": "Les noms proposés sont déjà portés par des coopératives "
                                   f"immatriculées (n° {numbers}) : une nouvelle demande est "
                                   "à déposer avec d'autres noms."})


def _refused_invalid(o: _Office, c: _Case, names: list[str], reason: str,
                     p: Proposal) -> Steps:
    at = o.days_ago(o.rng.randint(3, 40))
    yield at
    c.open(at, o.request(p, names))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    at = o.later(at)
    yield at
    c.act("refuse", at, {"reason": reason})


def _refused_association(o: _Office, c: _Case) -> Steps:
    """Founders who meant an association: the name lacks the cooperative word."""
    p = o.fresh(c.desk)
    names = [n.replace("التعاونية", "الجمعية").replace("تعاونية", "جمعية")
             .replace("Union des coopératives", "Fédération des associations")
             .replace("Coopérative", "Association") for n in p.names]
    yield from _refused_invalid(
        o, c, names,
        "Le nom ne comporte pas le mot « coopérative » (loi 112-12, art. 7) : le projet relève "
        "de la loi sur les associations.", p,
    )


def _refused_agrarian(o: _Office, c: _Case) -> Steps:
    p = proposal_for(o.rng, provinces=c.desk.provinces, distinctive=_AGRARIAN)
    yield from _refused_invalid(
        o, c, p.names[:1],
        "Coopérative de la réforme agraire : hors du champ de l'Office (loi 112-12, art. 1) ; "
        "la demande est à adresser à l'administration chargée de la réforme agraire.", p,
    )


def _refused_by_manager(o: _Office, c: _Case) -> Steps:
    at = o.days_ago(o.rng.randint(4, 40))
    yield at
    at = yield from _refer(o, c, at)
    at = o.later(at, (60, 900))
    yield at
    c.act("refuse", at, {"reason": "Le mot sensible ne peut pas figurer dans le nom d'une "
                                   "coopérative locale : les fondateurs peuvent proposer un "
                                   "autre nom."}, by=c.desk.manager)


def _withdrawn(o: _Office, c: _Case) -> Steps:
    at = o.days_ago(o.rng.randint(3, 40))
    yield at
    c.open(at, o.request(o.fresh(c.desk)))
    at = o.later(at)
    yield at
    c.assign(at, c.officer)
    at = o.later(at)
    yield at
    c.act("withdraw", at, {"note": "Les fondateurs retirent la demande pour revoir la liste "
                                   "des signataires."})


def _withdrawn_in_review(o: _Office, c: _Case) -> Steps:
    at = o.days_ago(o.rng.randint(4, 40))
    yield at
    at = yield from _refer(o, c, at)
    at = o.later(at, (60, 900))
    yield at
    c.act("withdraw", at, {"note": "Les fondateurs déposeront une nouvelle demande sans le mot "
                                   "sensible."})


# Each story with the delegation it is played in; every state of the definition is reached
# by at least two of them.
STORIES: tuple[tuple[Story, str], ...] = (
    (_waiting, "AGA"), (_waiting, "AGA"), (_waiting, "MRK"), (_waiting, "RAB"), (_waiting, "ERR"),
    (_overdue, "MRK"), (_too_few_founders, "RAB"), (_close_pending, "AGA"),
    (_referred, "AGA"), (_referred, "MRK"),
    (_approved, "AGA"), (_approved, "AGA"), (_approved, "MRK"), (_approved, "RAB"),
    (_approved, "ERR"), (_approved_close, "MRK"), (_approved_second_choice, "AGA"),
    (_approved_by_manager, "RAB"), (_extended, "AGA"),
    (_expired, "AGA"), (_expired, "MRK"), (_expired, "RAB"),
    (_lapsed, "AGA"), (_lapsed, "MRK"), (_lapsed, "ERR"),
    (_used, "AGA"), (_used, "AGA"), (_used, "MRK"), (_used, "MRK"), (_used, "RAB"), (_used, "ERR"),
    (_refused_taken, "AGA"), (_refused_association, "RAB"), (_refused_agrarian, "MRK"),
    (_refused_by_manager, "AGA"),
    (_withdrawn, "MRK"), (_withdrawn, "RAB"), (_withdrawn_in_review, "AGA"),
)


def _desks(session: Session) -> dict[str, _Desk]:
    """The staff each delegation's stories are played by: its officers (demo accounts
    first) and its manager, or headquarters' when it has none."""
    staff = list(session.execute(select(User).where(col(User.active))).scalars())
    demo_names = [m.username for m in DEMO_STAFF]

    def rank(u: User) -> tuple[int, str]:
        return (demo_names.index(u.username) if u.username in demo_names else len(demo_names),
                u.username)

    hq = sorted((u for u in staff if u.role == "manager" and u.delegation_id is None), key=rank)
    desks: dict[str, _Desk] = {}
    for d in session.execute(select(Delegation)).scalars():
        officers = sorted((u for u in staff if u.role == "officer" and u.delegation_id == d.id),
                          key=rank)
        managers = sorted((u for u in staff if u.role == "manager" and u.delegation_id == d.id),
                          key=rank) or hq
        if officers and managers:
            assert d.id is not None
            desks[d.code] = _Desk(d.code, d.id, tuple(d.provinces),
                                  tuple(actor_of(u) for u in officers), actor_of(managers[0]))
    return desks


def _play(session: Session, rng: random.Random, settings: Settings, now: datetime,
          register: list[Registered], taken: set[str], bar: _Bar) -> Counter[str]:
    """Play the stories step by step in the order of their instants. A step that would
    fall after now is left to the future (and to the scheduler): the story stops there."""
    desks = _desks(session)
    if not desks:
        raise RuntimeError("no delegation has an active officer and manager to play the demo cases")
    office = _Office(session, settings, rng, now, load_calendar(session), register, taken, desks)
    task = bar.task("Name-approval cases", len(STORIES))
    queue: list[tuple[datetime, int, Steps]] = []
    for index, (story, code) in enumerate(STORIES):
        desk = desks.get(code) or next(iter(desks.values()))
        steps = story(office, _Case(office, desk))
        first = next(steps, None)
        if first is not None and first <= now:
            queue.append((first, index, steps))
        else:
            bar.advance(task)
    heapq.heapify(queue)
    while queue:
        _, index, steps = heapq.heappop(queue)
        following = next(steps, None)
        if following is not None and following <= now:
            heapq.heappush(queue, (following, index, steps))
        else:
            steps.close()
            bar.advance(task)
    return Counter(c.row.state for c in office.opened if c.row is not None)


# -- the summary ---------------------------------------------------------------------------------

_STATE_ORDER = ("submitted", "manager_review", "approved", "expired", "used", "refused",
                "lapsed", "withdrawn")


def _summary(*, seed: int, seconds: float, register: list[Registered], states: Counter[str],
             created: list[str], kept: list[str], others: Counter[str]) -> str:
    delegations = len({r.delegation for r in register})
    cases = ", ".join(f"{s} {states[s]}" for s in _STATE_ORDER if states[s])
    lines = [
        f"Demo data loaded in {seconds:.1f} s (seed {seed}):",
        f"  register: {len(register):,} cooperatives in {delegations} delegations",
        f"  name approvals: {sum(states.values())} cases ({cases})",
    ]
    by_type: dict[str, list[str]] = {}
    for key in sorted(others):
        kind, _, state = key.partition(".")
        if kind != "name_approval":
            by_type.setdefault(kind, []).append(f"{state} {others[key]}")
    lines += [f"  {kind}: {', '.join(parts)}" for kind, parts in by_type.items()]
    if created:
        lines.append(f"  sign in with password {DEMO_PASSWORD}: {', '.join(created)}")
    if kept:
        lines.append(f"  accounts already there, passwords unchanged: {', '.join(kept)}")
    return "\n".join(lines)

