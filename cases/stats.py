"""The managers' figures: service-level compliance, and the officers' workload.

Compliance: what share of the deadlines that ended in a period were met
-----------------------------------------------------------------------
The unit is a *deadline*, one timer row of kind `deadline` (a case may have several: the
name decision, then a manager's review; a dispute's admissibility, then its mediation).
Only deadlines that someone must meet are counted: those whose action is `escalate:...`
(the law's periods for the office's decisions and the office's own service levels, and the
general assembly's filings, which the cooperative must meet; each row names its deadline).
Deadlines that *fire* a transition when they fall due (a certificate's validity, an
extension window, a session day) measure time passing, not work done, and are left out.

From the timer rows (see `models.Timer` and `service.cancel_timers`):
- **met** (in time): status `cancelled` with `fired_at < due_at`: the case left the
  deadline's states (a decision, a referral that ends it, a withdrawal) before it fell due;
  `fired_at` is that moment. The deadline *ended* at `fired_at`.
- **missed** (late): status `breached` (escalated, case still waiting), `closed` (decided
  after the breach), `cancelled` with `fired_at >= due_at` (decided late, before the
  scheduler had fired it), or `pending` with `due_at` already past (not fired yet). The
  deadline *ended* at `due_at`, whatever happened after: the end of its last day (a local
  midnight), so it counts in the month of that last day (a deadline whose last day is
  31 March is a March deadline, though it was missed at the first instant of April).
- not ended: `pending` with `due_at` still ahead, and `paused` (the office's clock stopped
  while the case waits for the cooperative) — counted in no period yet.
A deadline extended (a dispute's stage) or moved by a holiday correction is judged against
the due instant it had when it ended. A deadline cancelled while paused (the case ended
while waiting for the cooperative) ended when its clock stopped: `fired_at` keeps the
pause instant, before its due instant, so it counts as met in the month it paused.

A deadline is counted in the period, and in the month, in which it ended: the office's
months (`rules.calendar.OFFICE_TZ`, as `local_day` reads them), from the first local day
`start` to the last local day `end`, both included, and never after `now`.

Each grouping is done by the database (GROUP BY), reading only the deadlines that ended in
the period through two partial indexes (`ix_timer_deadline_met`, `ix_timer_deadline_due`);
month buckets are a CASE over the months' first instants, computed here in the office's zone
(SQLite has no time zones).

Workload: per person holding the delegation's cases
---------------------------------------------------
For every officer and legal staff member of the delegation (headquarters: of every
delegation), and anyone else holding its open cases: open cases assigned to them, how many
of those are overdue and at risk (as `cases.deadlines` defines them, so that the dashboard
and this table agree), and the cases assigned to them that closed in the last 30 days. Open
cases, overdue and at risk, are counted per person from the partial index
`ix_case_open_assignee` alone (open cases only, carrying their two instants), closures
through `ix_case_closed_assignee` (by closing instant): the table costs what the open cases
in view cost, not the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, literal_column, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases import access, deadlines, delegations, overdue
from cases.errors import Forbidden, Invalid, NotFound
from cases.models import Case, Delegation, Timer, User
from cases.types import UTCDateTime
from rules.calendar import OFFICE_TZ, local_day
from workflows.spec import Actor

MAX_MONTHS = 36
DEFAULT_MONTHS = 6
CLOSED_WINDOW = timedelta(days=30)
HOLDERS = ("officer", "legal")

# Literal predicates (not bound parameters): SQLite uses a partial index only when the
# query repeats the index's own terms, and it cannot see through `IN (?, ?)`.
_DEADLINE = col(Timer.kind) == literal_column("'deadline'")
_CANCELLED = col(Timer.status) == literal_column("'cancelled'")
_ESCALATES = col(Timer.action).like(literal_column("'escalate:%'"))


# -- compliance ------------------------------------------------------------------------------


@dataclass
class Tally:
    due: int = 0
    met: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.met

    @property
    def share(self) -> float | None:
        return self.met / self.due if self.due else None

    def add(self, due: int, met: int) -> None:
        self.due += due
        self.met += met


@dataclass
class ComplianceRow:
    delegation: str
    workflow: str
    month: str  # YYYY-MM, the office's month
    tally: Tally = field(default_factory=Tally)
    by_deadline: dict[str, Tally] = field(default_factory=dict)


@dataclass
class Compliance:
    start: date
    end: date
    total: Tally
    rows: list[ComplianceRow]
    by_delegation: dict[str, Tally]
    by_workflow: dict[str, Tally]


def months(start: date, end: date) -> list[tuple[str, datetime]]:
    """The office's months from the one holding `start` to the one holding `end`: each
    label and its first instant (local midnight on the 1st, in UTC)."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = datetime.combine(date(year, month, 1), time(0), tzinfo=OFFICE_TZ).astimezone(UTC)
        out.append((f"{year:04d}-{month:02d}", first))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OFFICE_TZ).astimezone(UTC)


