"""The authorisation matrix: who may do what, on a case or a register entry of their own
delegation or of another one, through the API. Read the table below; each cell is one test
(`test_matrix[<route>|<target>|<role>=<status>]`).

Columns (the users of tests/conftest.py):
  anon     no token
  officer  officer.agadir   case officer, Agadir
  legal    legal.agadir     legal staff, Agadir
  manager  manager.agadir   manager of the Agadir delegation
  hq       manager.hq       manager at headquarters (no delegation)
  admin    admin            manages users and settings, never cases

Rows: a route and its target: `own` is a case or register entry of Agadir, `other` one of
Rabat, `-` a route with no target. The cases are real ones opened through the service layer:
a name approval (officers' steps) and a dispute (legal staff's steps), one of each per
delegation, in a fresh database for every cell.

Statuses: 200/201 done; 401 not signed in; 403 the role may not (or not from that
delegation); 404 not found: a case or entry of another delegation is "not found", exactly as
a reference that does not exist, so that references cannot be probed; 409 the step is
blocked, with reasons (the definition gives it to another role); 422 the input is refused.
Every refusal is an `application/problem+json` problem with a stable code.

The rules themselves are in `cases/access.py` (enforced in the service layer: the routes
only call it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.app import create_app
from api.auth import issue_token
from cases import register, service, users
from cases.clock import FixedClock
from cases.db import unit_of_work
from cases.models import Case, Cooperative, Delegation, Outbox
from cases.settings import Settings
from workflows.spec import Actor

MATRIX = """
route                        target  anon  officer  legal  manager  hq   admin
read case                    own     401   200      200    200      200  200
read case                    other   401   404      404    404      200  200
case history                 own     401   200      200    200      200  200
case history                 other   401   404      404    404      200  200
case notifications           own     401   200      200    200      200  200
case notifications           other   401   404      404    404      200  200
list cases                   -       401   200      200    200      200  200
my worklist                  -       401   200      200    200      200  200
open case                    -       401   201      201    201      422  403
open case in delegation      own     401   201      201    201      201  403
open case in delegation      other   401   403      403    403      201  403
act: approve name            own     401   200      409    200      200  403
act: approve name            other   401   404      404    404      200  403
act: admit dispute           own     401   409      200    409      409  403
act: admit dispute           other   401   404      404    404      409  403
assign                       own     401   200      200    200      200  403
assign                       other   401   404      404    404      200  403
comment                      own     401   201      201    201      201  403
comment                      other   401   404      404    404      201  403
documents checklist          own     401   200      200    200      200  200
documents checklist          other   401   404      404    404      200  200
document received            own     401   200      200    200      200  403
document received            other   401   404      404    404      200  403
register search              -       401   200      200    200      200  200
register read                own     401   200      200    200      200  200
register read                other   401   404      404    404      200  200
register history             own     401   200      200    200      200  200
register history             other   401   404      404    404      200  200
register timeline            own     401   200      200    200      200  200
register timeline            other   401   404      404    404      200  200
register correct             own     401   200      403    200      200  403
register correct             other   401   404      403    404      200  403
register import              -       401   403      403    403      403  200
register export              -       401   403      403    403      200  200
late transmissions           -       401   403      403    200      200  403
name checks                  -       401   200      200    200      200  200
overdue dashboard            -       401   403      403    200      200  200
compliance dashboard         -       401   403      403    200      200  200
workload dashboard           -       401   403      403    200      200  200
holidays list                -       401   200      200    200      200  200
holidays set                 -       401   403      403    403      200  200
demo clock move (off)        -       401   404      404    404      404  404
demo clock move (on)         -       401   403      403    403      403  200
notification failures        -       401   403      403    403      403  200
notification retry           -       401   403      403    403      403  200
audit planning               -       401   403      403    200      200  403
plan audit                   own     401   403      403    201      201  403
plan audit                   other   401   403      403    404      201  403
dispute sessions             -       401   403      200    200      200  403
workflows                    -       401   200      200    200      200  200
workflow diagram             -       401   200      200    200      200  200
users list                   -       401   403      403    403      403  200
user create                  -       401   403      403    403      403  201
user read                    -       401   403      403    403      403  200
user update                  -       401   403      403    403      403  200
office settings              -       401   403      403    403      200  200
track (right PIN)            own     200   200      200    200      200  200
track (wrong PIN)            own     404   404      404    404      404  404
"""

ROLES = {"officer": "officer.agadir", "legal": "legal.agadir", "manager": "manager.agadir",
         "hq": "manager.hq", "admin": "admin"}
DELEGATION = {"own": "AGA", "other": "RAB"}
COOPERATIVE = {"own": "2019/1/000101", "other": "2019/1/000202"}


def _rows() -> Iterator[tuple[str, str, str, int]]:
    lines = [line for line in MATRIX.strip().splitlines() if line.strip()]
    header = lines[0].split()
    columns = header[2:]
    for line in lines[1:]:
        cells = line.split()
        statuses = cells[-len(columns):]
        target = cells[-len(columns) - 1]
        route = " ".join(cells[: -len(columns) - 1])
        for role, status in zip(columns, statuses, strict=True):
            yield route, target, role, int(status)


CELLS = list(_rows())


# -- the world each cell runs in ---------------------------------------------------------------


NAMES = {
    "own": ["تعاونية تيفاوين لإنتاج زيت الأركان", "Coopérative Tifawin Argan"],
    "other": ["تعاونية أبي رقراق للنسيج", "Coopérative Bouregreg Tissage"],
    "new": ["تعاونية الواحة للتمور", "Coopérative Al Waha Dattes"],
}


def name_request(names: list[str]) -> dict[str, Any]:
    return {
        "names": names,
        "founders": ["Fatima", "Aicha", "Khadija", "Zahra", "Malika"],
        "sector": "agriculture", "purpose": "production et commercialisation", "province": "Tiznit",
        "applicant": {"full_name": "Fatima Ait Lahcen", "email": "fatima@example.ma", "language": "ar"},
    }


def dispute_filing(number: str) -> dict[str, Any]:
    return {
        "claimant": {"kind": "member", "name": "Ahmed Bennani", "cooperative_ref": number, "member_ids": ["M-17"]},
        "respondents": [{"kind": "board", "name": "Conseil d'administration", "cooperative_ref": number}],
        "subject": "Exclusion contestée d'un membre",
        "applicant": {"full_name": "Ahmed Bennani", "email": "ahmed@example.ma", "language": "fr"},
    }


@dataclass
class World:
    name_approval: dict[str, str]
    dispute: dict[str, str]
    pin: dict[str, str]
    cooperative: dict[str, int]
    failed_notification: int | None


EVERYTHING = frozenset({"cooperatives", "name approvals", "disputes", "failed notification"})
# What each row's request needs (the rest of the world is not built, to keep 300 cells quick).
NEEDS: dict[str, frozenset[str]] = {
    **{route: frozenset({"name approvals"}) for route in (
        "read case", "case history", "case notifications", "act: approve name", "assign", "comment",
        "documents checklist", "document received", "track (right PIN)", "track (wrong PIN)")},
    "act: admit dispute": frozenset({"cooperatives", "disputes"}),
    **{route: frozenset({"cooperatives"}) for route in (
        "register read", "register history", "register timeline", "register correct", "plan audit")},
    "notification retry": frozenset({"name approvals", "failed notification"}),
}


def actor(session: Session, username: str) -> Actor:
    user = users.get_by_username(db_session=session, username=username)
    assert user is not None
    return users.actor_of(user)


def build_world(engine: Engine, settings: Settings, now: datetime, needs: frozenset[str] = EVERYTHING) -> World:
    refs: dict[str, str] = {}
    disputes: dict[str, str] = {}
    pins: dict[str, str] = {}
    coops: dict[str, int] = {}
    with unit_of_work(engine) as s:
        for target, number in COOPERATIVE.items():
            if "cooperatives" not in needs:
                break
            deleg = s.exec(select(Delegation).where(col(Delegation.code) == DELEGATION[target])).one()
            year, series, seq = (int(p) for p in number.split("/"))
            coop = Cooperative(
                national_number=number, reg_year=year, reg_series=series, reg_seq=seq,
                name_ar=f"تعاونية {target}", name_fr=f"Coopérative {target}", region_code=deleg.region_code,
                delegation_id=deleg.id, province="Tiznit", sector="agriculture", members=25, women_members=10,
                registered_on=datetime(year, 5, 1).date(), email="contact@coop.example", language="fr",
            )
            s.add(coop)
            s.flush()
            assert coop.id is not None
            coops[target] = coop.id
    with unit_of_work(engine) as s:
        for target, officer, filer in (("own", "officer.agadir", "legal.agadir"),
                                       ("other", "officer.rabat", "officer.rabat")):
            if "name approvals" in needs:
                opened = service.open_case(db_session=s, workflow_key="name_approval", now=now, settings=settings,
                                           data=name_request(NAMES[target]), actor=actor(s, officer))
                refs[target], pins[target] = opened.case.reference, opened.pin
            if "disputes" in needs:
                filed = service.open_case(db_session=s, workflow_key="dispute", now=now, settings=settings,
                                          data=dispute_filing(COOPERATIVE[target]), actor=actor(s, filer),
                                          cooperative_id=coops[target])
                disputes[target] = filed.case.reference
    outbox_id = None
    if "failed notification" in needs:
        with unit_of_work(engine) as s:
            case_id = s.exec(select(Case.id).where(col(Case.reference) == refs["own"])).one()
            outbox_id = s.exec(select(Outbox.id).where(col(Outbox.case_id) == case_id)).first()
            assert outbox_id is not None
            s.execute(update(Outbox).where(col(Outbox.id) == outbox_id)
                      .values(status="failed", last_error="550 mailbox unavailable"))
    return World(refs, disputes, pins, coops, outbox_id)


@dataclass
class Cell:
    client: TestClient
    headers: dict[str, str]
    world: World
    target: str

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.post(url, headers=self.headers, **kw)

    @property
    def case(self) -> str:
        return self.world.name_approval[self.target]

    @property
    def coop(self) -> int:
        return self.world.cooperative[self.target]


CSV_HEADER = ",".join(register.COLUMNS) + "\n"

REQUESTS: dict[str, Callable[[Cell], httpx.Response]] = {
    "read case": lambda c: c.get(f"/api/v1/cases/{c.case}"),
    "case history": lambda c: c.get(f"/api/v1/cases/{c.case}/history"),
    "case notifications": lambda c: c.get(f"/api/v1/cases/{c.case}/notifications"),
    "list cases": lambda c: c.get("/api/v1/cases"),
    "my worklist": lambda c: c.get("/api/v1/me/worklist"),
    "open case": lambda c: c.post("/api/v1/cases", json={"workflow": "name_approval",
                                                         "data": name_request(NAMES["new"])}),
    "open case in delegation": lambda c: c.post("/api/v1/cases", json={
        "workflow": "name_approval", "delegation": DELEGATION[c.target], "data": name_request(NAMES["new"])}),
    "act: approve name": lambda c: c.post(f"/api/v1/cases/{c.case}/actions/approve",
                                          json={"expected_version": 1, "data": {}}),
    "act: admit dispute": lambda c: c.post(f"/api/v1/cases/{c.world.dispute[c.target]}/actions/admit",
                                           json={"expected_version": 1, "data": {}}),
    "assign": lambda c: c.post(f"/api/v1/cases/{c.case}/assign", json={
        "assignee": "officer.agadir2" if c.target == "own" else "officer.rabat"}),
    "comment": lambda c: c.post(f"/api/v1/cases/{c.case}/comments", json={"text": "Pièces vérifiées."}),
    "documents checklist": lambda c: c.get(f"/api/v1/cases/{c.case}/documents"),
    "document received": lambda c: c.post(f"/api/v1/cases/{c.case}/documents/request_form"),
    "register search": lambda c: c.get("/api/v1/cooperatives", params={"q": "Coopérative"}),
    "register read": lambda c: c.get(f"/api/v1/cooperatives/{c.coop}"),
    "register history": lambda c: c.get(f"/api/v1/cooperatives/{c.coop}/history"),
    "register timeline": lambda c: c.get(f"/api/v1/cooperatives/{c.coop}/timeline"),
    "register correct": lambda c: c.client.patch(f"/api/v1/cooperatives/{c.coop}", headers=c.headers,
                                                 json={"members": 30, "reason": "Procès-verbal de l'AG"}),
    "register import": lambda c: c.post("/api/v1/register/import", files={
        "file": ("register.csv", io.BytesIO(CSV_HEADER.encode()), "text/csv")}),
    "register export": lambda c: c.get("/api/v1/register/export.csv"),
    "late transmissions": lambda c: c.get("/api/v1/register/late-transmissions"),
    "name checks": lambda c: c.post("/api/v1/name-checks", json={"names": ["Coopérative Al Amal"]}),
    "overdue dashboard": lambda c: c.get("/api/v1/dashboard/overdue"),
    "compliance dashboard": lambda c: c.get("/api/v1/dashboard/compliance"),
    "workload dashboard": lambda c: c.get("/api/v1/dashboard/workload"),
    "holidays list": lambda c: c.get("/api/v1/holidays"),
    "holidays set": lambda c: c.client.put("/api/v1/holidays/2026-03-30", headers=c.headers, json={
        "is_holiday": True, "name_fr": "Aïd al-Fitr (confirmé)", "name_ar": "عيد الفطر"}),
    "demo clock move (off)": lambda c: c.post("/api/v1/admin/clock", json={"days": 1}),
    "demo clock move (on)": lambda c: c.post("/api/v1/admin/clock", json={"days": 1}),
    "notification failures": lambda c: c.get("/api/v1/notifications/failures"),
    "notification retry": lambda c: c.post(f"/api/v1/notifications/{c.world.failed_notification}/retry"),
    "audit planning": lambda c: c.get("/api/v1/audits/planning"),
    "plan audit": lambda c: c.post("/api/v1/audits", json={"national_number": COOPERATIVE[c.target],
                                                          "planned_for": "2026-05-01"}),
    "dispute sessions": lambda c: c.get("/api/v1/disputes/sessions"),
    "workflows": lambda c: c.get("/api/v1/workflows"),
    "workflow diagram": lambda c: c.get("/api/v1/workflows/name_approval/diagram.svg"),
    "users list": lambda c: c.get("/api/v1/users"),
    "user create": lambda c: c.post("/api/v1/users", json={
        "username": "officer.tiznit", "full_name": "Khadija", "role": "officer", "delegation": "AGA",
        "password": "a-long-first-password"}),
    "user read": lambda c: c.get("/api/v1/users/officer.rabat"),
    "user update": lambda c: c.client.patch("/api/v1/users/officer.rabat", headers=c.headers,
                                            json={"full_name": "Youssef El Idrissi"}),
    "office settings": lambda c: c.get("/api/v1/settings"),
    "track (right PIN)": lambda c: c.post("/api/v1/track", json={"reference": c.case, "pin": c.world.pin[c.target]}),
    "track (wrong PIN)": lambda c: c.post("/api/v1/track", json={
        "reference": c.case, "pin": "000000" if c.world.pin[c.target] != "000000" else "111111"}),
}


def test_every_row_names_a_request() -> None:
    assert {route for route, *_ in CELLS} == set(REQUESTS)


@pytest.mark.parametrize(("route", "target", "role", "expected"), CELLS,
                         ids=[f"{r}|{t}|{role}={s}" for r, t, role, s in CELLS])
def test_matrix(route: str, target: str, role: str, expected: int, engine: Engine, settings: Settings,
                clock: FixedClock) -> None:
    demo_clock = route.endswith("(on)")
    if demo_clock:
        settings = settings.model_copy(update={"demo_clock": True})
    world = build_world(engine, settings, clock.now(), NEEDS.get(route, frozenset()))
    # Tokens expire on the wall clock: the test's fixed clock, or real time under the demo clock.
    signed_at = datetime.now(UTC) if demo_clock else clock.now()
    headers = {} if role == "anon" else {
        "Authorization": f"Bearer {issue_token(username=ROLES[role], settings=settings, now=signed_at)[0]}"}
    with TestClient(create_app(settings=settings, engine=engine, clock=clock)) as client:
        response = REQUESTS[route](Cell(client, headers, world, target if target != "-" else "own"))
    assert response.status_code == expected, (
        f"{route} ({target}) as {role}: expected {expected}, got {response.status_code}: {response.text[:500]}")
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["status"] == expected and problem["code"]
        assert problem["message"]["fr"] and problem["message"]["ar"]


# -- what the statuses cannot show: lists never carry another delegation's cases -----------------


def test_lists_and_counts_stay_within_the_delegation(engine: Engine, settings: Settings,
                                                     clock: FixedClock) -> None:
    world = build_world(engine, settings, clock.now())
    own = {world.name_approval["own"], world.dispute["own"]}
    other = {world.name_approval["other"], world.dispute["other"]}

    def token(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(username=username, settings=settings, now=clock.now())[0]}"}

    with TestClient(create_app(settings=settings, engine=engine, clock=clock)) as client:
        for username in ("officer.agadir", "legal.agadir", "manager.agadir"):
            headers = token(username)
            listed = {c["reference"] for c in client.get("/api/v1/cases", headers=headers).json()["items"]}
            assert listed == own, username
            desk = {c["reference"] for c in client.get("/api/v1/me/worklist", headers=headers).json()["items"]}
            assert desk <= own, username
            for ref in other:  # searching by another delegation's reference finds nothing
                found = client.get("/api/v1/cases", params={"q": ref}, headers=headers).json()["items"]
                assert found == [], (username, ref)
            coops = {c["id"] for c in client.get("/api/v1/cooperatives", headers=headers).json()}
            assert coops == {world.cooperative["own"]}, username
        headers = token("manager.agadir")
        board = client.get("/api/v1/dashboard/overdue", headers=headers).json()
        assert set(board["by_delegation"]) <= {"AGA"}
        hq = {c["reference"] for c in client.get("/api/v1/cases", headers=token("manager.hq")).json()["items"]}
        assert hq == own | other


def test_a_refused_step_changes_nothing(engine: Engine, settings: Settings, clock: FixedClock) -> None:
    """Refusals happen before any write: the case keeps its state, version and history."""
    world = build_world(engine, settings, clock.now())
    ref = world.name_approval["own"]
    with Session(engine) as s:
        before = s.exec(select(Case).where(col(Case.reference) == ref)).one()
        state, version = before.state, before.version
        events = len(service.history(db_session=s, case=before))
    with TestClient(create_app(settings=settings, engine=engine, clock=clock)) as client:
        for username, trigger in (("admin", "approve"), ("legal.agadir", "approve"), ("officer.rabat", "approve")):
            headers = {"Authorization": f"Bearer {issue_token(username=username, settings=settings, now=clock.now())[0]}"}
            response = client.post(f"/api/v1/cases/{ref}/actions/{trigger}",
                                    json={"expected_version": version, "data": {}}, headers=headers)
            assert response.status_code in (403, 404, 409), (username, response.text)
            assert client.post(f"/api/v1/cases/{ref}/comments", json={"text": "note"},
                               headers=headers).status_code in (201, 403, 404)
    with Session(engine) as s:
        after = s.exec(select(Case).where(col(Case.reference) == ref)).one()
        comments = [e for e in service.history(db_session=s, case=after) if e.kind == "comment"]
        assert (after.state, after.version) == (state, version)
        # only legal staff of the delegation could comment
        assert [e.actor for e in comments] == ["legal.agadir"]
        assert len(service.history(db_session=s, case=after)) == events + 1


def test_the_service_layer_refuses_without_the_api(engine: Engine, settings: Settings, clock: FixedClock) -> None:
    """The same rules hold for the CLI, the pages and the scheduler: they are the service's."""
    from cases import holidays, overdue
    from cases.errors import Forbidden, NotFound

    world = build_world(engine, settings, clock.now())
    now = clock.now()
    with Session(engine) as s:
        admin, officer, rabat = actor(s, "admin"), actor(s, "officer.agadir"), actor(s, "officer.rabat")
        with pytest.raises(Forbidden):
            service.act(db_session=s, reference=world.name_approval["own"], trigger="approve", actor=admin,
                        data={}, expected_version=1, now=now, settings=settings)
        with pytest.raises(Forbidden):
            service.comment(db_session=s, reference=world.name_approval["own"], text="x", actor=admin, now=now)
        with pytest.raises(NotFound):
            service.act(db_session=s, reference=world.name_approval["own"], trigger="approve", actor=rabat,
                        data={}, expected_version=1, now=now, settings=settings)
        with pytest.raises(Forbidden):
            overdue.dashboard(db_session=s, actor=officer, now=now)
        with pytest.raises(Forbidden):
            holidays.set_holiday(db_session=s, day=now.date(), is_holiday=True, name_fr="x", name_ar="x",
                                 actor=officer, now=now)
        with pytest.raises(Forbidden):
            register.import_csv(io.BytesIO(CSV_HEADER.encode()), db_session=s, actor=officer)
        with pytest.raises(Forbidden):
            register.export_csv(db_session=s, out=io.StringIO(), actor=actor(s, "manager.agadir"))
        s.rollback()
