"""The documents a case expects: its checklist, marks "received" with an optional file,
and the file back.

An upload is read here, at the edge, as it streams in: the multipart body is parsed chunk
by chunk (python-multipart, as Starlette does) and the file part goes straight to a
scratch file that stops at the size limit. Starlette's own form parsing would spool the
whole file before the route could refuse it. Who may receive what is checked before the
first byte is read, and the rest is one service call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from api.deps import ActorDep, NowDep, SessionDep, SettingsDep
from api.schemas import BilingualText, ReasonPublic
from cases import documents as docs
from cases.errors import Invalid
from cases.settings import Settings
from workflows.spec import DocumentSpec

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

router = APIRouter(prefix="/api/v1/cases", tags=["documents"])

FILE_FIELD = "file"
# Room for the multipart envelope around the file (boundaries, part headers, other fields).
ENVELOPE_BYTES = 64 * 1024

Reference = Annotated[str, Path(max_length=32)]
Key = Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9_]+$", examples=["request_form"])]


# -- answers -----------------------------------------------------------------------------------


class FilePublic(BaseModel):
    name: str
    content_type: str
    size: int = Field(description="bytes")
    sha256: str


class DocumentPublic(BaseModel):
    key: str
    title: BilingualText
    required: bool
    received: bool
    received_at: datetime | None = None
    received_by: str | None = None
    received_in_state: str | None = None
    file: FilePublic | None = None

    @classmethod
    def of(cls, line: docs.Line) -> DocumentPublic:
        row = line.row
        file = None
        if row is not None and row.sha256 is not None:
            file = FilePublic(name=row.file_name or "document", content_type=row.content_type or "",
                              size=row.size or 0, sha256=row.sha256)
        return cls(
            key=line.spec.key, title=BilingualText(**line.spec.title.as_dict()), required=line.spec.required,
            received=row is not None, received_at=row.received_at if row else None,
            received_by=row.received_by if row else None, received_in_state=row.state if row else None,
            file=file,
        )


class ChecklistPublic(BaseModel):
    reference: str
    state: str
    state_title: BilingualText
    version: int
    complete: bool = Field(description="every required document of this state is in")
    on_documents: str | None = Field(
        default=None, description="the step taken by itself when the last required document is received")
    documents: list[DocumentPublic]

    @classmethod
    def of(cls, checklist: docs.Checklist) -> ChecklistPublic:
        return cls(
            reference=checklist.case.reference, state=checklist.case.state,
            state_title=BilingualText(**checklist.state.title.as_dict()), version=checklist.case.version,
            complete=checklist.complete, on_documents=checklist.state.on_documents,
            documents=[DocumentPublic.of(line) for line in checklist.lines],
        )


class ResumePublic(BaseModel):
    trigger: str
    fired: bool
    reasons: list[ReasonPublic] = Field(description="why the step is blocked, when it is")


class ReceiptPublic(BaseModel):
    received: DocumentPublic
    resumed: ResumePublic | None = Field(
        default=None, description="the state's on_documents step, when this was the last required document")
    checklist: ChecklistPublic = Field(description="of the state the case is in now")


# -- reading an upload -----------------------------------------------------------------------------


def expected_document(reference: Reference, key: Key, actor: ActorDep, db_session: SessionDep) -> DocumentSpec:
    """Refuse (404, 403, 409) before reading a byte of the body. Then end the read
    transaction: a slow upload must not hold the database (SQLite's BEGIN IMMEDIATE takes
    the write lock)."""
    try:
        return docs.expect(db_session=db_session, reference=reference, key=key, actor=actor)
    finally:
        db_session.rollback()


class _Form:
    """python-multipart callbacks: the part named `file` is handed, chunk by chunk, to a
    stager; the other parts are ignored (the envelope limit bounds them)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stager: docs.Stager | None = None
        self.file_name = ""
        self.pending: list[bytes] = []
        self._in_file = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin, "on_part_data": self._part_data,
            "on_header_field": self._header_field, "on_header_value": self._header_value_data,
            "on_header_end": self._header_end, "on_headers_finished": self._headers_finished,
        }

    def _part_begin(self) -> None:
        self._headers, self._in_file = {}, False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") != FILE_FIELD.encode():
            return
        if self.stager is not None:
            raise Invalid([{"loc": [FILE_FIELD], "type": "too_many_files", "msg": "one file per document"}])
        self.file_name = options.get(b"filename", b"").decode("utf-8", "replace")
        declared = self._headers.get(b"content-type", b"").decode("latin-1")
        self.stager = docs.Stager(self.settings.upload_folder, limit=self.settings.upload_max_bytes,
                                       file_name=self.file_name, declared_type=declared or None)
        self._in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.pending.append(data[start:end])


