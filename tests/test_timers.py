"""Time-travel scenarios: deadlines that warn, escalate, expire and remind, exactly once,
through catch-up and crashed workers. Runs on every configured database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from cases import timers
from cases.models import Case, CaseEvent, Outbox, Timer
from cases.settings import Settings
from tests.conftest import local
from tests.test_name_approval import T0, act, open_, request


def tick(engine: Engine, settings: Settings, at: datetime, worker: str = "w1") -> timers.TickReport:
    return timers.tick(engine=engine, now=at, worker=worker, settings=settings)


def events(engine: Engine, reference: str, *kinds: str) -> list[CaseEvent]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        query = select(CaseEvent).where(col(CaseEvent.case_id) == case.id).order_by(col(CaseEvent.seq))
        return [e for e in s.exec(query) if not kinds or e.kind in kinds]


def state(engine: Engine, reference: str) -> str:
    with Session(engine) as s:
        return s.exec(select(Case.state).where(col(Case.reference) == reference)).one()


def statuses(engine: Engine, reference: str) -> dict[tuple[str, str], str]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        rows = s.exec(select(Timer).where(col(Timer.case_id) == case.id))
        return {(t.deadline_key, t.action): t.status for t in rows}


def outbox_templates(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return [(o.template, o.address) for o in s.exec(select(Outbox).order_by(col(Outbox.id)))]


def test_decision_deadline_warns_at_half_and_three_quarters_then_escalates(
    engine: Engine, settings: Settings
) -> None:
    ref = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    # due at the end of 4 March (2 full days after 2 March 10:00): 62 hours
    assert tick(engine, settings, T0 + timedelta(hours=30)).fired == 0
    assert tick(engine, settings, T0 + timedelta(hours=32)).fired == 1
    assert [e.data["timer"]["action"] for e in events(engine, ref, "warn")] == ["warn:0.5"]
    assert tick(engine, settings, T0 + timedelta(hours=47)).fired == 1
    assert tick(engine, settings, local(2026, 3, 4, 23, 59)).fired == 0
    assert tick(engine, settings, local(2026, 3, 5, 0, 0)).fired == 1

    (breach,) = events(engine, ref, "escalate")
    assert "loi 112-12, art. 7" in breach.data["timer"]["fr"]
    assert statuses(engine, ref)[("decision", "escalate:managers")] == "breached"
    # no one was assigned: the warnings went to the delegation's managers, so did the breach
    assert [m for m in outbox_templates(engine) if m[0] != "request_received"] == [
        ("deadline_warning", "manager.agadir@odco.example"),
        ("deadline_warning", "manager.agadir@odco.example"),
        ("deadline_breached", "manager.agadir@odco.example"),
    ]
    # deciding late closes the breach
    act(engine, settings, ref, "approve", local(2026, 3, 5, 9, 0), data={})
    assert statuses(engine, ref)[("decision", "escalate:managers")] == "closed"


def test_certificate_reminds_then_expires_after_sixty_full_days(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tudert"), T0)
    act(engine, settings, ref, "approve", T0 + timedelta(hours=1), data={})
    tick(engine, settings, local(2026, 4, 21, 23, 0))
    assert events(engine, ref, "remind") == []
    tick(engine, settings, local(2026, 4, 22, 0, 0))  # 10 days before the end of 1 May
    assert len(events(engine, ref, "remind")) == 1
    assert ("certificate_expiring", "fatima@example.ma") in outbox_templates(engine)

    tick(engine, settings, local(2026, 5, 1, 23, 59))
    assert state(engine, ref) == "approved"
    tick(engine, settings, local(2026, 5, 2, 0, 0))
    assert state(engine, ref) == "expired"
    expiry = events(engine, ref, "transition")[-1]
    assert (expiry.actor, expiry.trigger) == ("system", "expire")

    # nobody asks for the extension: the window closes after 7 full days
    tick(engine, settings, local(2026, 5, 10, 0, 0))
    assert state(engine, ref) == "lapsed"


def test_scheduler_down_for_three_days_catches_up_once(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Azir"), T0)
    report = tick(engine, settings, T0 + timedelta(days=3))
    assert (report.fired, report.collapsed) == (1, 2)
    assert [e.kind for e in events(engine, ref, "warn", "escalate")] == ["escalate"]
    assert [t for t, _ in outbox_templates(engine)] == ["request_received", "deadline_breached"]
    again = tick(engine, settings, T0 + timedelta(days=3, minutes=5))
    assert again.claimed == 0


def test_killed_worker_loses_nothing(engine: Engine, settings: Settings) -> None:
    ref = open_(engine, settings, request("Coopérative Tifawin"), T0)
    at = T0 + timedelta(days=3)
    claimed = timers.claim_due(engine=engine, now=at, worker="dead", limit=10, lease=timedelta(minutes=5))
    assert len(claimed) == 3
    # the dead worker never fires; while its lease runs, nobody else takes its timers
    assert tick(engine, settings, at + timedelta(minutes=1), worker="alive").claimed == 0
    report = tick(engine, settings, at + timedelta(minutes=6), worker="alive")
    assert report.claimed == 3 and report.fired == 1
    assert len(events(engine, ref, "escalate")) == 1
    # the dead worker, come back to life, finds nothing left to do
    assert timers.fire(claimed[0], engine=engine, now=at, worker="dead", settings=settings) == "skipped"


def test_manager_review_counts_business_days(engine: Engine, settings: Settings) -> None:
    # referred on Thursday 5 November 2026: Friday 6 is Green March, then the weekend
    thursday = local(2026, 11, 5, 11, 0)
    ref = open_(engine, settings, request("Coopérative Royale du Safran"), thursday)
    act(engine, settings, ref, "refer", thursday, data={"note": "mot sensible"})
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == ref)).one()
        review = s.exec(select(Timer).where(col(Timer.case_id) == case.id,
                                            col(Timer.deadline_key) == "manager_review",
                                            col(Timer.kind) == "deadline")).one()
    # two business days after Thursday: Monday 9 and Tuesday 10 November
    assert review.due_at == local(2026, 11, 11, 0, 0)
    assert "jours ouvrables" in review.explanation_fr


def test_each_timer_fires_once_with_two_workers(engine: Engine, settings: Settings) -> None:
    """Two workers ticking at the same instant share the work without doubling it."""
    import threading

    for i in range(20):
        open_(engine, settings, request(f"Coopérative Tiwizi {i} Azilal"), T0)
    at = T0 + timedelta(days=3)
    reports: list[timers.TickReport] = []

    def run(worker: str) -> None:
        reports.append(timers.tick(engine=engine, now=at, worker=worker, settings=settings, batch=7))

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.claimed for r in reports) == 60
    with Session(engine) as s:
        escalations = s.exec(select(func.count()).select_from(CaseEvent).where(col(CaseEvent.kind) == "escalate")).one()
    assert escalations == 20


def test_overdue_views_show_the_late_case(engine: Engine, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from cases.clock import FixedClock
    from tests.conftest import login

    late = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    on_time = open_(engine, settings, request("Coopérative Azir"), T0 + timedelta(hours=30))
    clock = FixedClock(T0 + timedelta(days=3))
    tick(engine, settings, clock.now())
    with TestClient(create_app(settings=settings, engine=engine, clock=clock)) as client:
        manager = login(client, "manager.agadir")
        listed = client.get("/api/v1/cases", params={"overdue": "true"}, headers=manager).json()["items"]
        assert [c["reference"] for c in listed] == [late]
        risky = client.get("/api/v1/cases", params={"at_risk": "true"}, headers=manager).json()["items"]
        assert [c["reference"] for c in risky] == [on_time]
        board = client.get("/api/v1/dashboard/overdue", headers=manager).json()
        assert board["overdue"] == 1 and board["at_risk"] == 1
        assert board["by_delegation"] == {"AGA": 1}
        assert board["by_officer"] == {"(unassigned)": 1}
        assert board["ageing_days"]["0-2"] == 1
        # another delegation's manager sees nothing of it; an officer may not open the board
        rabat = login(client, "officer.rabat")
        assert client.get("/api/v1/cases", params={"overdue": "true"}, headers=rabat).json()["items"] == []
        assert client.get("/api/v1/dashboard/overdue", headers=rabat).status_code == 403


def test_demo_clock_moves_only_when_enabled(engine: Engine, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from cases.clock import FixedClock
    from tests.conftest import login

    ref = open_(engine, settings, request("Coopérative Tudert"), T0)
    act(engine, settings, ref, "approve", T0, data={})
    clock = FixedClock(T0)
    with TestClient(create_app(settings=settings, engine=engine, clock=clock)) as client:
        admin = login(client, "admin")
        assert client.post("/api/v1/admin/clock", json={"days": 61}, headers=admin).status_code == 404
    demo = settings.model_copy(update={"demo_clock": True})
    with TestClient(create_app(settings=demo, engine=engine, clock=clock)) as client:
        admin, officer = login(client, "admin"), login(client, "officer.agadir")
        assert client.post("/api/v1/admin/clock", json={"days": 61}, headers=officer).status_code == 403
        moved = client.post("/api/v1/admin/clock", json={"days": 61}, headers=admin)
        assert moved.status_code == 200 and moved.json()["fired"] >= 1
        assert client.get(f"/api/v1/cases/{ref}", headers=officer).json()["state"] == "expired"


def test_a_holiday_declared_later_moves_an_open_deadline(engine: Engine, settings: Settings) -> None:
    from cases import holidays
    from tests.test_name_approval import actor as actor_of

    thursday = local(2026, 11, 5, 11, 0)
    ref = open_(engine, settings, request("Coopérative Royale du Safran"), thursday)
    act(engine, settings, ref, "refer", thursday, data={"note": "mot sensible"})
    hq = actor_of(engine, "manager.hq")

    def review_due() -> datetime:
        with Session(engine) as s:
            case = s.exec(select(Case).where(col(Case.reference) == ref)).one()
            return s.exec(select(Timer.due_at).where(
                col(Timer.case_id) == case.id, col(Timer.deadline_key) == "manager_review",
                col(Timer.kind) == "deadline", col(Timer.status) == "pending")).one()

    assert review_due() == local(2026, 11, 11, 0, 0)
    with Session(engine) as s:
        moved = holidays.set_holiday(db_session=s, day=local(2026, 11, 9).date(), is_holiday=True,
                                     name_fr="Jour de deuil national", name_ar="يوم حداد وطني",
                                     actor=hq, now=thursday + timedelta(days=1))
        s.commit()
    assert moved == [ref]
    assert review_due() == local(2026, 11, 12, 0, 0)  # Tuesday 10 and Wednesday 11
    (event,) = events(engine, ref, "deadline_moved")
    assert event.data["because"]["fr"] == "Jour de deuil national (2026-11-09)"
    assert event.actor == "manager.hq"
    # the law's full-day decision deadline does not move with holidays
    assert statuses(engine, ref)[("decision", "escalate:managers")] == "pending"
    with Session(engine) as s:
        holidays.set_holiday(db_session=s, day=local(2026, 11, 9).date(), is_holiday=False,
                             name_fr="", name_ar="", actor=hq, now=thursday + timedelta(days=2))
        s.commit()
    assert review_due() == local(2026, 11, 11, 0, 0)


def test_a_deadline_moved_later_after_a_worker_claimed_it_waits_for_its_new_day(
    engine: Engine, settings: Settings,
) -> None:
    from cases import holidays
    from tests.test_name_approval import actor as actor_of

    thursday = local(2026, 11, 5, 11, 0)
    ref = open_(engine, settings, request("Coopérative Royale du Safran"), thursday)
    act(engine, settings, ref, "refer", thursday, data={"note": "mot sensible"})
    due = local(2026, 11, 11, 0, 0)
    claimed = timers.claim_due(engine=engine, now=due, worker="w1", limit=50, lease=timedelta(minutes=5))
    # while the worker holds its claims, headquarters declares Monday 9 a holiday
    with Session(engine) as s:
        assert holidays.set_holiday(db_session=s, day=local(2026, 11, 9).date(), is_holiday=True,
                                    name_fr="Jour de deuil national", name_ar="يوم حداد وطني",
                                    actor=actor_of(engine, "manager.hq"), now=due + timedelta(seconds=30)) == [ref]
        s.commit()
    outcomes = [timers.fire(i, engine=engine, now=due + timedelta(minutes=1), worker="w1", settings=settings)
                for i in claimed]
    assert "skipped" in outcomes

    def review_escalations() -> int:
        return sum(e.data["timer"]["key"] == "manager_review" for e in events(engine, ref, "escalate"))

    assert statuses(engine, ref)[("manager_review", "escalate:managers")] == "pending"
    tick(engine, settings, local(2026, 11, 11, 23, 59))
    assert review_escalations() == 0  # not on the old day, nor left claimed by w1
    tick(engine, settings, local(2026, 11, 12, 0, 0))
    assert review_escalations() == 1
    assert statuses(engine, ref)[("manager_review", "escalate:managers")] == "breached"
