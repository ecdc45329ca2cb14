"""Case lists as officers work them: filters, the soonest due first, and pages that never
repeat or skip a case while others are opened."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from cases.settings import Settings
from tests.conftest import login
from tests.test_name_approval import T0, act, open_, register, request


def refs(client: TestClient, headers: dict[str, str], **params: object) -> list[str]:
    page = client.get("/api/v1/cases", params=params, headers=headers)
    assert page.status_code == 200, page.text
    return [c["reference"] for c in page.json()["items"]]


def test_filters_and_due_soonest_first(engine: Engine, settings: Settings, client: TestClient) -> None:
    register(engine, "تعاونية الأمل", "Coopérative Al Amal")
    later = open_(engine, settings, request("Coopérative Tiwizi"), T0 + timedelta(days=1))
    sooner = open_(engine, settings, request("Coopérative Azir"), T0)
    decided = open_(engine, settings, request("Coopérative Tudert"), T0 + timedelta(hours=1))
    act(engine, settings, decided, "approve", T0 + timedelta(hours=2), data={})  # due in 60 days now
    rabat = open_(engine, settings, request("Coopérative Tamount"), T0, who="officer.rabat")
    officer = login(client, "officer.agadir")

    # deciding opened the 60-day validity; the two undecided requests are due within days
    assert refs(client, officer) == [sooner, later, decided]
    assert refs(client, officer, state="approved") == [decided]
    assert refs(client, officer, workflow="registration") == []
    assert refs(client, officer, q=sooner.lower()) == [sooner]
    assert refs(client, officer, q="COOPERATIVE TUDERT") == [decided]  # by the granted name
    assert rabat not in refs(client, login(client, "manager.agadir"))
    assert rabat in refs(client, login(client, "manager.hq"), delegation="RAB")
    assert refs(client, officer, opened_from="2026-03-02T12:00:00") == [later]
    client.post(f"/api/v1/cases/{later}/assign", json={"assignee": "officer.agadir2"}, headers=officer)
    assert refs(client, officer, assignee="officer.agadir2") == [later]
    act(engine, settings, sooner, "refuse", T0 + timedelta(hours=6), data={"reason": "nom pris"})
    assert sooner not in refs(client, officer)
    assert sooner in refs(client, officer, closed="true")


def test_pages_hold_steady_while_cases_are_opened(engine: Engine, settings: Settings, client: TestClient) -> None:
    opened = [open_(engine, settings, request(f"Coopérative Tiwizi {i} Azilal"), T0 + timedelta(minutes=i))
              for i in range(7)]
    officer = login(client, "officer.agadir")
    first = client.get("/api/v1/cases", params={"limit": 3}, headers=officer).json()
    assert [c["reference"] for c in first["items"]] == opened[:3]
    # a case opened between two pages (due the same day, a later id): it comes at the end
    newcomer = open_(engine, settings, request("Coopérative Tamount"), T0 + timedelta(hours=3))
    seen = [c["reference"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/cases", params={"limit": 3, "cursor": cursor}, headers=officer).json()
        seen += [c["reference"] for c in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [*opened, newcomer]
    assert client.get("/api/v1/cases", params={"cursor": "garbage"}, headers=officer).status_code == 422


def test_my_worklist_holds_my_cases_and_the_unassigned_ones_of_my_kind(
    engine: Engine, settings: Settings, client: TestClient
) -> None:
    mine = open_(engine, settings, request("Coopérative Tiwizi"), T0)
    theirs = open_(engine, settings, request("Coopérative Azir"), T0)
    free = open_(engine, settings, request("Coopérative Tudert"), T0)
    officer, colleague = login(client, "officer.agadir"), login(client, "officer.agadir2")
    client.post(f"/api/v1/cases/{mine}/assign", json={"assignee": "officer.agadir"}, headers=officer)
    client.post(f"/api/v1/cases/{theirs}/assign", json={"assignee": "officer.agadir2"}, headers=officer)

    def desk(headers: dict[str, str]) -> list[str]:
        return [c["reference"] for c in client.get("/api/v1/me/worklist", headers=headers).json()["items"]]

    assert desk(officer) == [mine, free]
    assert desk(colleague) == [theirs, free]
    assert desk(login(client, "legal.agadir")) == []  # legal staff take no step in name approvals
    assert desk(login(client, "officer.rabat")) == []


def test_moments_off_the_calendar_are_refused_not_a_crash(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    for name, moment in (("opened_from", "9999-12-31T23:59:59-01:00"), ("opened_to", "0001-01-01T00:00:00+14:00")):
        response = client.get("/api/v1/cases", params={name: moment}, headers=officer)
        assert response.status_code == 422, response.text
        assert response.json()["field"] in (name, f"query.{name}")



def test_a_forged_cursor_is_refused_not_a_crash(client: TestClient) -> None:
    import base64
    import json

    officer = login(client, "officer.agadir")
    for forged in (["2026-03-02T10:00:00", 1], ["9999-12-31T23:59:59-01:00", 1], ["2026-03-02T10:00:00+00:00", 10**30],
                   {"due": 1}, "x"):
        cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
        response = client.get("/api/v1/cases", params={"cursor": cursor}, headers=officer)
        assert response.status_code == 422, (forged, response.text)
    assert client.get("/api/v1/cases", params={"cursor": "%%%"}, headers=officer).status_code == 422
