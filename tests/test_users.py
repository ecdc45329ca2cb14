"""An admin runs the office's accounts through the API: a new officer signs in and works
in their delegation; a move or a departure waits until their open cases are handed over;
a deactivated account is signed out at once; an admin cannot lock the office out."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import users
from cases.db import unit_of_work
from cases.models import User
from tests.conftest import PASSWORD, login
from tests.test_authorization import NAMES, name_request
from workflows.engine import ActionBlocked
from workflows.spec import SYSTEM

NEW = {"username": "officer.tiznit", "full_name": "Khadija Ait Ouaziz", "role": "officer",
       "delegation": "AGA", "email": "k.aitouaziz@odco.example", "language": "ar",
       "password": "a-long-first-password"}


def _sign_in(client: TestClient, username: str, password: str) -> dict[str, str] | None:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    if response.status_code != 200:
        return None
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _patch(client: TestClient, admin: dict[str, str], username: str, **change: Any) -> Any:
    return client.patch(f"/api/v1/users/{username}", headers=admin, json=change)


def test_a_new_officer_signs_in_and_works_in_their_delegation(client: TestClient) -> None:
    admin = login(client, "admin")
    created = client.post("/api/v1/users", headers=admin, json=NEW)
    assert created.status_code == 201, created.text
    assert created.json() == {k: v for k, v in NEW.items() if k != "password"} | {"active": True}
    assert "password" not in client.get("/api/v1/users/officer.tiznit", headers=admin).text

    officer = _sign_in(client, "officer.tiznit", NEW["password"])
    assert officer is not None
    me = client.get("/api/v1/me", headers=officer).json()
    assert (me["username"], me["role"]) == ("officer.tiznit", "officer")
    opened = client.post("/api/v1/cases", headers=officer, json={"workflow": "name_approval",
                                                                 "data": name_request(NAMES["new"])})
    assert opened.status_code == 201, opened.text
    listed = client.get("/api/v1/users", headers=admin, params={"delegation": "AGA"}).json()
    assert "officer.tiznit" in [u["username"] for u in listed]
    assert all(u["delegation"] == "AGA" for u in listed)


def test_accounts_are_checked_at_the_edge_and_in_the_service(client: TestClient) -> None:
    admin = login(client, "admin")
    assert client.post("/api/v1/users", headers=admin, json=NEW).status_code == 201
    again = client.post("/api/v1/users", headers=admin, json=NEW)
    assert again.status_code == 422 and again.json()["field"] == "username"
    for field, bad in (("role", "superuser"), ("language", "en"), ("password", "short"), ("email", "not-an-email")):
        response = client.post("/api/v1/users", headers=admin, json={**NEW, "username": "x.y", field: bad})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["field"] == field, (field, response.text)
    unknown = client.post("/api/v1/users", headers=admin, json={**NEW, "username": "x.z", "delegation": "NOPE"})
    assert unknown.status_code == 404
    assert client.get("/api/v1/users/nobody", headers=admin).status_code == 404


def test_a_move_waits_until_the_open_cases_are_handed_over(client: TestClient) -> None:
    admin, officer = login(client, "admin"), login(client, "officer.agadir")
    case = client.post("/api/v1/cases", headers=officer, json={"workflow": "name_approval",
                                                               "data": name_request(NAMES["new"])}).json()
    assert client.post(f"/api/v1/cases/{case['reference']}/assign", headers=officer,
                       json={"assignee": "officer.agadir"}).status_code == 200

    for change in ({"delegation": "RAB"}, {"active": False}):
        refused = _patch(client, admin, "officer.agadir", **change)
        assert refused.status_code == 409, refused.text
        assert [r["code"] for r in refused.json()["reasons"]] == ["holds_open_cases"]
        assert refused.json()["reasons"][0]["message"]["ar"]
    assert client.get("/api/v1/users/officer.agadir", headers=admin).json()["delegation"] == "AGA"

    assert client.post(f"/api/v1/cases/{case['reference']}/assign", headers=login(client, "manager.agadir"),
                       json={"assignee": "officer.agadir2"}).status_code == 200
    moved = _patch(client, admin, "officer.agadir", delegation="RAB")
    assert moved.status_code == 200 and moved.json()["delegation"] == "RAB"
    # the token they already hold now shows them Rabat's cases, not Agadir's
    assert client.get(f"/api/v1/cases/{case['reference']}", headers=officer).status_code == 404
    to_hq = _patch(client, admin, "officer.agadir", delegation=None)
    assert to_hq.json()["delegation"] is None
    unchanged = _patch(client, admin, "officer.agadir", full_name="Youssef")
    assert unchanged.json()["delegation"] is None


def test_a_deactivated_account_is_signed_out_at_once_and_can_come_back(client: TestClient) -> None:
    admin, officer = login(client, "admin"), login(client, "officer.rabat")
    assert client.get("/api/v1/me", headers=officer).status_code == 200
    assert _patch(client, admin, "officer.rabat", active=False).json()["active"] is False
    assert client.get("/api/v1/me", headers=officer).status_code == 401
    assert _sign_in(client, "officer.rabat", "correct-horse-battery") is None
    inactive = client.get("/api/v1/users", headers=admin, params={"active": False}).json()
    assert [u["username"] for u in inactive] == ["officer.rabat"]
    assert _patch(client, admin, "officer.rabat", active=True, password="a-brand-new-password").status_code == 200
    assert _sign_in(client, "officer.rabat", "correct-horse-battery") is None
    assert _sign_in(client, "officer.rabat", "a-brand-new-password") is not None


def test_an_admin_cannot_lock_the_office_out(client: TestClient) -> None:
    admin = login(client, "admin")
    for change in ({"active": False}, {"role": "officer"}):
        refused = _patch(client, admin, "admin", **change)
        assert refused.status_code == 409
        assert [r["code"] for r in refused.json()["reasons"]] == ["self_lockout"]
    assert client.get("/api/v1/me", headers=admin).status_code == 200
    assert _patch(client, admin, "admin", full_name="Admin ODCO").status_code == 200


def test_headquarters_reads_the_office_policy_with_its_meaning(client: TestClient) -> None:
    rows = {r["name"]: r for r in client.get("/api/v1/settings", headers=login(client, "manager.hq")).json()}
    review = rows["manager_review_business_days"]
    assert review["value"] == 2 and "manager" in review["description"]
    assert rows["name_similarity_threshold"]["value"] == 90.0
    assert not any("secret" in name or "password" in name for name in rows)


def test_only_headquarters_admins_manage_accounts(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as s:
        users.create(db_session=s, username="admin.agadir", password=PASSWORD, role="admin",
                     full_name="Admin Agadir", delegation_code="AGA")
    local = login(client, "admin.agadir")
    assert client.get("/api/v1/users", headers=local).status_code == 403
    for target, change in (("admin.agadir", {"delegation": None}), ("admin", {"password": "taken-over-now"})):
        refused = _patch(client, local, target, **change)
        assert refused.status_code == 403, refused.text
    assert client.get("/api/v1/settings", headers=local).status_code == 403


def test_a_role_change_waits_until_the_open_cases_are_handed_over(client: TestClient) -> None:
    admin, officer = login(client, "admin"), login(client, "officer.agadir")
    case = client.post("/api/v1/cases", headers=officer, json={"workflow": "name_approval",
                                                               "data": name_request(NAMES["new"])}).json()
    client.post(f"/api/v1/cases/{case['reference']}/assign", headers=officer, json={"assignee": "officer.agadir"})
    refused = _patch(client, admin, "officer.agadir", role="legal")
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["reasons"]] == ["holds_open_cases"]
    assert _patch(client, admin, "officer.agadir", role="officer").status_code == 200  # no change: no check


def test_a_password_reset_signs_out_every_session(client: TestClient) -> None:
    admin = login(client, "admin")
    stolen = login(client, "officer.rabat")
    assert _patch(client, admin, "officer.rabat", password="a-brand-new-password").status_code == 200
    assert client.get("/api/v1/me", headers=stolen).status_code == 401
    fresh = _sign_in(client, "officer.rabat", "a-brand-new-password")
    assert fresh is not None and client.get("/api/v1/me", headers=fresh).status_code == 200
    assert _patch(client, admin, "officer.rabat", full_name="Meryem Alaoui").status_code == 200
    assert client.get("/api/v1/me", headers=fresh).status_code == 200  # other changes keep sessions


def test_the_office_always_keeps_an_active_admin(engine: Engine) -> None:
    with unit_of_work(engine) as s, pytest.raises(ActionBlocked) as blocked:
        users.update(db_session=s, username="admin", change=users.UserChange(active=False), actor=SYSTEM)
    assert [r.code for r in blocked.value.reasons] == ["last_admin"]


def test_two_admins_demoting_each_other_at_once_leave_one(engine: Engine) -> None:
    with unit_of_work(engine) as s:
        users.create(db_session=s, username="admin2", password=PASSWORD, role="admin", full_name="Admin 2")
        actors = {u: users.actor_of(users.get_by_username(db_session=s, username=u)) for u in ("admin", "admin2")}
        assert all(a.id for a in actors.values())
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(actor: str, target: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as s:
                users.update(db_session=s, username=target, change=users.UserChange(role="manager"),
                             actor=actors[actor])
            outcomes[actor] = "done"
        except ActionBlocked as refused:
            outcomes[actor] = refused.reasons[0].code

    threads = [threading.Thread(target=demote, args=pair) for pair in (("admin", "admin2"), ("admin2", "admin"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["done", "last_admin"]  # the second waited, then saw it
    with Session(engine) as s:
        left = s.exec(select(User).where(col(User.role) == "admin", col(User.active))).all()
    assert len(left) == 1
