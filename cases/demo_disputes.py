"""Demo cases of dispute mediation and accompaniment programmes, in every state, each told
by a history of plausible past steps taken through the service layer (the scheduler's own
steps as the system, at their due instants).

Disputes are mediated by the legal staff of a delegation that has some (in the demo, Agadir);
programmes are followed by the officers of each delegation that has cooperatives.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from cases import service, users
from cases.calendar import load_calendar
from cases.demo_names import person_name
from cases.models import Case, Cooperative, Timer, User
from cases.settings import Settings
from rules.calendar import OFFICE_TZ, HolidayCalendar, local_day
from rules.disputes import family_name
from workflows.spec import SYSTEM, Actor

# A story yields the instant of its next step and takes that step when resumed.
Steps = Generator[datetime, None, None]

_SUBJECTS = (
    "Exclusion d'un membre contestée devant le conseil d'administration",
    "Répartition des excédents de l'exercice entre les membres",
    "Refus de rembourser les parts sociales d'un membre sortant",
    "Assemblée générale convoquée sans respecter le délai de convocation",
    "Livraisons de lait non payées entre deux coopératives",
    "Accès des membres au local de stockage et au matériel commun",
)
_PLACES = ("Délégation d'Agadir, salle de réunion", "Siège de la coopérative",
           "Maison des coopératives, salle 2")
_MOTIVES = (
    "La coopérative ne tient pas encore de comptabilité régulière.",
    "Les membres veulent vendre leurs produits hors du souk local.",
    "Le conseil d'administration veut mieux organiser les assemblées générales.",
    "La coopérative a obtenu un financement et doit en suivre l'emploi.",
)
_ACTIONS = (
    ("Ouvrir et tenir le livre de caisse", "accounting"),
    ("Établir l'inventaire du matériel", "management"),
    ("Mettre à jour le registre des membres", "organisation"),
    ("Concevoir une étiquette bilingue", "marketing"),
    ("Préparer le budget de l'exercice", "management"),
)
_TRAININGS = (
    ("Formation : comptabilité simplifiée", "accounting"),
    ("Formation : vendre sur les foires régionales", "marketing"),
    ("Formation : rôle du conseil d'administration", "organisation"),
    ("Formation : calcul du prix de revient", "management"),
)


@dataclass
class _Desk:
    """What the stories share: the session, the clock's now, the office's calendar."""

    session: Session
    settings: Settings
    rng: random.Random
    now: datetime
    calendar: HolidayCalendar
    opened: list[Case] = field(default_factory=list)

    def day(self, days_ago: int) -> date:
        """A business day about `days_ago` days before today (earlier if not a business
        day; negative for the days ahead, later if not a business day)."""
        day = local_day(self.now) - timedelta(days=days_ago)
        step = timedelta(days=-1 if days_ago >= 0 else 1)
        while not self.calendar.is_business_day(day):
            day += step
        return day

    def at(self, day: date, hour: int | None = None) -> datetime:
        moment = time(hour, 0) if hour is not None else time(self.rng.randint(9, 14), self.rng.choice((0, 15, 30, 45)))
        return datetime.combine(day, moment, tzinfo=OFFICE_TZ)

    def actor(self, username: str) -> Actor:
        user = users.get_by_username(db_session=self.session, username=username)
        if user is None:
            raise RuntimeError(f"the demo needs the user {username}")
        return users.actor_of(user)


@dataclass
class _File:
    """One case as a story moves it: each step is taken on the version it last saw."""

    desk: _Desk
    row: Case | None = None

    @property
    def case(self) -> Case:
        assert self.row is not None, "the case is not opened yet"
        return self.row

    def open(self, workflow: str, at: datetime, data: dict[str, Any], by: Actor, coop: Cooperative) -> None:
        d = self.desk
        self.row = service.open_case(db_session=d.session, workflow_key=workflow, data=data, actor=by, now=at,
                                     settings=d.settings, cooperative_id=coop.id).case
        d.session.flush()
        d.opened.append(self.row)

    def act(self, trigger: str, at: datetime, by: Actor, data: dict[str, Any] | None = None) -> None:
        d = self.desk
        self.row = service.act(db_session=d.session, reference=self.case.reference, trigger=trigger, actor=by,
                               data=data, expected_version=self.case.version, now=at, settings=d.settings)
        d.session.flush()

    def assign(self, at: datetime, to: str, by: Actor) -> None:
        service.assign(db_session=self.desk.session, reference=self.case.reference, assignee=to, actor=by, now=at)
        self.desk.session.flush()

    def due(self, deadline: str) -> datetime:
        return datetime.fromisoformat(self.case.data["due"][deadline])

    def fire(self, trigger: str, deadline: str) -> datetime:
        """The scheduler's step when a deadline falls due: its timer fired, the transition
        taken by the system at that instant."""
        at = self.due(deadline)
        self.desk.session.execute(
            update(Timer)
            .where(col(Timer.case_id) == self.case.id, col(Timer.deadline_key) == deadline,
                   col(Timer.kind) == "deadline", col(Timer.status) == "pending")
            .values(status="fired", fired_at=at, claimed_by="demo")
        )
        self.act(trigger, at, SYSTEM)
        return at


# -- disputes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mediation:
    legal: Actor
    mediator_family: str | None
    cooperatives: Sequence[Cooperative]


def _member(desk: _Desk, m: _Mediation) -> str:
    """A member's name that does not carry the mediator's family name (which the conflict
    check would refuse)."""
    while True:
        name = person_name(desk.rng)
        if family_name(name) != m.mediator_family:
            return name


def _filing(desk: _Desk, m: _Mediation, coop: Cooperative) -> dict[str, Any]:
    rng = desk.rng
    claimant_name = _member(desk, m)
    others = [c for c in m.cooperatives if c.id != coop.id]
    kind = rng.choice(("member", "member", "members_group", "cooperative" if others else "member"))
    claimant: dict[str, Any]
    if kind == "cooperative":
        other = rng.choice(others)
        claimant = {"kind": "cooperative", "name": other.name_fr, "cooperative_ref": other.national_number}
        respondent = {"kind": "cooperative", "name": coop.name_fr, "cooperative_ref": coop.national_number}
        subject = _SUBJECTS[4]
    else:
        size = 3 if kind == "members_group" else 1
        members = sorted({f"M-{n}" for n in rng.sample(range(1, max(coop.members, size) + 1), size)})
        claimant = {"kind": kind, "cooperative_ref": coop.national_number, "member_ids": members,
                    "name": claimant_name if kind == "member" else f"Groupe de membres ({claimant_name} et autres)"}
        respondent = {"kind": "board", "name": f"Conseil d'administration – {coop.name_fr}",
                      "cooperative_ref": coop.national_number}
        subject = rng.choice(_SUBJECTS[:4] + _SUBJECTS[5:])
    return {
        "claimant": claimant, "respondents": [respondent], "subject": subject,
        "applicant": {"full_name": claimant_name, "language": rng.choice(("ar", "ar", "fr"))},
    }


def _dispute(desk: _Desk, m: _Mediation, f: _File, *, opened_ago: int) -> Generator[datetime, None, None]:
    """Open a dispute `opened_ago` days back."""
    coop = desk.rng.choice(m.cooperatives)
    at = desk.at(desk.day(opened_ago))
    yield at
    f.open("dispute", at, _filing(desk, m, coop), m.legal, coop)


def _admitted(desk: _Desk, m: _Mediation, f: _File, *, opened_ago: int, mediator: bool = True) -> Steps:
    yield from _dispute(desk, m, f, opened_ago=opened_ago)
    at = desk.at(desk.day(opened_ago - 3))
    yield at
    f.act("admit", at, m.legal, {"note": "Deux parties, un objet précis : la médiation est possible."})
    if mediator:
        at += timedelta(hours=1)
        yield at
        f.act("assign_mediator", at, m.legal, {"mediator": m.legal.username})


def _session(desk: _Desk, m: _Mediation, f: _File, *, set_ago: int, held_ago: int) -> Steps:
    """A session set `set_ago` days back for `held_ago` days back (negative: ahead)."""
    at = desk.at(desk.day(set_ago))
    yield at
    f.act("schedule_session", at, m.legal,
          {"at": desk.at(desk.day(held_ago), hour=10).isoformat(), "place": desk.rng.choice(_PLACES)})


def _minutes(desk: _Desk, m: _Mediation, f: _File, *, held_ago: int) -> Steps:
    at = desk.at(desk.day(held_ago), hour=13)
    yield at
    f.act("record_minutes", at, m.legal, {
        "minutes": "Les parties ont exposé leurs positions ; le médiateur a proposé des pistes d'accord.",
        "present": [p["name"] for p in (f.case.data["claimant"], *f.case.data["respondents"])],
    })


def _held(desk: _Desk, m: _Mediation, f: _File, *, opened_ago: int) -> Steps:
    """Admitted, mediated, one session held a week after admission."""
    yield from _admitted(desk, m, f, opened_ago=opened_ago)
    yield from _session(desk, m, f, set_ago=opened_ago - 4, held_ago=opened_ago - 12)
    yield from _minutes(desk, m, f, held_ago=opened_ago - 12)


def _filed(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _dispute(desk, m, f, opened_ago=desk.rng.randint(1, 4))


def _filed_extended(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _dispute(desk, m, f, opened_ago=12)
    at = desk.at(desk.day(5))
    yield at
    f.act("extend_admissibility", at, m.legal, {"reason": "Pièces demandées au conseil d'administration."})


def _admitted_only(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _admitted(desk, m, f, opened_ago=desk.rng.randint(5, 8), mediator=False)


def _mediating(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _held(desk, m, f, opened_ago=30)


def _scheduled(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _admitted(desk, m, f, opened_ago=12)
    yield from _session(desk, m, f, set_ago=4, held_ago=-desk.rng.randint(3, 10))


def _awaiting_minutes(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _admitted(desk, m, f, opened_ago=20)
    yield from _session(desk, m, f, set_ago=12, held_ago=2)
    yield f.due("session")
    f.fire("close_session_day", "session")


def _settled(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _held(desk, m, f, opened_ago=45)
    at = desk.at(desk.day(30))
    yield at
    f.act("settle", at, m.legal, {"terms": "Les parties conviennent d'un échéancier de remboursement.",
                                  "signed_on": at.date().isoformat()})


def _failed(desk: _Desk, m: _Mediation, f: _File, referral: str) -> Steps:
    yield from _held(desk, m, f, opened_ago=50)
    at = desk.at(desk.day(35))
    yield at
    f.act("fail", at, m.legal, {"referral": referral, "has_union": desk.rng.random() < 0.3,
                                "note": "Aucun rapprochement possible après la séance."})


def _withdrawn(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    yield from _admitted(desk, m, f, opened_ago=25)
    at = desk.at(desk.day(15))
    yield at
    f.act("withdraw", at, m.legal, {"by": f.case.data["claimant"]["name"], "note": "Accord trouvé entre les parties."})


def _inadmissible(desk: _Desk, m: _Mediation, f: _File) -> Steps:
    coop = desk.rng.choice(m.cooperatives)
    at = desk.at(desk.day(20))
    yield at
    data = _filing(desk, m, coop)
    data["respondents"], data["subject"] = [], ""
    f.open("dispute", at, data, m.legal, coop)
    at = desk.at(desk.day(17))
    yield at
    f.act("declare_inadmissible", at, m.legal,
          {"reason": "La demande ne désigne ni la partie adverse ni l'objet du litige."})


DisputeStory = Callable[[_Desk, _Mediation, _File], Steps]
DISPUTE_STORIES: tuple[DisputeStory, ...] = (
    _filed, _filed, _filed_extended, _admitted_only, _mediating, _mediating, _scheduled, _scheduled,
    _awaiting_minutes, _settled, _settled, lambda d, m, f: _failed(d, m, f, "conciliation"),
    lambda d, m, f: _failed(d, m, f, "court"), _withdrawn, _inadmissible,
)


# -- accompaniment programmes ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Team:
    officer: Actor
    manager: Actor
    cooperatives: Sequence[Cooperative]


def _programme(desk: _Desk, t: _Team, f: _File, *, opened_ago: int) -> Steps:
    coop = desk.rng.choice(t.cooperatives)
    at = desk.at(desk.day(opened_ago))
    yield at
    f.open("accompaniment", at, {"motive": desk.rng.choice(_MOTIVES),
                                 "applicant": {"full_name": coop.name_fr, "language": coop.language}},
           t.officer, coop)
    at += timedelta(hours=1)
    yield at
    f.assign(at, t.officer.username, t.manager)


def _diagnosed(desk: _Desk, t: _Team, f: _File, *, opened_ago: int) -> Steps:
    yield from _programme(desk, t, f, opened_ago=opened_ago)
    at = desk.at(desk.day(opened_ago - 7))
    yield at
    f.act("record_diagnosis", at, t.officer, {
        "areas": ["organisation", "management", "accounting", "marketing"],
        "findings": "Registres incomplets, pas de comptabilité, ventes au souk sans étiquette.",
    })


def _agreed(desk: _Desk, t: _Team, f: _File, *, opened_ago: int) -> Steps:
    """A plan agreed two weeks after opening: two actions and two trainings spread over the
    following ten weeks."""
    yield from _diagnosed(desk, t, f, opened_ago=opened_ago)
    agreed = desk.day(opened_ago - 14)
    rng = desk.rng
    actions = [{"title": title, "area": area, "due_on": (agreed + timedelta(days=days)).isoformat(),
                "owner": person_name(rng)}
               for (title, area), days in zip(rng.sample(_ACTIONS, 2), (20, 60), strict=True)]
    trainings = [{"title": title, "area": area, "planned_on": desk.day(opened_ago - 14 - days).isoformat(),
                  "trainer": "Cabinet Amlal Conseil", "invited": rng.randint(12, 30)}
                 for (title, area), days in zip(rng.sample(_TRAININGS, 2), (10, 40), strict=True)]
    at = desk.at(agreed)
    yield at
    f.act("agree_plan", at, t.officer, {"actions": actions, "sessions": trainings})


def _train(desk: _Desk, t: _Team, f: _File, number: int) -> Steps:
    """Session `number` held on its planned day, evaluated the next morning."""
    session = f.case.data["sessions"][number - 1]
    day = date.fromisoformat(session["due_on"])
    at = desk.at(day, hour=16)
    yield at
    invited = session["invited"]
    f.act("hold_session", at, t.officer, {"session": number, "held_on": day.isoformat(), "invited": invited,
                                          "present": desk.rng.randint(invited // 2, invited)})
    at = desk.at(day, hour=17)
    yield at
    f.act("evaluate_session", at, t.officer, {"session": number, "score": desk.rng.randint(3, 5),
                                              "comments": "Participants attentifs, exercices utiles."})


def _done(desk: _Desk, t: _Team, f: _File, number: int) -> Steps:
    """Action `number` done a couple of days before its due date."""
    due = date.fromisoformat(f.case.data["actions"][number - 1]["due_on"])
    at = desk.at(desk.day((local_day(desk.now) - due).days + 2))
    yield at
    f.act("complete_action", at, t.officer, {"action": number, "note": "Constaté lors de la visite."})


def _in_diagnosis(desk: _Desk, t: _Team, f: _File) -> Steps:
    yield from _programme(desk, t, f, opened_ago=desk.rng.randint(1, 10))


def _planning(desk: _Desk, t: _Team, f: _File) -> Steps:
    yield from _diagnosed(desk, t, f, opened_ago=desk.rng.randint(12, 18))


def _underway(desk: _Desk, t: _Team, f: _File) -> Steps:
    """The first training held and evaluated; the first action overdue and reminded."""
    yield from _agreed(desk, t, f, opened_ago=50)
    yield from _train(desk, t, f, 1)
    yield f.due("next_action")
    f.fire("flag_overdue_actions", "next_action")


def _evaluated(desk: _Desk, t: _Team, f: _File, *, opened_ago: int = 100) -> Steps:
    yield from _agreed(desk, t, f, opened_ago=opened_ago)
    yield from _train(desk, t, f, 1)
    yield from _done(desk, t, f, 1)
    yield from _train(desk, t, f, 2)
    yield from _done(desk, t, f, 2)
    at = desk.at(desk.day(opened_ago - 80))
    yield at
    f.act("evaluate", at, t.officer, {"summary": "La coopérative tient sa caisse et vend sous étiquette.",
                                      "score": 4})


def _completed(desk: _Desk, t: _Team, f: _File) -> Steps:
    yield from _evaluated(desk, t, f, opened_ago=130)
    at = desk.at(desk.day(40))
    yield at
    f.act("file_report", at, t.officer, {"summary": "Objectifs du plan atteints pour l'essentiel.",
                                         "recommendations": ["Suivi comptable trimestriel"]})


def _abandoned(desk: _Desk, t: _Team, f: _File) -> Steps:
    yield from _diagnosed(desk, t, f, opened_ago=40)
    at = desk.at(desk.day(20))
    yield at
    f.act("abandon", at, t.officer, {"reason": "Le nouveau bureau ne souhaite pas poursuivre.",
                                     "requested_on": at.date().isoformat()})


ProgrammeStory = Callable[[_Desk, _Team, _File], Steps]
PROGRAMME_STORIES: tuple[ProgrammeStory, ...] = (
    _in_diagnosis, _planning, _underway, _underway, _evaluated, _completed, _abandoned,
)

_LEGAL = "legal.agadir"
_TEAMS = (("officer.agadir", "manager.agadir"), ("officer.marrakech", "manager.marrakech"),
          ("officer.rabat", "manager.rabat"))


def _cooperatives(session: Session, delegation_id: int | None) -> list[Cooperative]:
    return list(session.exec(
        select(Cooperative).where(col(Cooperative.delegation_id) == delegation_id,
                                  col(Cooperative.status) == "active").order_by(col(Cooperative.id)).limit(50)
    ))


def play(session: Session, *, now: datetime, settings: Settings, rng: random.Random) -> dict[str, int]:
    """Play the stories step by step in the order of their instants (so that references
    follow the order cases were opened), inside the caller's transaction; returns the
    number of cases in each state, as "<case type>.<state>"."""
    desk = _Desk(session, settings, rng, now, load_calendar(session))
    stories: list[Steps] = []
    legal = desk.actor(_LEGAL)
    legal_user = session.exec(select(User).where(col(User.username) == _LEGAL)).one()
    coops = _cooperatives(session, legal.delegation_id)
    if coops:
        mediation = _Mediation(legal, family_name(legal_user.full_name), coops)
        stories += [story(desk, mediation, _File(desk)) for story in DISPUTE_STORIES]
    for officer, manager in _TEAMS:
        team_officer = desk.actor(officer)
        team_coops = _cooperatives(session, team_officer.delegation_id)
        if team_coops:
            team = _Team(team_officer, desk.actor(manager), team_coops)
            stories += [story(desk, team, _File(desk)) for story in PROGRAMME_STORIES]
    queue: list[tuple[datetime, int, Steps]] = []
    for index, steps in enumerate(stories):
        first = next(steps, None)
        if first is not None:
            queue.append((first, index, steps))
    heapq.heapify(queue)
    while queue:
        at, index, steps = heapq.heappop(queue)
        if at > now:
            raise RuntimeError(f"a demo step at {at.isoformat()} is after now ({now.isoformat()})")
        following = next(steps, None)
        if following is not None:
            heapq.heappush(queue, (following, index, steps))
    return dict(Counter(f"{c.workflow_key}.{c.state}" for c in desk.opened))
