"""The whole name-approval life through the API, as an officer at the counter sees it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from datetime import datetime

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