def _require_manager(actor: Actor, what: str) -> None:
    if actor.role not in ("manager", "admin"):
        raise Forbidden(f"{what} is for managers")


def _scope(
    db_session: Session, actor: Actor, delegation: str | None, *, by_index: bool = True
) -> ColumnElement[bool]:
    """The cases the actor may count: their delegation, or headquarters' choice of one.

    `by_index=False` compares `delegation_id + 0`, which no index serves: the query then
    reads the period's deadlines through their index and drops the other delegations' on
    the way, instead of reading every case the delegation ever had (SQLite's choice when it
    has no statistics): the cost follows the period, not the length of the history."""
    wanted = None if access.is_headquarters(actor) or actor.is_system else actor.delegation_id
    if delegation is not None:
        found = db_session.exec(select(Delegation.id).where(col(Delegation.code) == delegation)).first()
        if found is None:
            raise NotFound("delegation", delegation)
        if wanted is not None and found != wanted:
            raise Forbidden("a delegation's managers see their own delegation")
        wanted = found
    if wanted is None:
        return overdue.visible(actor)
    column = col(Case.delegation_id) if by_index else col(Case.delegation_id) + 0
    return column == wanted


def default_period(now: datetime) -> tuple[date, date]:
    """The current office month and the five before it, up to today."""
    today = local_day(now)
    year, month = divmod(today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1), 12)
    return date(year, month + 1, 1), today


