"""Demo cases of general-assembly supervision and audits, in every state.

Like the name-approval demo, each case is a short story played through the service layer by
the person who would take each step, at the moment they would take it, with the scheduler's
own steps (an assembly marked overdue, the end of an audit's monitoring) taken by the system
at the instant they fall due. An audit's report with findings opens its extraordinary
assembly, and that assembly held moves the audit on, exactly as in use. The stories are
interleaved in the order of their steps' instants, so that references follow each other as
they would have.

Every date is counted back from `now`, so that the demo is true whatever day it is loaded:
the yearly cases belong to the last two financial years that are over, the others start a
few days to a few months ago.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from cases import assembly_store, audit_store, service
from cases.models import Case, Cooperative, Delegation, User
from cases.settings import Settings
from cases.users import actor_of
from rules import assemblies
from rules.calendar import OFFICE_TZ, end_of_day, local_day
from workflows.audit import KEY as AUDIT
from workflows.general_assembly import KEY as ASSEMBLY
from workflows.spec import SYSTEM, Actor

# Delegations whose demo staff exist; elsewhere headquarters' manager takes every step.
_STAFF = {"AGA": ("officer.agadir", "manager.agadir"), "MRK": ("officer.marrakech", "manager.marrakech"),
          "RAB": ("officer.rabat", "manager.rabat")}
_HEADQUARTERS = "manager.hq"

AGENDAS = (
    ["Rapport moral et financier", "Approbation des comptes de l'exercice", "Affectation du résultat"],
    ["Rapport du conseil d'administration", "Approbation des comptes", "Renouvellement du tiers du conseil"],
    ["Comptes de l'exercice", "Programme d'activité", "Admission de nouveaux membres"],
)
EXTRAORDINARY_AGENDAS = (
    ["Modification des statuts (objet social)"],
    ["Augmentation du capital social", "Modification des statuts"],
)
REDRESS_AGENDA = ["Mesures de redressement demandées par l'Office", "Renouvellement du conseil d'administration"]
DRAFTS = (
    {"findings": ["Comptes de l'exercice non approuvés par l'assemblée",
                  "Registre des membres non tenu à jour"],
     "recommendations": ["Faire approuver les comptes par une assemblée générale",
                         "Mettre à jour le registre des membres et le déposer au greffe"]},
    {"findings": ["Dépenses sans pièces justificatives", "Conseil d'administration non renouvelé"],
     "recommendations": ["Justifier les dépenses de l'exercice", "Renouveler le conseil d'administration",
                         "Tenir une comptabilité conforme"]},
)

Story = Generator[datetime, None, None]


@dataclass
class _Desk:
    """What every story shares: the session, the settings, the clock, the staff."""

    session: Session
    settings: Settings
    rng: random.Random
    now: datetime
    staff: dict[str, Actor]
    delegations: dict[int, str]
    references: list[str]

    @property
    def today(self) -> date:
        return local_day(self.now)

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        moment = datetime.combine(day, time(hour, minute), tzinfo=OFFICE_TZ).astimezone(UTC)
        return min(moment, self.now - timedelta(minutes=1))

    def ago(self, days: int, hour: int = 10) -> datetime:
        return self.at(self.today - timedelta(days=days), hour)

    def officer(self, coop: Cooperative) -> Actor:
        return self.staff[_STAFF.get(self.delegations[coop.delegation_id], (_HEADQUARTERS,) * 2)[0]]

    def manager(self, coop: Cooperative) -> Actor:
        return self.staff[_STAFF.get(self.delegations[coop.delegation_id], (_HEADQUARTERS,) * 2)[1]]

    def act(self, reference: str, trigger: str, at: datetime, who: Actor,
            data: dict[str, Any] | None = None) -> Case:
        case = self.session.exec(select(Case).where(col(Case.reference) == reference)).one()
        return service.act(db_session=self.session, reference=reference, trigger=trigger, actor=who,
                           data=data, expected_version=case.version, now=at, settings=self.settings)

    def open_assembly(self, coop: Cooperative, data: dict[str, Any], at: datetime) -> str:
        case = assembly_store.open_assembly(
            self.session, data=data, cooperative_id=coop.id, delegation_id=coop.delegation_id,
            actor=SYSTEM, now=at, settings=self.settings)
        self.references.append(case.reference)
        return case.reference

    def plan_audit(self, coop: Cooperative, at: datetime) -> str:
        case = audit_store.plan_audit(
            self.session, national_number=coop.national_number,
            planned_for=local_day(at) + timedelta(days=30), actor=self.manager(coop), now=at,
            settings=self.settings)
        self.references.append(case.reference)
        return case.reference

    def linked_assembly(self, audit: str) -> str:
        case = self.session.exec(select(Case).where(col(Case.reference) == audit)).one()
        (link,) = [link for link in case.data["links"] if link["relation"] == "extraordinary_assembly"]
        self.references.append(link["reference"])
        return str(link["reference"])


def _convocation(call: int, notice_on: date, kind: str, agenda: list[str]) -> dict[str, Any]:
    """A notice sent on `notice_on` for the first day the law allows after it."""
    meeting_on = notice_on + timedelta(days=assemblies.notice_days(call) + 1)
    return {"kind": kind, "call": call, "meeting_on": meeting_on.isoformat(),
            "meeting_time": "10:00", "place": "Siège de la coopérative", "agenda": agenda,
            "notice_on": notice_on.isoformat(), "notice_means": "registered_letter"}


def _meeting_day(convocation: dict[str, Any]) -> date:
    return date.fromisoformat(convocation["meeting_on"])


def _attendance(members: int, *, enough: bool, kind: str, call: int, rng: random.Random) -> dict[str, Any]:
    required = assemblies.required_quorum(kind, call, members)  # type: ignore[arg-type]
    present = rng.randint(required, members) if enough else rng.randint(0, max(0, required - 1))
    proxies = min(present // 2, rng.randint(0, 3))
    return {"members": members, "present_in_person": present - proxies, "proxies": proxies}


def _resolutions(agenda: list[str], voters: int, kind: str, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for item in agenda:
        against = rng.randint(0, voters // (4 if kind == "ordinary" else 5))
        out.append({"title": item, "votes_for": voters - against, "votes_against": against})
    return out


# -- general-assembly stories -------------------------------------------------------------------


def _yearly(desk: _Desk, coop: Cooperative, year_end: date, ending: str) -> Story:
    """An ordinary assembly due after `year_end`, taken as far as `ending`."""
    opened = desk.at(year_end + timedelta(days=1), 5, 30)
    yield opened
    ref = desk.open_assembly(coop, {"kind": "ordinary", "origin": "year_end",
                                    "financial_year_end": year_end.isoformat()}, opened)
    held_by = assemblies.due_after_year_end(year_end)
    officer, manager = desk.officer(coop), desk.manager(coop)
    if ending == "cancelled":
        at = desk.at(year_end + timedelta(days=desk.rng.randint(10, 40)), 11)
        yield at
        desk.act(ref, "cancel", at, manager, {"reason": "Dissolution de la coopérative décidée par ses membres."})
        return
    if ending in ("held", "filed"):
        notice = held_by - timedelta(days=desk.rng.randint(40, 70))
        agenda = desk.rng.choice(AGENDAS)
        convocation = _convocation(1, notice, "ordinary", agenda)
        yield desk.at(notice, 9)
        desk.act(ref, "convene", desk.at(notice, 9), officer, convocation)
        meeting = _meeting_day(convocation)
        yield desk.at(meeting, 17)
        attendance = _attendance(coop.members, enough=True, kind="ordinary", call=1, rng=desk.rng)
        voters = attendance["present_in_person"] + attendance["proxies"]
        desk.act(ref, "hold", desk.at(meeting, 17), officer,
                 {**attendance, "resolutions": _resolutions(agenda, voters, "ordinary", desk.rng)})
        if ending == "filed":
            filed = meeting + timedelta(days=desk.rng.randint(5, 40))  # some late
            yield desk.at(filed, 11)
            desk.act(ref, "file", desk.at(filed, 11), officer, {
                "filed_on": filed.isoformat(), "documents": ["minutes", "accounts"],
                "local_register": f"Tribunal de première instance, {coop.province}"})
        return
    if ending == "overdue":
        due = end_of_day(held_by)
        yield due
        desk.act(ref, "mark_overdue", due, SYSTEM)


def _forced(desk: _Desk, coop: Cooperative, days_ago: int, ending: str) -> Story:
    """A third of the members asked for an assembly `days_ago`; taken as far as `ending`."""
    requested = desk.today - timedelta(days=days_ago)
    kind = desk.rng.choice(("ordinary", "extraordinary"))
    agenda = desk.rng.choice(AGENDAS if kind == "ordinary" else EXTRAORDINARY_AGENDAS)
    yield desk.at(requested, 11)
    ref = desk.open_assembly(coop, {
        "kind": kind, "origin": "members_request", "requested_on": requested.isoformat(),
        "requesters": -(-coop.members // 3) + desk.rng.randint(0, 2), "members": coop.members,
    }, desk.at(requested, 11))
    officer = desk.officer(coop)
    if ending == "open":
        return
    notice = requested + timedelta(days=1)
    for call in range(1, assemblies.MAX_CALLS + 1):
        convocation = _convocation(call, notice, kind, agenda)
        yield desk.at(notice, 9)
        desk.act(ref, "convene", desk.at(notice, 9), officer, convocation)
        meeting = _meeting_day(convocation)
        if ending == "convened":
            if officer.username != _HEADQUARTERS:
                yield desk.at(notice + timedelta(days=1), 9)
                assembly_store.send_to_attend(
                    desk.session, reference=ref, officer=officer.username, actor=desk.manager(coop),
                    now=desk.at(notice + timedelta(days=1), 9), settings=desk.settings)
            return
        yield desk.at(meeting, 17)
        quorum = ending in ("held", "filed")
        attendance = _attendance(coop.members, enough=quorum, kind=kind, call=call, rng=desk.rng)
        if quorum:
            voters = attendance["present_in_person"] + attendance["proxies"]
            desk.act(ref, "hold", desk.at(meeting, 17), officer,
                     {**attendance, "resolutions": _resolutions(agenda, voters, kind, desk.rng)})
            if ending == "filed":
                yield desk.at(meeting + timedelta(days=12), 11)
                desk.act(ref, "file", desk.at(meeting + timedelta(days=12), 11), officer, {
                    "filed_on": (meeting + timedelta(days=12)).isoformat(),
                    "documents": ["minutes", "member_list"], "local_register": "Tribunal de première instance"})
            return
        if call == assemblies.MAX_CALLS:
            desk.act(ref, "fail", desk.at(meeting, 17), officer, attendance)
            return
        desk.act(ref, "adjourn", desk.at(meeting, 17), officer, attendance)
        if ending == "awaiting_next_call":
            return
        notice = meeting + timedelta(days=1)


# -- audit stories ------------------------------------------------------------------------------


def _audit(desk: _Desk, coop: Cooperative, days_ago: int, ending: str) -> Story:
    """A control planned `days_ago`, taken as far as `ending`; each step a few days or weeks
    after the one before, as the office works."""
    day = desk.today - timedelta(days=days_ago)
    yield desk.at(day, 9)
    ref = desk.plan_audit(coop, desk.at(day, 9))
    officer, manager = desk.officer(coop), desk.manager(coop)
    if ending == "planned":
        return

    def step(days: int, hour: int = 10) -> datetime:
        nonlocal day
        day += timedelta(days=days)
        return desk.at(day, hour)

    if ending == "cancelled":
        at = step(2)
        yield at
        desk.act(ref, "cancel", at, manager, {"reason": "Contrôle reporté : la coopérative est en liquidation."})
        return
    at = step(5)
    yield at
    desk.act(ref, "notify", at, officer, {"documents": ["statuts", "registre des membres",
                                                       "comptes des deux derniers exercices",
                                                       "procès-verbaux des assemblées"]})
    if ending == "documents_requested":
        return
    if ending == "obstructed":
        at = step(desk.settings.audit_document_request_days + 3)
        yield at
        desk.act(ref, "record_obstruction", at, officer, {
            "observed_on": local_day(at).isoformat(),
            "facts": "Le président refuse de recevoir les contrôleurs et de remettre les comptes."})
        return
    at = step(8)
    yield at
    desk.act(ref, "receive_documents", at, officer, {"received_on": local_day(at).isoformat()})
    if ending == "fieldwork":
        return
    if ending == "closed":
        at = step(20)
        yield at
        desk.act(ref, "close_without_findings", at, officer, {"note": "Gestion conforme."})
        return
    at = step(20)
    yield at
    desk.act(ref, "send_draft", at, officer, desk.rng.choice(DRAFTS))
    if ending == "draft_sent":
        return
    at = step(desk.settings.audit_draft_answer_days + 2)
    yield at
    desk.act(ref, "file_report", at, officer, {})
    assembly = desk.linked_assembly(ref)
    if ending == "awaiting_assembly":
        return
    if ending == "strike_off_requested":
        at = step(20, 11)
        yield at
        desk.act(assembly, "cancel", at, manager, {"reason": "Le conseil refuse de convoquer l'assemblée."})
        at = step(3)
        yield at
        desk.act(ref, "prepare_strike_off", at, officer, {"court": f"Tribunal de première instance, {coop.province}"})
        return
    notice = step(1, 9)
    convocation = _convocation(1, local_day(notice), "extraordinary", REDRESS_AGENDA)
    yield notice
    desk.act(assembly, "convene", notice, officer, convocation)
    meeting = _meeting_day(convocation)
    held = desk.at(meeting, 17)
    yield held
    attendance = _attendance(coop.members, enough=True, kind="extraordinary", call=1, rng=desk.rng)
    voters = attendance["present_in_person"] + attendance["proxies"]
    desk.act(assembly, "hold", held, officer, {
        **attendance, "resolutions": _resolutions(REDRESS_AGENDA, voters, "extraordinary", desk.rng)})
    filed = desk.at(meeting + timedelta(days=10), 11)
    yield filed
    desk.act(assembly, "file", filed, officer, {"filed_on": (meeting + timedelta(days=10)).isoformat(),
                                               "documents": ["minutes"],
                                               "local_register": "Tribunal de première instance"})
    done = desk.at(meeting + timedelta(days=45), 10)
    yield done
    desk.act(ref, "complete_recommendation", done, officer,
             {"number": 1, "done_on": local_day(done).isoformat(), "note": "Vérifié sur pièces."})
    if ending == "monitoring":
        return
    until = end_of_day(assemblies.months_after(meeting, 6))
    yield until
    desk.act(ref, "end_monitoring", until, SYSTEM)


# -- the play -----------------------------------------------------------------------------------

# How far back each audit story starts, so that its last step is just behind `now` and its
# running deadline, if any, still ahead.
_AUDITS = (
    ("planned", 3), ("documents_requested", 10), ("fieldwork", 20), ("draft_sent", 40),
    ("awaiting_assembly", 60), ("monitoring", 150), ("assessment", 300), ("closed", 60),
    ("strike_off_requested", 90), ("obstructed", 40), ("cancelled", 20),
)
# Members' requests: days ago, and how far each goes.
_FORCED = (
    (5, "open"), (8, "convened"), (30, "awaiting_next_call"), (25, "held"), (60, "filed"),
    (52, "not_held"),
)


def _interleave(stories: list[Story]) -> None:
    """Play the stories' steps in the order of their instants."""
    heap: list[tuple[datetime, int, Story]] = []
    for n, story in enumerate(stories):
        first = next(story, None)
        if first is not None:
            heapq.heappush(heap, (first, n, story))
    while heap:
        _, n, story = heapq.heappop(heap)
        following = next(story, None)
        if following is not None:
            heapq.heappush(heap, (following, n, story))


