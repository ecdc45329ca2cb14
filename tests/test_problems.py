"""One error format everywhere (RFC 9457 `application/problem+json`): a stable code, a
message in French and Arabic, the field at fault, the reasons or the current version of a
conflict; no stack trace ever leaves, and every 5xx is logged under the request id the
answer carries. The regressions schemathesis found are kept here too."""

from __future__ import annotations

import io
import logging
from typing import Any

import httpx
import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from cases.clock import FixedClock
from cases.settings import Settings
from tests.conftest import login
from tests.test_api_name_approval import REQUEST


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"].endswith(f"/problems/{code}")
    assert body["title"] == body["message"]["fr"]
    assert body["message"]["fr"].strip() and body["message"]["ar"].strip()
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert len(response.headers["X-Request-ID"]) >= 8
    return body


def test_unauthenticated(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    body = problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert body["detail"]
    problem(client.post("/api/v1/auth/token", data={"username": "officer.agadir", "password": "nope"}),
            401, "unauthenticated")


def test_unknown_route_and_method(client: TestClient) -> None:
    problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    response = client.delete("/api/v1/health")
    problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_not_found_names_what_in_both_languages(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    body = problem(client.get("/api/v1/cases/NA-2026-999999", headers=officer), 404, "not_found")
    assert "dossier" in body["message"]["fr"] and "الملف" in body["message"]["ar"]


def test_invalid_input_names_the_field(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    body = problem(client.post("/api/v1/cases", json={"workflow": "name_approval"}, headers=officer),
                   422, "invalid_input")
    assert body["field"] == "data" and body["errors"][0]["code"] == "missing"
    # the opening data is checked by the case type's own model: the field is inside `data`
    bad = {**REQUEST, "data": {**REQUEST["data"], "founders": []}}
    body = problem(client.post("/api/v1/cases", json=bad, headers=officer), 422, "invalid_input")
    assert body["field"] == "founders"
    body = problem(client.get("/api/v1/cases", params={"limit": 0}, headers=officer), 422, "invalid_input")
    assert body["field"] == "query.limit"
    problem(client.post("/api/v1/cases", content=b"{not json", headers={**officer, "content-type": "application/json"}),
            422, "invalid_input")


def test_headquarters_must_name_the_delegation(client: TestClient) -> None:
    body = problem(client.post("/api/v1/cases", json=REQUEST, headers=login(client, "manager.hq")),
                   422, "invalid_input")
    assert body["field"] == "delegation"


def test_forbidden_says_why_in_both_languages(client: TestClient) -> None:
    body = problem(client.get("/api/v1/notifications/failures", headers=login(client, "officer.agadir")),
                   403, "forbidden")
    assert "administrateur" in body["message"]["fr"] and body["detail"]
    body = problem(client.post("/api/v1/cases", json=REQUEST, headers=login(client, "admin")), 403, "forbidden")
    assert "pas les dossiers" in body["message"]["fr"]


def test_conflicts_carry_the_reasons_or_the_version(client: TestClient) -> None:
    officer = login(client, "officer.agadir")
    case = client.post("/api/v1/cases", json=REQUEST, headers=officer).json()
    stale = problem(client.post(f"/api/v1/cases/{case['reference']}/actions/approve",
                                json={"expected_version": 7, "data": {}}, headers=officer), 409, "stale_version")
    assert stale["current_version"] == case["version"]
    blocked = problem(client.post(f"/api/v1/cases/{case['reference']}/actions/approve",
                                  json={"expected_version": case["version"], "data": {}},
                                  headers=login(client, "legal.agadir")), 409, "action_blocked")
    assert [r["code"] for r in blocked["reasons"]] == ["role_not_allowed"]
    assert all(r["message"]["fr"] and r["message"]["ar"] for r in blocked["reasons"])


def test_too_many_requests(client: TestClient) -> None:
    guess = {"reference": "NA-2026-000001", "pin": "123456"}
    answers = [client.post("/api/v1/track", json=guess) for _ in range(12)]
    body = problem(answers[-1], 429, "too_many_requests")
    assert body["retry_after"] >= 1 and int(answers[-1].headers["Retry-After"]) == body["retry_after"]


def test_too_large(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import cooperatives

    monkeypatch.setattr(cooperatives, "MAX_IMPORT_BYTES", 10)
    response = client.post("/api/v1/register/import", headers=login(client, "admin"),
                           files={"file": ("register.csv", io.BytesIO(b"x" * 100), "text/csv")})
    problem(response, 413, "too_large")


# -- what schemathesis found: input that reached the database and answered 500 ---------------------


def test_a_correction_cannot_empty_a_required_field(client: TestClient) -> None:
    """PATCH with `"language": null` (or a null name, members...) was a 500 (NOT NULL)."""
    officer = login(client, "officer.agadir")
    csv = ("national_number,name_ar,name_fr,region_code,delegation_code,province,sector,members,"
           "women_members,email,phone,language,status,registered_on\n"
           "2019/1/000123,تعاونية الأمل,Cooperative Al Amal,SMA,AGA,Tiznit,agriculture,20,5,,,ar,active,2019-05-01\n")
    coop = client.post("/api/v1/register/import", headers=login(client, "admin"),
                       files={"file": ("r.csv", io.BytesIO(csv.encode()), "text/csv")})
    assert coop.status_code == 200 and coop.json()["imported"] == 1, coop.text
    coop_id = client.get("/api/v1/cooperatives", headers=officer).json()[0]["id"]
    for field in ("language", "name_ar", "members", "women_members", "sector"):
        body = problem(client.patch(f"/api/v1/cooperatives/{coop_id}", headers=officer,
                                    json={field: None, "reason": "test"}), 422, "invalid_input")
        assert body["field"] == field
    body = client.patch(f"/api/v1/cooperatives/{coop_id}", headers=officer,
                        json={"email": None, "phone": None, "reason": "contact removed"})
    assert body.status_code == 200, body.text


@pytest.mark.parametrize("url", [
    "/api/v1/cooperatives?after=2421852716914182193152",
    "/api/v1/cooperatives/99999999999999999999999",
    "/api/v1/cooperatives/99999999999999999999999/timeline",
    "/api/v1/cases?cooperative=99999999999999999999999",
])
def test_ids_beyond_64_bits_are_refused_not_crashed(client: TestClient, url: str) -> None:
    problem(client.get(url, headers=login(client, "manager.hq")), 422, "invalid_input")


def test_retry_of_an_id_beyond_64_bits(client: TestClient) -> None:
    problem(client.post("/api/v1/notifications/99999999999999999999999/retry", headers=login(client, "admin")),
            422, "invalid_input")


# -- 5xx: nothing leaks but the request id, under which the incident is logged ---------------------


@pytest.fixture
def fragile(engine: Engine, settings: Settings, clock: FixedClock) -> TestClient:
    app = create_app(settings=settings, engine=engine, clock=clock)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("password=hunter2 in /srv/secret/config.py")

    @app.get("/unavailable")
    def unavailable() -> None:
        raise HTTPException(503, "the database is restarting")

    return TestClient(app, raise_server_exceptions=False)


def test_a_crash_answers_a_problem_with_its_request_id(fragile: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="coopflow.api"):
        response = fragile.get("/boom")
    body = problem(response, 500, "internal_error")
    assert "hunter2" not in response.text and "secret" not in response.text and "RuntimeError" not in response.text
    assert body["request_id"] == response.headers["X-Request-ID"]
    logged = [r for r in caplog.records if body["request_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the stack trace stays in the log


def test_every_5xx_is_logged_with_its_request_id(fragile: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="coopflow.api"):
        response = fragile.get("/unavailable", headers={"X-Request-ID": "lb-7f3a2c91"})
    body = problem(response, 503, "unavailable")
    assert body["request_id"] == response.headers["X-Request-ID"] == "lb-7f3a2c91"
    assert any("lb-7f3a2c91" in r.getMessage() for r in caplog.records)


def test_request_ids_from_outside_are_kept_only_when_sane(client: TestClient) -> None:
    assert client.get("/api/v1/health", headers={"X-Request-ID": "proxy-0001-abcd"}).headers["X-Request-ID"] \
        == "proxy-0001-abcd"
    weird = client.get("/api/v1/health", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert weird != "<script>" and len(weird) == 32


# -- NUL characters: PostgreSQL neither stores nor compares them (a 500 there, found by
# schemathesis against PostgreSQL); no text of the office holds one -------------------------------


@pytest.mark.parametrize(("method", "url", "kwargs", "field"), [
    ("get", "/api/v1/cases?q=a%00b", {}, "query.q"),
    ("get", "/api/v1/cooperatives?q=%00", {}, "query.q"),
    ("get", "/api/v1/cases/NA-2026-%00000001", {}, "path"),
    ("post", "/api/v1/name-checks", {"json": {"names": ["Coopérative\u0000 Al Amal"]}}, "names.0"),
    ("post", "/api/v1/track", {"json": {"reference": "NA-2026-000001", "pin": "12345\u0000"}}, "pin"),
    ("post", "/api/v1/auth/token", {"data": {"username": "officer\u0000", "password": "x"}}, "username"),
])
def test_nul_characters_are_invalid_input(client: TestClient, method: str, url: str, kwargs: dict[str, Any],
                                          field: str) -> None:
    headers = login(client, "officer.agadir")
    body = problem(getattr(client, method)(url, headers=headers, **kwargs), 422, "invalid_input")
    assert body["field"] == field and body["errors"][0]["code"] == "nul_character"


def test_a_nul_byte_in_an_uploaded_register_is_a_bad_line_not_a_crash(client: TestClient) -> None:
    csv = ("national_number,name_ar,name_fr,region_code,delegation_code,province,sector,members,"
           "women_members,email,phone,language,status,registered_on\n"
           "2019/1/000123,تعاونية الأمل,Cooperative\x00 Al Amal,SMA,AGA,Tiznit,agriculture,20,5,,,ar,active,2019-05-01\n")
    response = client.post("/api/v1/register/import", headers=login(client, "admin"),
                           files={"file": ("r.csv", io.BytesIO(csv.encode()), "text/csv")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 0 and report["errors"] == [
        "line 2: name_fr: Value error, a NUL character has no place in the register"]


# -- dates whose periods fall off the calendar (year 1, year 9999): refused, never a 500 -----------


def test_dates_off_the_calendar_are_refused(client: TestClient) -> None:
    from tests.test_authorization import dispute_filing

    legal = login(client, "legal.agadir")
    ref = client.post("/api/v1/cases", json={"workflow": "dispute", "data": dispute_filing("2019/1/000101")},
                      headers=legal).json()["reference"]
    case = client.post(f"/api/v1/cases/{ref}/actions/admit", json={"expected_version": 1, "data": {}},
                       headers=legal).json()
    case = client.post(f"/api/v1/cases/{ref}/actions/assign_mediator", headers=legal, json={
        "expected_version": case["version"], "data": {"mediator": "legal.agadir"}}).json()
    for at in ("9999-12-31T23:00:00-12:00", "0001-01-01T00:00:00+14:00"):
        body = problem(client.post(f"/api/v1/cases/{ref}/actions/schedule_session", headers=legal, json={
            "expected_version": case["version"], "data": {"at": at, "place": "Salle 2"}}), 409, "action_blocked")
        assert [r["code"] for r in body["reasons"]] == ["date_out_of_range"]
    body = problem(client.post("/api/v1/cases", headers=login(client, "officer.agadir"), json={
        "workflow": "registration_change",
        "data": {"kind": "board", "decided_on": "9999-12-31", "filed_on": "9999-12-31", "summary": "Conseil"}}),
        422, "invalid_input")
    assert body["errors"][0]["code"] == "date_out_of_range"
    manager = login(client, "manager.hq")
    for params in ({"from": "0001-01-01"}, {"to": "9999-12-31"}):
        body = problem(client.get("/api/v1/disputes/sessions", params=params, headers=manager), 422, "invalid_input")
        assert body["field"] in ("query.from", "query.to")
    problem(client.put("/api/v1/holidays/9999-12-31", json={"is_holiday": True}, headers=manager),
            422, "invalid_input")


def test_a_name_whose_key_outgrows_its_column(client: TestClient) -> None:
    """A name of 249 zeros keys to 1,244 characters (digits are spelled out): its correction
    was a 500 on PostgreSQL (VARCHAR(250)). Keys are stored cut at the column's length."""
    officer = login(client, "officer.agadir")
    csv = ("national_number,name_ar,name_fr,region_code,delegation_code,province,sector,members,"
           "women_members,email,phone,language,status,registered_on\n"
           f"2019/1/000123,تعاونية الأمل,{'7' * 240},SMA,AGA,Tiznit,agriculture,20,5,,,ar,active,2019-05-01\n")
    imported = client.post("/api/v1/register/import", headers=login(client, "admin"),
                           files={"file": ("r.csv", io.BytesIO(csv.encode()), "text/csv")})
    assert imported.status_code == 200 and imported.json()["imported"] == 1, imported.text
    coop_id = client.get("/api/v1/cooperatives", headers=officer).json()[0]["id"]
    corrected = client.patch(f"/api/v1/cooperatives/{coop_id}", headers=officer,
                             json={"name_fr": "0" * 249, "reason": "Procès-verbal"})
    assert corrected.status_code == 200, corrected.text
    verdicts = client.post("/api/v1/name-checks", json={"names": ["0" * 200, "7" * 200]}, headers=officer)
    assert verdicts.status_code == 200, verdicts.text