async def read_upload(request: Request, settings: Settings) -> docs.Staged | None:
    """The file of a multipart body, staged; None when the request carries no file."""
    limit = settings.upload_max_bytes + ENVELOPE_BYTES
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise docs.TooLarge(settings.upload_max_bytes)
    if length == "0" or (not length and "transfer-encoding" not in request.headers):
        return None  # no body: a mark "received" without a file
    media, params = parse_options_header(request.headers.get("content-type", ""))
    if media != b"multipart/form-data":
        raise docs.UnsupportedType(media.decode("latin-1") or None, ("multipart/form-data",))
    boundary = params.get(b"boundary")
    if not boundary:
        raise Invalid([{"loc": ["body"], "type": "multipart", "msg": "multipart body without a boundary"}])
    form = _Form(settings)
    total = 0
    try:
        parser = MultipartParser(boundary, form.callbacks())
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise docs.TooLarge(settings.upload_max_bytes)
            parser.write(chunk)
            if form.pending and form.stager is not None:
                await to_thread.run_sync(form.stager.write, b"".join(form.pending))
            form.pending.clear()
        parser.finalize()
    except BaseException as exc:
        if form.stager is not None:
            form.stager.abort()
        if isinstance(exc, FormParserError):
            raise Invalid([{"loc": ["body"], "type": "multipart", "msg": "invalid multipart body"}]) from exc
        raise
    if form.stager is None:
        return None
    staged = form.stager.finish()
    if staged.size == 0:
        staged.discard()
        if not form.file_name:
            return None  # a form sent with no file chosen
        raise Invalid([{"loc": [FILE_FIELD], "type": "empty_file", "msg": "the file is empty"}])
    return staged


async def staged_upload(
    request: Request, settings: SettingsDep, _: Annotated[DocumentSpec, Depends(expected_document)]
) -> AsyncIterator[docs.Staged | None]:
    """The upload, read only after the caller is known to be allowed; its scratch copy is
    removed whatever happens next (a kept file has already moved)."""
    staged = await read_upload(request, settings)
    try:
        yield staged
    finally:
        if staged is not None:
            staged.discard()


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "description": "Optionally, the document itself (PDF, JPEG or PNG; size limited).",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
                },
                "encoding": {FILE_FIELD: {"contentType": "application/pdf, image/jpeg, image/png"}},
            }
        },
    }
}


# -- routes ------------------------------------------------------------------------------------------


@router.get("/{reference}/documents", response_model=ChecklistPublic)
def checklist(reference: Reference, actor: ActorDep, db_session: SessionDep) -> ChecklistPublic:
    """The documents the case's current state expects: received or not, by whom, when,
    and the file handed in."""
    return ChecklistPublic.of(docs.checklist(db_session=db_session, reference=reference, actor=actor))


@router.post(
    "/{reference}/documents/{key}", response_model=ReceiptPublic, openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "file too large"}, 415: {"description": "file of a kind not accepted"}},
)
def receive(
    reference: Reference, key: Key, upload: Annotated[docs.Staged | None, Depends(staged_upload)],
    actor: ActorDep, db_session: SessionDep, settings: SettingsDep, now: NowDep,
) -> ReceiptPublic:
    """Mark a document received, with its file or without. The last required document of
    a state that waits for them takes the case on (its `on_documents` step), and the
    office's paused clock resumes."""
    receipt = docs.receive(db_session=db_session, reference=reference, key=key, actor=actor, now=now,
                                settings=settings, upload=upload)
    db_session.commit()
    resumed = None
    if receipt.resumed is not None:
        resumed = ResumePublic(trigger=receipt.resumed.trigger, fired=receipt.resumed.fired,
                               reasons=[ReasonPublic.of(r) for r in receipt.resumed.reasons])
    return ReceiptPublic(received=DocumentPublic.of(receipt.received), resumed=resumed,
                         checklist=ChecklistPublic.of(receipt.checklist))


@router.get("/{reference}/documents/{key}/file", response_class=FileResponse,
            responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}})
def download(reference: Reference, key: Key, actor: ActorDep, db_session: SessionDep,
             settings: SettingsDep) -> FileResponse:
    """The file handed in for a document, for whoever may see the case."""
    row, path = docs.stored_file(db_session=db_session, reference=reference, key=key, actor=actor,
                                      settings=settings)
    return FileResponse(path, media_type=row.content_type, filename=row.file_name,
                        headers={"X-Content-Type-Options": "nosniff"})
