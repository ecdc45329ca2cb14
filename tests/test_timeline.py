"""A cooperative's timeline shows all its cases and their events in order, to its
delegation and to headquarters only."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import service
from cases.db import unit_of_work
from cases.models import Cooperative
from cases.settings import Settings
from tests.conftest import local, login
from tests.test_name_approval import act, actor, register
from tests.test_service_levels import REVIEW  # noqa: F401  (registers the test case type)


def test_timeline_lists_every_case_and_event_in_order(engine: Engine, settings: Settings, client: TestClient) -> None:
    register(engine, "تعاونية تودرت", "Coopérative Tudert")
    with Session(engine) as s:
        coop_id = s.exec(select(Cooperative.id).where(col(Cooperative.name_fr) == "Coopérative Tudert")).one()
    t0 = local(2026, 3, 2, 9, 0)
    refs = []
    for offset in (0, 1):
        with unit_of_work(engine) as s:
            refs.append(service.open_case(db_session=s, workflow_key="test_review", data={},
                                          actor=actor(engine, "officer.agadir"), now=t0 + timedelta(hours=offset),
                                          settings=settings, cooperative_id=coop_id).case.reference)
    act(engine, settings, refs[0], "finish", t0 + timedelta(hours=2))

    body = client.get(f"/api/v1/cooperatives/{coop_id}/timeline", headers=login(client, "officer.agadir")).json()
    assert [(e["reference"], e["kind"]) for e in body["entries"]] == [
        (refs[0], "opened"), (refs[1], "opened"), (refs[0], "transition")]
    assert body["national_number"] == "2020/1/000042"
    assert client.get(f"/api/v1/cooperatives/{coop_id}/timeline", headers=login(client, "officer.rabat")).status_code == 404
    assert client.get(f"/api/v1/cooperatives/{coop_id}/timeline", headers=login(client, "manager.hq")).status_code == 200


def test_a_case_about_a_cooperative_is_opened_by_its_number(engine: Engine, client: TestClient) -> None:
    register(engine, "تعاونية أزير", "Coopérative Azir", number="2021/1/000007")
    body = {"workflow": "test_review", "cooperative": "2021/1/000007", "data": {}}
    opened = client.post("/api/v1/cases", json=body, headers=login(client, "officer.agadir"))
    assert opened.status_code == 201, opened.text
    with Session(engine) as s:
        coop_id = s.exec(select(Cooperative.id).where(col(Cooperative.national_number) == "2021/1/000007")).one()
    entries = client.get(f"/api/v1/cooperatives/{coop_id}/timeline", headers=login(client, "officer.agadir")).json()["entries"]
    assert [e["reference"] for e in entries] == [opened.json()["reference"]]
    # an officer of another delegation cannot open a case about it, nor learn that it exists
    other = client.post("/api/v1/cases", json=body, headers=login(client, "officer.rabat"))
    assert other.status_code == 404
    unknown = client.post("/api/v1/cases", json={**body, "cooperative": "2021/1/999999"}, headers=login(client, "officer.agadir"))
    assert unknown.status_code == 404
