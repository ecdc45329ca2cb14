"""Public tracking: a cooperative follows its case with the reference and PIN of its
receipt, learns the state, the next step and the expected date with its basis, and
nothing else; guesses are limited and tell nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cases.settings import Settings
from tests.conftest import login
from tests.test_api_name_approval import REQUEST


def test_tracking_shows_state_next_step_and_date_only(client: TestClient) -> None:
    opened = client.post("/api/v1/cases", json=REQUEST, headers=login(client, "officer.agadir")).json()
    response = client.post("/api/v1/track", json={"reference": opened["reference"], "pin": opened["pin"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"reference", "state", "state_title", "next_step", "closed", "expected_at",
                         "expected_why", "expected_basis"}
    assert body["state"] == "submitted"
    assert body["state_title"] == {"fr": "Demande reçue", "ar": "طلب مستلم"}
    assert "2 jours" in body["next_step"]["fr"] and body["next_step"]["ar"]
    assert body["expected_basis"]["code"] == "law:7"
    assert "2026-03-04" in body["expected_why"]["fr"]
    assert "Fatima" not in response.text  # no founder, no applicant, no names


def test_wrong_pin_and_unknown_reference_look_the_same(client: TestClient) -> None:
    opened = client.post("/api/v1/cases", json=REQUEST, headers=login(client, "officer.agadir")).json()
    wrong_pin = "000000" if opened["pin"] != "000000" else "111111"
    wrong = client.post("/api/v1/track", json={"reference": opened["reference"], "pin": wrong_pin})
    unknown = client.post("/api/v1/track", json={"reference": "NA-2026-999999", "pin": opened["pin"]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["message"] == unknown.json()["message"]
    malformed = client.post("/api/v1/track", json={"reference": "NA-2026-000001", "pin": "12ab"})
    assert malformed.status_code == 422


def test_a_flood_of_guesses_is_stopped(engine, settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    limited = settings.model_copy(update={"track_rate_per_reference": "5 per hour"})
    with TestClient(create_app(settings=limited, engine=engine, clock=clock)) as client:
        opened = client.post("/api/v1/cases", json=REQUEST, headers=login(client, "officer.agadir")).json()
        codes = [client.post("/api/v1/track", json={"reference": opened["reference"], "pin": f"{n:06d}"}).status_code
                 for n in range(8)]
        assert codes[:5] == [404] * 5 or opened["pin"] in {f"{n:06d}" for n in range(5)}
        assert codes[5:] == [429] * 3
        refused = client.post("/api/v1/track", json={"reference": opened["reference"], "pin": opened["pin"]})
        assert refused.status_code == 429  # even the right PIN waits: the reference is under attack
        assert int(refused.headers["Retry-After"]) > 0
        other = client.post("/api/v1/track", json={"reference": "NA-2026-000777", "pin": "123456"})
        assert other.status_code == 404  # other references are not locked out


def test_sign_in_attempts_are_limited(engine, settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    limited = settings.model_copy(update={"login_rate_per_user": "3 per 15 minutes"})
    with TestClient(create_app(settings=limited, engine=engine, clock=clock)) as client:
        codes = [client.post("/api/v1/auth/token", data={"username": "officer.agadir", "password": "guess"}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