def compliance(
    *, db_session: Session, actor: Actor, now: datetime, start: date | None = None,
    end: date | None = None, delegation: str | None = None,
) -> Compliance:
    """Deadlines that ended between the local days `start` and `end` (both included), met
    or missed, per delegation, workflow and office month (see the module's definitions)."""
    _require_manager(actor, "service-level compliance")
    first, last = default_period(now)
    start, end = start or first, end or last
    if end < start:
        raise Invalid([{"loc": ["query", "to"], "msg": "the period ends before it starts", "type": "value_error"}])
    buckets = months(start, end)
    if len(buckets) > MAX_MONTHS:
        raise Invalid([{"loc": ["query", "from"], "msg": f"at most {MAX_MONTHS} months at once",
                        "type": "value_error"}])
    scope = _scope(db_session, actor, delegation, by_index=False)
    low = _local_midnight(start)
    high = min(_local_midnight(end + timedelta(days=1)), now)

    met_at = col(Timer.fired_at)
    met = and_(
        _DEADLINE, _CANCELLED, _ESCALATES, met_at >= low, met_at < high, met_at < col(Timer.due_at),
    )
    due_at = col(Timer.due_at)
    missed = and_(
        _DEADLINE, _ESCALATES, due_at > low, due_at <= high, col(Timer.status) != "paused",
        or_(col(Timer.status) != "cancelled", met_at.is_(None), met_at >= due_at),
    )
    groups: dict[tuple[int, str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for ended, condition, is_met in ((met_at, met, 1), (due_at, missed, 0)):
        for key, n in _grouped(db_session, ended, condition, scope, buckets, at_end=not is_met):
            groups[key][0] += n
            groups[key][1] += n * is_met

    codes = delegations.codes(db_session)
    rows: dict[tuple[str, str, str], ComplianceRow] = {}
    total = Tally()
    by_delegation: dict[str, Tally] = defaultdict(Tally)
    by_workflow: dict[str, Tally] = defaultdict(Tally)
    for (delegation_id, workflow, deadline, bucket), (due, met_count) in groups.items():
        code = codes.get(delegation_id, str(delegation_id))
        label = buckets[bucket][0]
        row = rows.setdefault((code, workflow, label), ComplianceRow(code, workflow, label))
        row.tally.add(due, met_count)
        row.by_deadline.setdefault(deadline, Tally()).add(due, met_count)
        total.add(due, met_count)
        by_delegation[code].add(due, met_count)
        by_workflow[workflow].add(due, met_count)
    ordered = [rows[k] for k in sorted(rows)]
    return Compliance(start=start, end=end, total=total, rows=ordered,
                      by_delegation=dict(sorted(by_delegation.items())),
                      by_workflow=dict(sorted(by_workflow.items())))


def _grouped(
    db_session: Session, ended: Any, condition: ColumnElement[bool], scope: ColumnElement[bool],
    buckets: list[tuple[str, datetime]], *, at_end: bool,
) -> list[tuple[tuple[int, str, str, int], int]]:
    """Counts of deadlines matching `condition`, per delegation, workflow, deadline and
    month of `ended`, counted by the database. `at_end`: `ended` is the end of a last day
    (a local midnight), which belongs to the month before it."""
    def before(first: datetime) -> ColumnElement[bool]:
        bound = literal(first, UTCDateTime())
        return ended <= bound if at_end else ended < bound  # type: ignore[no-any-return]

    month = case(
        *[(before(first), i) for i, (_, first) in enumerate(buckets[1:])], else_=len(buckets) - 1,
    ) if len(buckets) > 1 else literal(0)
    inner = (
        select(  # type: ignore[call-overload]
            col(Case.delegation_id).label("delegation_id"), col(Case.workflow_key).label("workflow"),
            col(Timer.deadline_key).label("deadline"), month.label("month"),
        )
        .select_from(Timer)
        .join(Case, col(Case.id) == col(Timer.case_id))
        .where(condition, scope)
        .subquery()
    )
    query = select(  # type: ignore[call-overload]
        inner.c.delegation_id, inner.c.workflow, inner.c.deadline, inner.c.month, func.count()
    ).group_by(inner.c.delegation_id, inner.c.workflow, inner.c.deadline, inner.c.month)
    return [((d, w, k, int(m)), int(n)) for d, w, k, m, n in db_session.execute(query)]


# -- workload --------------------------------------------------------------------------------


@dataclass
class Load:
    username: str
    full_name: str
    role: str
    delegation: str | None
    open: int = 0
    overdue: int = 0
    at_risk: int = 0
    closed_last_30_days: int = 0


@dataclass
class Workload:
    people: list[Load]
    unassigned_open: int
    now: datetime


def workload(
    *, db_session: Session, actor: Actor, now: datetime, delegation: str | None = None
) -> Workload:
    """Per officer (and legal staff) of the delegation, and anyone else holding its open
    cases: open cases, overdue and at risk among them, closed in the last 30 days."""
    _require_manager(actor, "the workload table")
    scope = _scope(db_session, actor, delegation)
    codes = delegations.codes(db_session)
    people = _holders(db_session, actor, delegation)
    ids = [u.id for u in people if u.id is not None]
    counts: dict[int, Load] = {
        u.id: Load(u.username, u.full_name, u.role, codes.get(u.delegation_id) if u.delegation_id else None)
        for u in people if u.id is not None
    }
    if ids:
        assignee = col(Case.assignee_id)
        open_rows = db_session.execute(
            select(  # type: ignore[call-overload]
                assignee, func.count(),
                func.sum(case((deadlines.overdue(now), 1), else_=0)),
                func.sum(case((deadlines.at_risk(now), 1), else_=0)),
            )
            .where(assignee.in_(ids), col(Case.closed_at).is_(None), scope)
            .group_by(assignee)
        )
        for user_id, n, late, risky in open_rows:
            load = counts[user_id]
            load.open, load.overdue, load.at_risk = int(n), int(late or 0), int(risky or 0)
        # the month's closures, read by closing instant (the delegation compared as `+ 0`,
        # the holders picked out here), never every case a holder or a delegation ever had
        recent = _scope(db_session, actor, delegation, by_index=False)
        closed_rows = db_session.execute(
            select(assignee, func.count())  # type: ignore[call-overload]
            .where(col(Case.closed_at) >= now - CLOSED_WINDOW, col(Case.closed_at) <= now,
                   assignee.is_not(None), recent)
            .group_by(assignee)
        )
        for user_id, n in closed_rows:
            if user_id in counts:
                counts[user_id].closed_last_30_days = int(n)
    unassigned = db_session.execute(
        select(func.count()).select_from(Case)
        .where(col(Case.assignee_id).is_(None), col(Case.closed_at).is_(None), scope)
    ).scalar_one()
    listed = {u.id for u in people if u.role in HOLDERS and u.active}
    return Workload(
        people=[x for uid, x in sorted(counts.items(), key=lambda kv: _order(kv[1]))
                if uid in listed or x.open or x.closed_last_30_days],
        unassigned_open=int(unassigned), now=now,
    )


def _order(load: Load) -> tuple[str, int, str]:
    return (load.delegation or "", -load.open, load.username)


def _holders(db_session: Session, actor: Actor, delegation: str | None) -> list[User]:
    """Everyone who may hold the cases in view: the delegation's people, and headquarters'
    (who may hold any case; they are listed only when they do)."""
    query = select(User).where(col(User.role).in_(("officer", "legal", "manager")))
    if delegation is not None:
        query = query.where(or_(
            col(User.delegation_id).in_(select(Delegation.id).where(col(Delegation.code) == delegation)),
            col(User.delegation_id).is_(None),
        ))
    elif not (access.is_headquarters(actor) or actor.is_system):
        query = query.where(or_(col(User.delegation_id) == actor.delegation_id, col(User.delegation_id).is_(None)))
    return list(db_session.exec(query))

