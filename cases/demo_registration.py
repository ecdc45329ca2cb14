"""Demo registration filings and changes, in every state, played through the service layer.

Each story is a short sequence of steps by the person (or the scheduler) who would take it, at
the moment it would be taken: founders get a certificate of name, the court's clerk registers
the cooperative some days later and sends the copy, the office records it (the register gets
its entry and national number, the name case is closed) or returns it with the reasons the
checks gave. Changes are filed against cooperatives already in the register. Stories are
played in the order of their steps' instants, so that references and national numbers follow
each other as they would have; a step that would fall after `now` is left undone.
"""

from __future__ import annotations

import heapq
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from cases import service
from cases.calendar import load_calendar
from cases.demo_names import GeneratedName, cooperative_names, person_name
from cases.models import Case, Cooperative, Delegation, Timer
from cases.name_check import check_names
from cases.settings import Settings
from cases.users import actor_of, get_by_username
from rules.calendar import OFFICE_TZ, HolidayCalendar, local_day
from rules.names import same_as_key
from workflows.registration import REGISTRATION, REGISTRATION_CHANGE
from workflows.spec import SYSTEM, Actor

# Reserved for documentation (RFC 2606): the demo's messages can never reach a real person.
_EMAIL_DOMAIN = "mail.example"
_OPENS = time(8, 30)
_LATEST = time(15, 30)

# The delegations the stories are played in, by their demo staff.
_STAFF = (("AGA", "officer.agadir", "manager.agadir"), ("MRK", "officer.marrakech", "manager.marrakech"),
          ("RAB", "officer.rabat", "manager.rabat"))


@dataclass(frozen=True)
class _Desk:
    code: str
    delegation_id: int
    provinces: tuple[str, ...]
    officer: Actor
    manager: Actor


@dataclass
class _Office:
    session: Session
    settings: Settings
    rng: random.Random
    now: datetime
    calendar: HolidayCalendar
    taken: set[str] = field(default_factory=set)
    cooperatives_used: set[int] = field(default_factory=set)
    opened: list[Case] = field(default_factory=list)

    # -- time: people act on business days, in office hours ----------------------------

    def business_day(self, day: date, *, forward: bool = True) -> date:
        while not self.calendar.is_business_day(day):
            day += timedelta(days=1 if forward else -1)
        return day

    def moment(self, day: date) -> datetime:
        day = self.business_day(day)
        minutes = self.rng.randint(0, (_LATEST.hour - _OPENS.hour) * 60)
        start = datetime.combine(day, _OPENS, tzinfo=OFFICE_TZ) + timedelta(minutes=minutes)
        return start.astimezone(UTC)

    def days_ago(self, days: int) -> date:
        return self.business_day(local_day(self.now) - timedelta(days=days), forward=False)

    def today_at_latest(self, at: datetime) -> datetime:
        """`at`, or a moment just before now when `at` is later today: what arrived today
        has arrived by now."""
        return min(at, self.now - timedelta(minutes=self.rng.randint(10, 60)))

    def later(self, at: datetime, days: int = 0) -> datetime:
        """A moment `days` later (the next business day when that is none), after `at`."""
        if days == 0:
            return at + timedelta(minutes=self.rng.randint(20, 120))
        return self.moment(local_day(at) + timedelta(days=days))

    # -- steps through the service layer ---------------------------------------------------

    def open(self, key: str, data: dict[str, Any], by: Actor, at: datetime,
             cooperative_id: int | None = None) -> Case:
        case = service.open_case(db_session=self.session, workflow_key=key, data=data, actor=by, now=at,
                                 settings=self.settings, cooperative_id=cooperative_id).case
        self.session.flush()
        if key != "name_approval":
            self.opened.append(case)
        return case

    def act(self, case: Case, trigger: str, by: Actor, at: datetime,
            data: dict[str, Any] | None = None) -> Case:
        case = service.act(db_session=self.session, reference=case.reference, trigger=trigger, actor=by,
                           data=data, expected_version=case.version, now=at, settings=self.settings)
        self.session.flush()
        return case

    def fire(self, case: Case, trigger: str, deadline: str) -> Case:
        """The scheduler's step when a deadline falls due: its timer fired, the step taken by
        the system at the due instant."""
        at = datetime.fromisoformat(case.data["due"][deadline])
        self.session.execute(
            update(Timer)
            .where(col(Timer.case_id) == case.id, col(Timer.deadline_key) == deadline,
                   col(Timer.kind) == "deadline", col(Timer.status) == "pending")
            .values(status="fired", fired_at=at, claimed_by="demo")
        )
        return self.act(case, trigger, SYSTEM, at)

    def reasons(self, case: Case, trigger: str, by: Actor, at: datetime) -> str:
        """What the checks say against a step, as the officer copies it into the return."""
        options = service.available_actions(db_session=self.session, case=case, actor=by, now=at,
                                            settings=self.settings)
        option = next(o for o in options if o.trigger == trigger)
        return " ".join(r.message.fr for r in option.reasons)

    # -- what the stories need ------------------------------------------------------------

    def fresh_name(self, desk: _Desk) -> tuple[GeneratedName, str]:
        """A cooperative's two names, both free in the register, and its province in the
        desk's delegation."""
        for _ in range(300):
            (g,) = cooperative_names(self.rng, 1)
            keys = {same_as_key(g.name_ar), same_as_key(g.name_fr)}
            if len(keys) < 2 or keys & self.taken:
                continue
            verdicts = check_names([g.name_ar, g.name_fr], db_session=self.session, settings=self.settings,
                                   sector=g.sector)
            if all(v.status == "available" and not v.sensitive for v in verdicts):
                self.taken |= keys
                province = g.province if g.province in desk.provinces else self.rng.choice(desk.provinces)
                return g, province
        raise RuntimeError("no free name for a demo registration: is the register full?")

    def cooperative(self, desk: _Desk) -> Cooperative:
        """An active cooperative of the desk's delegation that no other story changes."""
        rows = list(self.session.exec(
            select(Cooperative).where(col(Cooperative.delegation_id) == desk.delegation_id,
                                      col(Cooperative.status) == "active",
                                      col(Cooperative.registered_on) < local_day(self.now) - timedelta(days=365))
        ))
        free = [c for c in rows if c.id not in self.cooperatives_used]
        if not free:
            raise RuntimeError(f"no registered cooperative in delegation {desk.code} for a demo change")
        coop = self.rng.choice(free)
        self.cooperatives_used.add(coop.id or 0)
        return coop


