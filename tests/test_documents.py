"""The documents each state expects: the checklist, marks "received" (each one in the
history), optional files (stored once by SHA-256, size and kind limited, read from their
bytes), who may do what, and the last required document ending a wait for papers and
giving the office's paused clock back its business days."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.app import create_app
from cases import documents
from cases.clock import FixedClock
from cases.models import Case, CaseDocument, CaseEvent, Timer
from cases.settings import Settings
from rules.reasons import internal, tr
from tests.conftest import local, login
from tests.test_api_name_approval import REQUEST
from workflows.registry import REGISTRY
from workflows.spec import (
    BUSINESS_DAYS,
    Deadline,
    DocumentSpec,
    State,
    Workflow,
    escalate_to,
    transition,
)

LIMIT = 64 * 1024
PDF = b"%PDF-1.7\n" + b"statuts de la cooperative\n" * 40 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200

# A case type that stops to wait for papers: the office's 3-business-day review pauses
# while it waits, and the last required document takes it back to review.
WAITING = State(
    "waiting", tr(fr="Pièces attendues", ar="في انتظار الوثائق"), pauses_clock=True, on_documents="resume",
    documents=(
        DocumentSpec("statutes", tr(fr="Statuts", ar="النظام الأساسي")),
        DocumentSpec("founders_ids", tr(fr="Cartes d'identité", ar="البطائق الوطنية")),
        DocumentSpec("cover_letter", tr(fr="Lettre d'envoi", ar="رسالة الإرسال"), required=False),
    ),
)
PAPERS = Workflow(
    key="test_documents", version=1, title=tr(fr="Pièces", ar="وثائق"), prefix="TD", initial="review",
    states=(
        State("review", tr(fr="En revue", ar="قيد المراجعة"), deadlines=(
            Deadline("office_review", 3, BUSINESS_DAYS, internal("review_days"), escalate_to("managers"),
                     event=tr(fr="la demande", ar="الطلب"), runs_through=("waiting",)),
        )),
        WAITING,
        State("done", tr(fr="Terminé", ar="منتهي"), final=True),
    ),
    transitions=(
        transition("ask", source="review", dest="waiting", title=tr(fr="Demander", ar="طلب"), roles={"officer"}),
        transition("resume", source="waiting", dest="review", title=tr(fr="Reçues", ar="مستلمة"), roles={"officer"}),
        transition("finish", source="review", dest="done", title=tr(fr="Finir", ar="إنهاء"), roles={"officer"}),
    ),
)
REGISTRY.add(PAPERS)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"upload_folder": tmp_path / "uploads", "upload_max_bytes": LIMIT})


def stored_files(settings: Settings) -> list[Path]:
    """Files kept in the store (scratch files excluded)."""
    root = settings.upload_folder
    return sorted(p for p in root.rglob("*") if p.is_file() and p.parent.name != documents.SCRATCH)


def all_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.upload_folder.rglob("*") if p.is_file())


def open_name_request(client: TestClient, headers: dict[str, str]) -> str:
    opened = client.post("/api/v1/cases", json=REQUEST, headers=headers)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["reference"])


def open_papers_case(client: TestClient, headers: dict[str, str]) -> str:
    opened = client.post("/api/v1/cases", json={"workflow": "test_documents", "data": {}}, headers=headers)
    assert opened.status_code == 201, opened.text
    return str(opened.json()["reference"])


def receive(client: TestClient, headers: dict[str, str], reference: str, key: str,
            file: tuple[str, bytes, str] | None = None) -> httpx.Response:
    files = {"file": file} if file else None
    return client.post(f"/api/v1/cases/{reference}/documents/{key}", files=files, headers=headers)


def events(engine: Engine, reference: str, kind: str | None = None) -> list[CaseEvent]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        query = select(CaseEvent).where(col(CaseEvent.case_id) == case.id).order_by(col(CaseEvent.seq))
        return [e for e in s.exec(query) if kind is None or e.kind == kind]


def case_documents(engine: Engine) -> list[CaseDocument]:
    with Session(engine) as s:
        return list(s.exec(select(CaseDocument)))


# -- the checklist -------------------------------------------------------------------------------


def test_each_state_has_its_checklist(client: TestClient, clock: FixedClock) -> None:
    officer = login(client, "officer.agadir")
    ref = open_name_request(client, officer)
    body = client.get(f"/api/v1/cases/{ref}/documents", headers=officer).json()
    assert (body["reference"], body["state"], body["complete"], body["on_documents"]) == (ref, "submitted", False, None)
    assert [(d["key"], d["required"], d["received"]) for d in body["documents"]] == [
        ("request_form", True, False), ("founders_ids", True, False)]
    assert body["documents"][0]["title"]["ar"] and body["documents"][0]["file"] is None

    papers = open_papers_case(client, officer)
    assert client.get(f"/api/v1/cases/{papers}/documents", headers=officer).json()["documents"] == []
    asked = client.post(f"/api/v1/cases/{papers}/actions/ask", json={"expected_version": 1}, headers=officer)
    assert asked.status_code == 200, asked.text
    waiting = client.get(f"/api/v1/cases/{papers}/documents", headers=officer).json()
    assert waiting["state"] == "waiting" and waiting["on_documents"] == "resume"
    assert [(d["key"], d["required"]) for d in waiting["documents"]] == [
        ("statutes", True), ("founders_ids", True), ("cover_letter", False)]


def test_the_definitions_list_documents_where_the_law_expects_them() -> None:
    expected = {
        ("name_approval", "submitted"): {"request_form": True, "founders_ids": True},
        ("registration", "received"): {"register_entry": True, "statutes": True, "capital_certificate": True},
        ("registration_change", "received"): {"register_entry": True, "decision_minutes": True},
        ("general_assembly", "held"): {"minutes": True, "accounts": True, "auditor_report": False},
        ("audit", "documents_requested"): {"statutes": True, "members_register": True, "accounts": True,
                                           "assembly_minutes": True},
    }
    for (key, state), required in expected.items():
        listed = REGISTRY.get(key).workflow.state(state).documents
        assert {d.key: d.required for d in listed} == required, (key, state)
    for compiled in REGISTRY.latest():
        for s in compiled.workflow.states:
            for d in s.documents:
                assert d.title.fr and d.title.ar, (compiled.workflow.key, s.name, d.key)


def test_a_definition_whose_document_step_cannot_happen_is_refused() -> None:
    with pytest.raises(ValueError, match="not a transition from 'waiting'"):
        Workflow(key="test_bad", version=1, title=PAPERS.title, prefix="TB", initial="review",
                 states=PAPERS.states, transitions=PAPERS.transitions[:1])
    with pytest.raises(ValueError, match="twice"):
        Workflow(key="test_bad", version=1, title=PAPERS.title, prefix="TB", initial="waiting",
                 states=(State("waiting", WAITING.title, documents=WAITING.documents[:1] * 2),),
                 transitions=())


# -- receipts ---------------------------------------------------------------------------------------


def test_a_receipt_is_marked_and_kept_in_the_history(client: TestClient, engine: Engine, clock: FixedClock) -> None:
    officer = login(client, "officer.agadir")
    ref = open_name_request(client, officer)
    clock.set(local(2026, 3, 2, 11, 30))
    answer = receive(client, officer, ref, "request_form")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["resumed"] is None
    got = body["received"]
    assert (got["key"], got["received"], got["received_by"], got["received_in_state"], got["file"]) == (
        "request_form", True, "officer.agadir", "submitted", None)
    assert datetime.fromisoformat(got["received_at"]) == local(2026, 3, 2, 11, 30)
    assert body["checklist"]["complete"] is False

    listed = client.get(f"/api/v1/cases/{ref}/documents", headers=officer).json()["documents"]
    assert [(d["key"], d["received"]) for d in listed] == [("request_form", True), ("founders_ids", False)]

    history = client.get(f"/api/v1/cases/{ref}/history", headers=login(client, "manager.agadir")).json()
    assert [e["kind"] for e in history] == ["opened", "document_received"]
    assert history[-1]["data"] == {"key": "request_form", "state": "submitted", "required": True,
                                   "file": None, "replaced": None}
    assert history[-1]["actor"] == "officer.agadir"

    # a document this state does not expect is refused with the reason
    refused = receive(client, officer, ref, "statutes")
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["reasons"]] == ["document_not_expected"]


def test_a_file_is_stored_by_its_sha256_once(client: TestClient, engine: Engine, settings: Settings) -> None:
    officer = login(client, "officer.agadir")
    first, second = open_name_request(client, officer), open_name_request(client, officer)
    digest = hashlib.sha256(PDF).hexdigest()

    answer = receive(client, officer, first, "request_form", ("demande signée.pdf", PDF, "application/pdf"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["received"]["file"] == {"name": "demande signée.pdf", "content_type": "application/pdf",
                                                 "size": len(PDF), "sha256": digest}
    again = receive(client, officer, second, "founders_ids", ("scan.pdf", PDF, "application/octet-stream"))
    assert again.status_code == 200, again.text

    kept = settings.upload_folder / digest[:2] / digest[2:4] / digest
    assert stored_files(settings) == [kept] and kept.read_bytes() == PDF
    assert all_files(settings) == [kept]  # no scratch file left behind
    rows = case_documents(engine)
    assert {(r.sha256, r.stored_path, r.size) for r in rows} == {(digest, f"{digest[:2]}/{digest[2:4]}/{digest}", len(PDF))}
    assert events(engine, first, "document_received")[0].data["file"]["sha256"] == digest

    download = client.get(f"/api/v1/cases/{first}/documents/request_form/file", headers=officer)
    assert download.status_code == 200
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert client.get(f"/api/v1/cases/{first}/documents/founders_ids/file", headers=officer).status_code == 404

    # a new scan replaces the receipt; the history keeps what it replaced, the old file stays
    replaced = receive(client, officer, first, "request_form", ("scan.png", PNG, "image/png"))
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["received"]["file"]["content_type"] == "image/png"
    last = events(engine, first, "document_received")[-1]
    assert last.data["replaced"]["sha256"] == digest
    assert len(stored_files(settings)) == 2
    both = receive(client, officer, first, "founders_ids", ("id.jpg", JPEG, "image/jpeg"))
    assert both.json()["checklist"]["complete"] is True and both.json()["resumed"] is None


def test_an_oversized_upload_is_refused_and_nothing_is_kept(client: TestClient, engine: Engine,
                                                            settings: Settings) -> None:
    officer = login(client, "officer.agadir")
    ref = open_name_request(client, officer)
    big = b"%PDF-1.7\n" + b"x" * (3 * LIMIT)
    answer = receive(client, officer, ref, "request_form", ("big.pdf", big, "application/pdf"))
    assert answer.status_code == 413
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert (problem["code"], problem["limit"]) == ("too_large", LIMIT)
    assert problem["message"]["fr"] and problem["message"]["ar"]
    # just over the limit (with the envelope well under it) is refused too; exactly at it is fine
    assert receive(client, officer, ref, "request_form", ("b.pdf", big[: LIMIT + 1], "application/pdf")).status_code == 413
    assert all_files(settings) == [] and case_documents(engine) == []
    assert events(engine, ref, "document_received") == []
    fits = receive(client, officer, ref, "request_form", ("b.pdf", big[:LIMIT], "application/pdf"))
    assert fits.status_code == 200 and fits.json()["received"]["file"]["size"] == LIMIT


def test_an_upload_is_stopped_at_the_limit_without_reading_the_rest(engine: Engine, settings: Settings,
                                                                    clock: FixedClock) -> None:
    """A streamed (chunked) body is read only until the file passes the limit."""
    app = create_app(settings=settings, engine=engine, clock=clock)
    with TestClient(app) as client:
        officer = login(client, "officer.agadir")
        ref = open_name_request(client, officer)
    chunk, chunks = 8 * 1024, 100  # 800 KiB offered, 64 KiB accepted
    sent = 0
    boundary = "docsboundary"

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
               "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
        for _ in range(chunks):
            sent += 1
            yield b"x" * chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return await c.post(f"/api/v1/cases/{ref}/documents/request_form", content=body(),
                                headers={**officer, "Content-Type": f"multipart/form-data; boundary={boundary}"})

    answer = asyncio.run(post())
    assert answer.status_code == 413, answer.text
    assert sent <= LIMIT // chunk + 2, f"read {sent} of {chunks} chunks"
    assert all_files(settings) == []

    # and a declared length over the limit is refused before anything is read
    with TestClient(app) as client:
        answer = client.post(f"/api/v1/cases/{ref}/documents/request_form", content=b"x" * (LIMIT + 70 * 1024),
                             headers={**officer, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 413


def test_a_stager_stops_at_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    stager = documents.Stager(tmp_path, limit=10, file_name="../../etc/passwd", declared_type=None)
    stager.write(b"%PDF-")
    with pytest.raises(documents.TooLarge):
        stager.write(b"123456")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    staged = documents.Stager(tmp_path, limit=10, file_name="C:\\scans\\a.pdf", declared_type=None)
    staged.write(b"%PDF-1.7")
    done = staged.finish()
    assert (done.file_name, done.size, done.sha256) == ("a.pdf", 8, hashlib.sha256(b"%PDF-1.7").hexdigest())
    assert stager.file_name == "passwd"


@pytest.mark.parametrize(("file", "status", "code"), [
    (("notes.pdf", b"just some text, not a PDF", "application/pdf"), 415, "unsupported_media_type"),
    (("page.pdf", b"<html><body>%PDF</body></html>", "application/pdf"), 415, "unsupported_media_type"),
    (("scan.pdf", PNG, "application/pdf"), 422, "invalid_input"),  # the bytes say PNG
    (("empty.pdf", b"", "application/pdf"), 422, "invalid_input"),
])
def test_a_file_of_the_wrong_kind_is_refused(client: TestClient, engine: Engine, settings: Settings,
                                             file: tuple[str, bytes, str], status: int, code: str) -> None:
    officer = login(client, "officer.agadir")
    ref = open_name_request(client, officer)
    answer = receive(client, officer, ref, "request_form", file)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert answer.json()["errors"][0]["field"] == "file"
    assert all_files(settings) == [] and case_documents(engine) == []


def test_only_pdf_jpeg_png_and_only_what_the_settings_allow(client: TestClient, settings: Settings) -> None:
    officer = login(client, "officer.agadir")
    ref = open_name_request(client, officer)
    json_body = client.post(f"/api/v1/cases/{ref}/documents/request_form", json={"file": "x"}, headers=officer)
    assert json_body.status_code == 415 and json_body.json()["allowed"] == ["multipart/form-data"]
    settings.upload_content_types = ["application/pdf"]
    refused = receive(client, officer, ref, "request_form", ("id.png", PNG, "image/png"))
    assert refused.status_code == 415 and refused.json()["allowed"] == ["application/pdf"]
    assert all_files(settings) == []


# -- who may ---------------------------------------------------------------------------------------


def test_another_delegation_sees_nothing_and_a_role_that_cannot_act_is_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    ref = open_name_request(client, login(client, "officer.agadir"))
    rabat = login(client, "officer.rabat")
    assert client.get(f"/api/v1/cases/{ref}/documents", headers=rabat).status_code == 404
    stranger = receive(client, rabat, ref, "request_form", ("a.pdf", PDF, "application/pdf"))
    assert stranger.status_code == 404 and stranger.json()["code"] == "not_found"
    assert client.get(f"/api/v1/cases/{ref}/documents/request_form/file", headers=rabat).status_code == 404

    admin = login(client, "admin")  # headquarters: sees every case, acts on none
    assert client.get(f"/api/v1/cases/{ref}/documents", headers=admin).status_code == 200
    forbidden = receive(client, admin, ref, "request_form", ("a.pdf", PDF, "application/pdf"))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"

    assert client.get("/api/v1/cases/NA-2026-999999/documents", headers=admin).status_code == 404
    assert client.post(f"/api/v1/cases/{ref}/documents/request_form").status_code == 401
    assert all_files(settings) == [] and case_documents(engine) == []

    # the delegation's manager and headquarters' manager may receive
    assert receive(client, login(client, "manager.agadir"), ref, "request_form").status_code == 200
    assert receive(client, login(client, "manager.hq"), ref, "founders_ids").status_code == 200


# -- the last required document ends the wait ------------------------------------------------------


def deadline_of(engine: Engine, reference: str, key: str) -> tuple[str, Any]:
    with Session(engine) as s:
        case = s.exec(select(Case).where(col(Case.reference) == reference)).one()
        timer = s.exec(select(Timer).where(col(Timer.case_id) == case.id, col(Timer.kind) == "deadline",
                                           col(Timer.deadline_key) == key)).one()
        return timer.status, timer.due_at


def test_the_last_required_document_resumes_the_office_clock(client: TestClient, engine: Engine,
                                                             clock: FixedClock) -> None:
    officer = login(client, "officer.agadir")
    ref = open_papers_case(client, officer)  # Monday 2 March, 10:00: due Friday 6 at 00:00
    assert deadline_of(engine, ref, "office_review") == ("pending", local(2026, 3, 6, 0, 0))

    clock.set(local(2026, 3, 3, 15, 0))  # Tuesday used; Wednesday and Thursday left
    officer = login(client, "officer.agadir")  # tokens expire on this clock too
    asked = client.post(f"/api/v1/cases/{ref}/actions/ask", json={"expected_version": 1}, headers=officer)
    assert asked.status_code == 200, asked.text
    assert deadline_of(engine, ref, "office_review")[0] == "paused"

    clock.set(local(2026, 3, 9, 11, 0))  # the next Monday
    officer = login(client, "officer.agadir")
    first = receive(client, officer, ref, "statutes", ("statuts.pdf", PDF, "application/pdf")).json()
    assert first["resumed"] is None and first["checklist"]["state"] == "waiting"
    optional = receive(client, officer, ref, "cover_letter").json()
    assert optional["resumed"] is None and deadline_of(engine, ref, "office_review")[0] == "paused"

    last = receive(client, officer, ref, "founders_ids", ("ids.jpg", JPEG, "image/jpeg"))
    assert last.status_code == 200, last.text
    body = last.json()
    assert body["resumed"] == {"trigger": "resume", "fired": True, "reasons": []}
    assert body["checklist"]["state"] == "review" and body["checklist"]["documents"] == []
    assert body["received"]["received_in_state"] == "waiting"
    # two business days were left: Tuesday 10 and Wednesday 11
    assert deadline_of(engine, ref, "office_review") == ("pending", local(2026, 3, 12, 0, 0))

    history = events(engine, ref)
    assert [(e.kind, e.trigger) for e in history][-3:] == [
        ("document_received", None), ("document_received", None), ("transition", "resume")]
    assert history[-1].actor == "officer.agadir"
    assert history[-1].data["resumed"] == [{"key": "office_review", "business_days_left": 2,
                                            "due_at": local(2026, 3, 12, 0, 0).isoformat()}]
    case = client.get(f"/api/v1/cases/{ref}", headers=officer).json()
    assert case["state"] == "review" and case["version"] > 2


def test_a_blocked_resume_keeps_the_receipt_and_says_why(client: TestClient, engine: Engine,
                                                         settings: Settings, clock: FixedClock) -> None:
    officer = login(client, "officer.agadir")
    ref = open_papers_case(client, officer)
    client.post(f"/api/v1/cases/{ref}/actions/ask", json={"expected_version": 1}, headers=officer)
    legal = login(client, "legal.agadir")  # may act on the case, but "resume" is the officers'
    assert receive(client, legal, ref, "statutes").status_code == 200
    answer = receive(client, legal, ref, "founders_ids")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["resumed"]["fired"] is False
    assert [r["code"] for r in body["resumed"]["reasons"]] == ["role_not_allowed"]
    assert body["checklist"]["state"] == "waiting" and body["checklist"]["complete"] is True
    assert deadline_of(engine, ref, "office_review")[0] == "paused"

    # an officer marking a document again takes the case on
    again = receive(client, officer, ref, "founders_ids")
    assert again.json()["resumed"]["fired"] is True
    assert deadline_of(engine, ref, "office_review")[0] == "pending"
    assert len(case_documents(engine)) == 2
