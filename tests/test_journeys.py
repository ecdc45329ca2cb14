"""Each user of the mission does their job through the API alone: a case officer takes a
name request from the worklist to a decision; the cooperative follows it with its reference
and PIN; the delegation's manager sees it overdue, on the dashboard, the list and the
officer's line of the workload, then in the month's compliance; legal staff take a dispute
from filing to a settlement, with its session on their list. Only the scheduler (time
passing) and the register's existing entry are set up outside HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from cases import timers
from cases.clock import FixedClock
from cases.settings import Settings
from tests.conftest import login
from tests.test_authorization import NAMES, dispute_filing, name_request
from tests.test_dispute import COOP, cooperative


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _act(client: TestClient, who: dict[str, str], reference: str, trigger: str, data: dict[str, Any]) -> Any:
    version = _ok(client.get(f"/api/v1/cases/{reference}", headers=who))["version"]
    after = _ok(client.post(f"/api/v1/cases/{reference}/actions/{trigger}", headers=who,
                            json={"expected_version": version, "data": data}))
    assert after["version"] == version + 1
    return after


def _later(clock: FixedClock, engine: Engine, settings: Settings, delta: timedelta) -> None:
    """Time passes and the scheduler runs, as `coopflow serve` would."""
    timers.tick(engine=engine, now=clock.advance(delta), worker="journey", settings=settings)


def test_a_name_request_from_the_counter_to_the_decision(
    client: TestClient, engine: Engine, settings: Settings, clock: FixedClock,
) -> None:
    officer = login(client, "officer.agadir")
    names = NAMES["new"]
    verdicts = _ok(client.post("/api/v1/name-checks", headers=officer, json={"names": names}))
    assert [v["status"] for v in verdicts] == ["available", "available"]
    receipt = _ok(client.post("/api/v1/cases", headers=officer,
                              json={"workflow": "name_approval", "data": name_request(names)}), 201)
    ref, pin = receipt["reference"], receipt["pin"]
    assert receipt["deadlines"] and receipt["deadlines"][0]["basis"]

    worklist = _ok(client.get("/api/v1/me/worklist", headers=officer))
    assert ref in [c["reference"] for c in worklist["items"]]
    _ok(client.post(f"/api/v1/cases/{ref}/assign", headers=officer, json={"assignee": "officer.agadir"}))
    _ok(client.post(f"/api/v1/cases/{ref}/comments", headers=officer, json={"text": "Dossier complet."}), 201)

    # the cooperative, with its receipt only
    tracked = _ok(client.post("/api/v1/track", json={"reference": ref, "pin": pin}))
    assert tracked["state"] == "submitted" and tracked["state_title"]["ar"] and tracked["expected_at"]

    # three days pass without a decision: the law's two days are gone
    _later(clock, engine, settings, timedelta(days=3))
    manager = login(client, "manager.agadir")  # signed in again: a token lasts a working day
    board = _ok(client.get("/api/v1/dashboard/overdue", headers=manager))
    assert (board["overdue"], board["by_officer"], board["by_workflow"]) == (
        1, {"officer.agadir": 1}, {"name_approval": 1})
    late = _ok(client.get("/api/v1/cases", headers=manager, params={"overdue": "true"}))
    assert [c["reference"] for c in late["items"]] == [ref]
    (row,) = late["items"]
    assert (row["overdue"], row["at_risk"], row["assignee"], row["delegation"]) == (True, False, "officer.agadir", "AGA")
    assert row["state_title"]["fr"] and row["title"]["ar"]
    load = {p["username"]: p for p in _ok(client.get("/api/v1/dashboard/workload", headers=manager))["people"]}
    assert (load["officer.agadir"]["open"], load["officer.agadir"]["overdue"]) == (1, 1)

    officer = login(client, "officer.agadir")
    decided = _act(client, officer, ref, "approve", {})
    assert decided["state"] == "approved"
    history = _ok(client.get(f"/api/v1/cases/{ref}/history", headers=officer))
    assert [e["kind"] for e in history][:2] == ["opened", "assigned"]

    tracked = _ok(client.post("/api/v1/track", json={"reference": ref, "pin": pin}))
    assert tracked["state"] == "approved"
    assert _ok(client.get("/api/v1/dashboard/overdue", headers=manager))["overdue"] == 0
    month = _ok(client.get("/api/v1/dashboard/compliance", headers=manager))
    decision = month["by_workflow"]["name_approval"]
    assert (decision["due"], decision["met"]) == (1, 0)  # decided, but a day late


def test_legal_staff_take_a_dispute_to_a_settlement(
    client: TestClient, engine: Engine, settings: Settings, clock: FixedClock,
) -> None:
    cooperative(engine, COOP, "Coopérative Tifawin")
    legal = login(client, "legal.agadir")
    filed = _ok(client.post("/api/v1/cases", headers=legal, json={
        "workflow": "dispute", "cooperative": COOP, "data": dispute_filing(COOP)}), 201)
    ref = filed["reference"]
    assert ref in [c["reference"] for c in _ok(client.get("/api/v1/me/worklist", headers=legal))["items"]]

    _act(client, legal, ref, "admit", {})
    _act(client, legal, ref, "assign_mediator", {"mediator": "legal.agadir"})
    session_at = (clock.now() + timedelta(days=7)).replace(hour=10, minute=0)
    _act(client, legal, ref, "schedule_session", {"at": session_at.isoformat(), "place": "Délégation d'Agadir"})
    sessions = _ok(client.get("/api/v1/disputes/sessions", headers=legal))
    assert [(s["reference"], s["place"]) for s in sessions] == [(ref, "Délégation d'Agadir")]

    _later(clock, engine, settings, timedelta(days=7, hours=3))
    legal = login(client, "legal.agadir")
    _act(client, legal, ref, "record_minutes", {"minutes": "Accord de principe.", "present": ["Ahmed Bennani"]})
    settled = _act(client, legal, ref, "settle", {"terms": "Réintégration du membre.",
                                                  "signed_on": clock.now().date().isoformat()})
    assert settled["state"] == "settled" and settled["closed_at"]
    mine = _ok(client.get("/api/v1/me/worklist", headers=legal))
    assert ref not in [c["reference"] for c in mine["items"]]