# A story yields the instant of its next step and takes that step when resumed.
Steps = Generator[datetime, None, None]
Story = Callable[[_Office, _Desk], Steps]


def _email(name_fr: str, rng: random.Random) -> str:
    plain = unicodedata.normalize("NFKD", name_fr).encode("ascii", "ignore").decode().lower()
    words = [w for w in "".join(c if c.isalnum() else " " for c in plain).split() if len(w) > 3][1:3]
    return f"coop.{'.'.join(words) or 'contact'}{rng.randint(1, 99)}@{_EMAIL_DOMAIN}"


def _request(o: _Office, g: GeneratedName, province: str) -> dict[str, Any]:
    founders: list[str] = []
    signatories = o.rng.randint(5, 12)
    while len(founders) < signatories:
        person = person_name(o.rng)
        if person not in founders:
            founders.append(person)
    return {
        "names": [g.name_ar], "founders": founders, "sector": g.sector,
        "purpose": f"activité de la coopérative ({g.sector})", "province": province,
        "applicant": {"full_name": founders[0], "email": _email(g.name_fr, o.rng),
                      "language": "ar" if o.rng.random() < 0.7 else "fr"},
    }


def _entry(o: _Office, na: Case, g: GeneratedName, province: str, local_on: date, received_on: date,
           members: int | None = None) -> dict[str, Any]:
    """The clerk's copy of the local entry, with founding figures a real file would show."""
    union = g.kind == "union"
    count = members if members is not None else o.rng.randint(5, 20 if union else 30)
    share = o.rng.choice((100, 200, 500))
    capital = count * o.rng.randint(2, 10) * share
    quarter = -(-capital // 4)
    return {
        "court": f"Tribunal de première instance de {province}",
        "local_number": str(o.rng.randint(20, 900)),
        "local_registered_on": local_on.isoformat(),
        "certificate_reference": na.reference,
        "name_ar": g.name_ar, "name_fr": g.name_fr,
        "member_kind": "union" if union else o.rng.choices(("natural", "legal", "mixed"), (88, 7, 5))[0],
        "members": count,
        "women_members": count if g.kind == "women" else o.rng.randint(0, count // 2),
        "capital": capital, "share_value": share,
        "paid": capital if o.rng.random() < 0.4 else quarter,
        "province": province, "sector": g.sector,
        "applicant": na.data["applicant"],
        "received_on": received_on.isoformat(),
    }


def _certificate(o: _Office, desk: _Desk, issued: datetime) -> Generator[datetime, None, tuple[Case, GeneratedName, str]]:
    """A name request received in the morning and granted at `issued`."""
    g, province = o.fresh_name(desk)
    opened_at = issued - timedelta(minutes=o.rng.randint(30, 90))
    yield opened_at
    na = o.open("name_approval", _request(o, g, province), desk.officer, opened_at)
    yield issued
    na = o.act(na, "approve", desk.officer, issued, {})
    return na, g, province


def _registration(o: _Office, desk: _Desk, *, delay: tuple[int, int], record: bool,
                  received_days_ago: int | None = None) -> Steps:
    """A certificate, a local registration within its validity, the copy `delay` days later,
    and its recording the next business day (when `record`)."""
    transmission = o.rng.randint(*delay)
    before_local = o.rng.randint(3, 20)
    ago = received_days_ago if received_days_ago is not None else o.rng.randint(3, 40)
    issued = o.moment(o.days_ago(ago + transmission + before_local))
    na, g, province = yield from _certificate(o, desk, issued)
    local_on = local_day(issued) + timedelta(days=before_local)
    received = o.today_at_latest(o.moment(local_on + timedelta(days=transmission)))
    yield received
    rg = o.open("registration", _entry(o, na, g, province, local_on, local_day(received)), desk.officer,
                received)
    if record:
        at = o.later(received, o.rng.choice((0, 1)))
        yield at
        o.act(rg, "record", desk.officer, at)


def _recorded(o: _Office, desk: _Desk) -> Steps:
    yield from _registration(o, desk, delay=(2, 15), record=True)


def _recorded_late(o: _Office, desk: _Desk) -> Steps:
    yield from _registration(o, desk, delay=(22, 35), record=True)


def _received(o: _Office, desk: _Desk) -> Steps:
    yield from _registration(o, desk, delay=(2, 12), record=False, received_days_ago=o.rng.randint(0, 1))


def _returned_expired(o: _Office, desk: _Desk) -> Steps:
    """Registered locally after the certificate expired (and lapsed unextended): returned."""
    issued = o.moment(o.days_ago(o.rng.randint(85, 100)))
    na, g, province = yield from _certificate(o, desk, issued)
    expired_at = datetime.fromisoformat(na.data["due"]["certificate_validity"])
    yield expired_at
    na = o.fire(na, "expire", "certificate_validity")
    yield datetime.fromisoformat(na.data["due"]["extension_window"])
    o.fire(na, "close_unextended", "extension_window")
    local_on = local_day(expired_at) + timedelta(days=o.rng.randint(2, 4))
    received = o.moment(local_on + timedelta(days=o.rng.randint(6, 10)))
    yield received
    rg = o.open("registration", _entry(o, na, g, province, local_on, local_day(received)), desk.officer,
                received)
    at = o.later(received, 1)
    yield at
    o.act(rg, "return_to_clerk", desk.officer, at, {"reasons": o.reasons(rg, "record", desk.officer, at)})


def _returned_founding(o: _Office, desk: _Desk) -> Steps:
    """A cooperative registered with four members: returned to the clerk."""
    issued = o.moment(o.days_ago(o.rng.randint(30, 45)))
    na, g, province = yield from _certificate(o, desk, issued)
    local_on = local_day(issued) + timedelta(days=o.rng.randint(5, 15))
    received = o.moment(local_on + timedelta(days=o.rng.randint(3, 10)))
    yield received
    rg = o.open("registration", _entry(o, na, g, province, local_on, local_day(received), members=4),
                desk.officer, received)
    at = o.later(received, 1)
    yield at
    o.act(rg, "return_to_clerk", desk.officer, at, {"reasons": o.reasons(rg, "record", desk.officer, at)})


_SUMMARIES = {
    "board": "Assemblée générale ordinaire : renouvellement du tiers du conseil d'administration.",
    "statutes": "Assemblée générale extraordinaire : modification de l'objet et du siège (statuts, art. 2 et 4).",
    "merger": "Fusion par absorption d'une coopérative voisine du même secteur.",
    "dissolution": "Assemblée générale extraordinaire : dissolution anticipée et nomination d'un liquidateur.",
}


def _change(o: _Office, desk: _Desk, kind: str, *, late: bool, then: str | None) -> Steps:
    """A change decided, filed with the register `late` or in time, received by the office,
    then recorded or returned (or still waiting)."""
    coop = o.cooperative(desk)
    filed_after = o.rng.randint(35, 60) if late else o.rng.randint(3, 25)
    received_ago = o.rng.randint(0, 1) if then is None else o.rng.randint(3, 30)
    received_on = o.days_ago(received_ago)
    filed_on = received_on - timedelta(days=o.rng.randint(1, 5))
    decided_on = filed_on - timedelta(days=filed_after)
    received = o.today_at_latest(o.moment(received_on))
    yield received
    rc = o.open("registration_change", {
        "kind": kind, "decided_on": decided_on.isoformat(), "filed_on": filed_on.isoformat(),
        "court": f"Tribunal de première instance de {coop.province}", "summary": _SUMMARIES[kind],
    }, desk.officer, received, cooperative_id=coop.id)
    if then is None:
        return
    at = o.later(received, o.rng.choice((0, 1)))
    yield at
    data = {"reasons": "Le procès-verbal de l'assemblée générale joint au dépôt n'est pas signé "
                       "par le président et le secrétaire de séance."} if then == "return_to_clerk" else None
    o.act(rc, then, desk.officer, at, data)


def _change_recorded(o: _Office, desk: _Desk) -> Steps:
    yield from _change(o, desk, "board", late=False, then="record")


def _change_recorded_late(o: _Office, desk: _Desk) -> Steps:
    yield from _change(o, desk, "statutes", late=True, then="record")


def _change_received(o: _Office, desk: _Desk) -> Steps:
    yield from _change(o, desk, "merger", late=False, then=None)


def _change_returned(o: _Office, desk: _Desk) -> Steps:
    yield from _change(o, desk, "board", late=False, then="return_to_clerk")


def _dissolution(o: _Office, desk: _Desk) -> Steps:
    yield from _change(o, desk, "dissolution", late=False, then="record")


# Each story with the delegation it is played in; every state is reached at least once.
STORIES: tuple[tuple[Story, str], ...] = (
    (_recorded, "AGA"), (_recorded, "MRK"), (_recorded, "RAB"), (_recorded, "AGA"),
    (_recorded_late, "AGA"), (_recorded_late, "MRK"),
    (_received, "AGA"), (_received, "RAB"),
    (_returned_expired, "AGA"), (_returned_founding, "MRK"),
    (_change_recorded, "AGA"), (_change_recorded, "RAB"), (_change_recorded_late, "MRK"),
    (_change_received, "AGA"), (_change_returned, "RAB"), (_dissolution, "MRK"),
)


def _desks(session: Session) -> dict[str, _Desk]:
    delegations = {d.code: d for d in session.exec(select(Delegation))}
    desks: dict[str, _Desk] = {}
    for code, officer, manager in _STAFF:
        o, m = (get_by_username(db_session=session, username=u) for u in (officer, manager))
        d = delegations.get(code)
        if o is None or m is None or d is None or d.id is None:
            raise RuntimeError(f"the demo staff of {code} ({officer}, {manager}) is missing")
        desks[code] = _Desk(code, d.id, tuple(d.provinces), actor_of(o), actor_of(m))
    return desks


def play(session: Session, *, now: datetime, settings: Settings, rng: random.Random) -> dict[str, int]:
    """Play the stories inside `session` (not committed) and count the filings per state,
    as "<case type>.<state>"."""
    office = _Office(session, settings, rng, now, load_calendar(session))
    desks = _desks(session)
    queue: list[tuple[datetime, int, Steps]] = []
    for index, (story, code) in enumerate(STORIES):
        steps = story(office, desks[code])
        first = next(steps, None)
        if first is not None and first <= now:
            queue.append((first, index, steps))
    heapq.heapify(queue)
    while queue:
        _, index, steps = heapq.heappop(queue)
        following = next(steps, None)
        if following is not None and following <= now:
            heapq.heappush(queue, (following, index, steps))
        else:
            steps.close()
    counts: Counter[str] = Counter(f"{c.workflow_key}.{c.state}" for c in office.opened)
    return {f"{wf.key}.{s.name}": counts[f"{wf.key}.{s.name}"]
            for wf in (REGISTRATION, REGISTRATION_CHANGE) for s in wf.states}
