"""The whole name-approval life through the API, as an officer at the counter sees it."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from cases.clock import FixedClock
from cases.models import Case
from cases.settings import Settings
from tests.conftest import local, login

REQUEST = {
    "workflow": "name_approval",
    "data": {
        "names": ["تعاونية تيفاوين لإنتاج زيت الأركان", "Coopérative Tifawin Argan"],
        "founders": ["Fatima", "Aicha", "Khadija", "Zahra", "Malika"],
        "sector": "agriculture",
        "purpose": "huile d'argan",
        "province": "Tiznit",
        "applicant": {"full_name": "Fatima Ait Lahcen", "email": "fatima@example.ma", "language": "ar"},
    },
}


def test_request_is_approved_and_certificate_expiry_is_shown(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    opened = client.post("/api/v1/cases", json=REQUEST, headers=officer)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["reference"].startswith("NA-2026-")
    assert len(case["pin"]) == 6
    assert case["state"] == "submitted"
    decision = next(d for d in case["deadlines"] if d["key"] == "decision")
    assert decision["basis"]["code"] == "law:7"

    approved = client.post(
        f"/api/v1/cases/{case['reference']}/actions/approve",
        json={"expected_version": case["version"], "data": {}},
        headers=officer,
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["state"] == "approved"
    assert body["data"]["granted_name"] == REQUEST["data"]["names"][0]
    validity = next(d for d in body["deadlines"] if d["key"] == "certificate_validity")
    # 60 full days from 2 March: the last valid day is 1 May, so it ends at local midnight
    assert datetime.fromisoformat(validity["due_at"]) == local(2026, 5, 2, 0, 0)
    assert "2026-05-01" in validity["explanation"]["fr"]
    assert validity["basis"]["code"] == "decree:4"

    history = client.get(f"/api/v1/cases/{case['reference']}/history", headers=officer).json()
    assert [(e["kind"], e["actor"]) for e in history] == [
        ("opened", "officer.agadir"),
        ("transition", "officer.agadir"),
    ]


def test_unauthenticated_calls_get_401_problem(client: TestClient) -> None:
    for method, path in [("get", "/api/v1/cases/NA-2026-000001"), ("post", "/api/v1/cases"),
                         ("post", "/api/v1/name-checks")]:
        response = getattr(client, method)(path)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "unauthenticated"
    forged = {"Authorization": "Bearer not.a.token"}
    assert client.get("/api/v1/me", headers=forged).status_code == 401


def test_wrong_password_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "officer.agadir", "password": "nope"})
    assert response.status_code == 401


def test_expired_token_is_refused(client: TestClient, clock: FixedClock, settings: Settings) -> None:
    headers = login(client, "officer.agadir")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(timedelta(minutes=settings.token_minutes + 1))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_officer_of_another_delegation_gets_404(client: TestClient) -> None:
    reference = client.post("/api/v1/cases", json=REQUEST, headers=login(client, "officer.agadir")).json()["reference"]
    rabat = login(client, "officer.rabat")
    assert client.get(f"/api/v1/cases/{reference}", headers=rabat).status_code == 404
    assert client.get(f"/api/v1/cases/{reference}/history", headers=rabat).status_code == 404
    acted = client.post(f"/api/v1/cases/{reference}/actions/approve",
                        json={"expected_version": 1, "data": {}}, headers=rabat)
    assert acted.status_code == 404
    # headquarters sees every delegation
    assert client.get(f"/api/v1/cases/{reference}", headers=login(client, "manager.hq")).status_code == 200


def test_malformed_request_is_422_and_writes_nothing(client: TestClient, engine: Engine) -> None:
    officer = login(client, "officer.agadir")
    broken = {**REQUEST, "data": {**REQUEST["data"], "names": ["A", "B", "C", "D"]}}
    del broken["data"]["founders"]
    response = client.post("/api/v1/cases", json=broken, headers=officer)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"founders", "names"} <= fields
    assert response.json()["message"]["ar"]
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Case)).one()[0] == 0  # type: ignore[call-overload]
    missing_version = client.post("/api/v1/cases/NA-2026-000001/actions/approve", json={"data": {}}, headers=officer)
    assert missing_version.status_code == 422


def test_blocked_and_stale_actions_are_409_with_reasons(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    few = {**REQUEST, "data": {**REQUEST["data"], "founders": ["Fatima", "Aicha"]}}
    case = client.post("/api/v1/cases", json=few, headers=officer).json()
    refused = next(a for a in case["actions"] if a["trigger"] == "approve")
    assert refused["allowed"] is False
    assert refused["reasons"][0]["code"] == "too_few_founders"
    assert refused["reasons"][0]["basis"]["code"] == "law:7"

    url = f"/api/v1/cases/{case['reference']}/actions/approve"
    blocked = client.post(url, json={"expected_version": 1, "data": {}}, headers=officer)
    assert blocked.status_code == 409
    assert [r["code"] for r in blocked.json()["reasons"]] == ["too_few_founders"]

    refuse = f"/api/v1/cases/{case['reference']}/actions/refuse"
    assert client.post(refuse, json={"expected_version": 1, "data": {"reason": "moins de 5 fondateurs"}},
                       headers=officer).status_code == 200
    stale = client.post(refuse, json={"expected_version": 1, "data": {"reason": "encore"}}, headers=officer)
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version" and stale.json()["current_version"] == 2


def test_name_check_shows_too_like_matches(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    case = client.post("/api/v1/cases", json=REQUEST, headers=officer).json()
    client.post(f"/api/v1/cases/{case['reference']}/actions/approve",
                json={"expected_version": 1, "data": {}}, headers=officer)
    response = client.post("/api/v1/name-checks", headers=officer, json={
        "names": ["تعاونية تيفاوين لإنتاج زيت الأركان", "Coopérative Tifaouine Zit Argan", "Coopérative Tudert"]})
    assert response.status_code == 200
    same, like, free = response.json()
    assert same["status"] == "same_as" and same["matches"][0]["ref"] == case["reference"]
    assert like["status"] == "too_like" and like["matches"][0]["source"] == "certificate"
    assert free["status"] == "available" and free["matches"] == []


def test_assign_and_comment_are_in_the_history(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    reference = client.post("/api/v1/cases", json=REQUEST, headers=officer).json()["reference"]
    assigned = client.post(f"/api/v1/cases/{reference}/assign", json={"assignee": "officer.agadir2"}, headers=officer)
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "officer.agadir2"
    outside = client.post(f"/api/v1/cases/{reference}/assign", json={"assignee": "officer.rabat"}, headers=officer)
    assert outside.status_code == 409
    client.post(f"/api/v1/cases/{reference}/comments", json={"text": "Pièces vérifiées."}, headers=officer)
    kinds = [e["kind"] for e in client.get(f"/api/v1/cases/{reference}/history", headers=officer).json()]
    assert kinds == ["opened", "assigned", "comment"]


def test_a_name_longer_than_the_register_holds_is_refused_at_the_edge(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    response = client.post("/api/v1/name-checks", headers=officer, json={"names": ["تعاونية " + "ا" * 300]})
    assert response.status_code == 422
    assert response.json()["field"].startswith("names")