def play(session: Session, *, now: datetime, settings: Settings, rng: random.Random) -> dict[str, int]:
    """General-assembly and audit cases in every state, on cooperatives of the register;
    returns how many cases are in each `<case type>:<state>`."""
    today = local_day(now)
    last = assembly_store.last_year_end(today, settings)
    before = assembly_store.year_end(last.year - 1, settings)
    staff = {u.username: actor_of(u) for u in session.exec(select(User).where(col(User.active)))}
    delegations = {d.id: d.code for d in session.exec(select(Delegation)) if d.id is not None}
    pool = list(session.exec(
        select(Cooperative).where(col(Cooperative.status) == "active", col(Cooperative.registered_on) <= before,
                                  col(Cooperative.members) >= 5)
        .order_by(col(Cooperative.id))
    ))
    # no cooperative already under a case of these types: the yearly and audit stories need
    # a clean record
    taken = set(session.exec(select(col(Case.cooperative_id)).where(
        col(Case.workflow_key).in_((ASSEMBLY, AUDIT)))))
    pool = [c for c in pool if c.id not in taken]
    rng.shuffle(pool)
    staffed = [c for c in pool if delegations[c.delegation_id] in _STAFF]
    ordered = iter(staffed + [c for c in pool if delegations[c.delegation_id] not in _STAFF])
    desk = _Desk(session, settings, rng, now, staff, delegations, [])

    def take() -> Cooperative:
        coop = next(ordered, None)
        if coop is None:
            raise ValueError("the demo register has too few active cooperatives for the assembly and audit demo")
        return coop

    due_this_year = assemblies.due_after_year_end(last) >= today
    stories: list[Story] = []
    yearly: list[tuple[date, str]] = [
        (before, "filed"), (before, "filed"), (before, "held"), (before, "overdue"), (before, "overdue"),
        (before, "cancelled"),
    ]
    yearly += [(last, "open" if due_this_year else "overdue")] * 3
    for year_end, ending in yearly:
        stories.append(_yearly(desk, take(), year_end, ending))
    for days_ago, ending in _FORCED:
        stories.append(_forced(desk, take(), days_ago, ending))
    for ending, days_ago in _AUDITS:
        stories.append(_audit(desk, take(), days_ago, ending))
    _interleave(stories)
    session.flush()
    states = session.exec(select(Case.workflow_key, Case.state).where(col(Case.reference).in_(desk.references)))
    return dict(Counter(f"{key}:{state}" for key, state in states))
