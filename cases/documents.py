"""The documents a case's state expects: its checklist, the marks "received", and the files
handed in with them.

A state lists its documents in the definition (`State.documents`); a receipt is a row of
`case_document` (one per document of a case) and an event of the case's history, written
in one transaction with the case row locked, like every step. When the last required
document of a state arrives and the state names a step for that (`State.on_documents`),
that step is fired as the person who received it: the case stops waiting, and the office's
clock that paused while it waited resumes with the business days that were left.

Files are optional. They arrive through `Stager`, which writes them to a scratch file as
they stream in and stops at the size limit, so that an oversized upload is never stored
whole. A kept file is named by its SHA-256 under the upload folder (`ab/cd/<sha256>`): the
same file handed in twice, for two cases or twice for one, is stored once. Its kind is
read from its first bytes, never taken from its name or the client's word.

A file is moved into place before the transaction that names it commits; a transaction
that then fails leaves at most an unreferenced file, which is harmless (a later upload of
the same bytes finds it) and never a row that names a missing file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from cases import access, service
from cases.errors import Forbidden, Invalid, NotFound
from cases.models import Case, CaseDocument
from cases.settings import Settings
from rules.reasons import Reason, Text
from workflows.engine import ActionBlocked
from workflows.spec import Actor, DocumentSpec, State

RECEIVE = "receive_document"
EVENT_KIND = "document_received"

# The first bytes of each kind of file the office accepts.
SIGNATURES: Mapping[str, bytes] = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
SNIFF_BYTES = max(len(s) for s in SIGNATURES.values())
# What clients send for the same kinds; "application/octet-stream" says nothing and is ignored.
ALIASES: Mapping[str, str] = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
}
UNDECLARED = ("", "application/octet-stream")
SCRATCH = "tmp"


# -- refusals ---------------------------------------------------------------------------------


class TooLarge(Exception):
    """The upload is bigger than the office accepts; nothing of it was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


class UnsupportedType(Exception):
    """The file (or the request) is of a kind that is not accepted, whatever it claims."""

    def __init__(self, found: str | None, allowed: tuple[str, ...]) -> None:
        super().__init__(f"content of type {found or 'unknown'} is not one of {', '.join(allowed)}")
        self.found = found
        self.allowed = allowed


def not_expected_reason(key: str, state: State) -> Reason:
    expected = ", ".join(d.key for d in state.documents) or "-"
    return Reason(
        "document_not_expected",
        Text(
            fr=f"Le document « {key} » n'est pas attendu à l'étape « {state.name} » (attendus : {expected}).",
            ar=f"الوثيقة «{key}» غير مطلوبة في المرحلة «{state.name}» (المطلوب: {expected}).",
        ),
    )


# -- files --------------------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes; None when it is none of the known kinds."""
    for kind, signature in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def clean_file_name(raw: str | None) -> str:
    """The name as a person would read it: no folders, no control characters, bounded.
    It is only a label (the file is stored by its hash) and a download's suggested name."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"').strip()
    return name[:255] or "document"


@dataclass
class Staged:
    """An uploaded file in the scratch folder, hashed, not yet kept."""

    path: Path
    file_name: str
    declared_type: str | None
    size: int
    sha256: str
    head: bytes

    def discard(self) -> None:
        """Forget the scratch copy (a no-op once it has been moved into the store)."""
        self.path.unlink(missing_ok=True)


class Stager:
    """Writes an incoming file to a scratch file in the upload folder as it arrives,
    hashing it on the way, and refuses the chunk that would pass the limit: an oversized
    upload is stopped there and its scratch file deleted, never stored whole. The scratch
    folder is on the same file system as the store, so that keeping a file is a rename."""

    def __init__(self, root: Path, *, limit: int, file_name: str | None, declared_type: str | None) -> None:
        scratch = root / SCRATCH
        scratch.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=scratch, prefix="upload-")
        self._file = os.fdopen(fd, "wb")
        self.path = Path(name)
        self.limit = limit
        self.file_name = clean_file_name(file_name)
        self.declared_type = declared_type
        self.size = 0
        self._hash = hashlib.sha256()
        self._head = b""

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.limit:
            self.abort()
            raise TooLarge(self.limit)
        self._file.write(chunk)
        self._hash.update(chunk)
        if len(self._head) < SNIFF_BYTES:
            self._head = (self._head + chunk)[:SNIFF_BYTES]
        self.size += len(chunk)

    def finish(self) -> Staged:
        self._file.close()
        return Staged(path=self.path, file_name=self.file_name, declared_type=self.declared_type,
                      size=self.size, sha256=self._hash.hexdigest(), head=self._head)

    def abort(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def stored_path(sha256: str) -> str:
    """Where a file lives under the upload folder: two levels of fan-out keep folders small."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def keep(staged: Staged, root: Path) -> str:
    """Move a staged file into the store under its hash; when the same bytes are already
    there, the scratch copy is dropped and the stored one serves both."""
    relative = stored_path(staged.sha256)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file():
        staged.discard()
    else:
        os.replace(staged.path, target)  # atomic: a reader never sees half a file
    return relative


def accepted_kind(staged: Staged, allowed: tuple[str, ...]) -> str:
    """The file's kind, read from its bytes. A kind not accepted is refused (415); a
    declared type that contradicts the bytes is refused too (422), since a file that lies
    about itself is not what the cooperative meant to hand in."""
    found = sniff(staged.head)
    if found is None or found not in allowed:
        raise UnsupportedType(found, allowed)
    declared = (staged.declared_type or "").split(";", 1)[0].strip().lower()
    declared = ALIASES.get(declared, declared)
    if declared not in UNDECLARED and declared != found:
        raise Invalid([{"loc": ["file"], "type": "content_type_mismatch",
                        "msg": f"declared as {declared} but the content is {found}"}])
    return found


# -- the checklist ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One expected document and its receipt, if it came."""

    spec: DocumentSpec
    row: CaseDocument | None

    @property
    def received(self) -> bool:
        return self.row is not None


@dataclass(frozen=True)
class Checklist:
    case: Case
    state: State
    lines: tuple[Line, ...]

    @property
    def complete(self) -> bool:
        """Every required document is in (a state that expects none is complete)."""
        return all(line.received for line in self.lines if line.spec.required)


@dataclass(frozen=True)
class Resume:
    """The state's `on_documents` step, fired or blocked (with why) once all were in."""

    trigger: str
    fired: bool
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Receipt:
    received: Line
    checklist: Checklist  # of the state the case is in after the receipt
    resumed: Resume | None


def _state(case: Case) -> State:
    return service.compiled(case).workflow.state(case.state)


def _rows(db_session: Session, case: Case) -> dict[str, CaseDocument]:
    rows = db_session.exec(select(CaseDocument).where(col(CaseDocument.case_id) == case.id))
    return {row.key: row for row in rows}


def _checklist(db_session: Session, case: Case) -> Checklist:
    """A document received earlier in the case (in another state that also expects it)
    counts: the office does not ask twice for the same statutes."""
    state = _state(case)
    rows = _rows(db_session, case)
    return Checklist(case=case, state=state, lines=tuple(Line(d, rows.get(d.key)) for d in state.documents))


def checklist(*, db_session: Session, reference: str, actor: Actor) -> Checklist:
    """The documents the case's current state expects; anyone who may see the case may
    see its checklist."""
    case = service.get(db_session=db_session, reference=reference, actor=actor)
    return _checklist(db_session, case)


def _may_receive(actor: Actor, case: Case) -> None:
    """Only those who may act on the case mark its documents: a role that never acts on
    cases is forbidden; anyone else outside the case's delegation is blocked, with why."""
    if access.can_act(actor, case):
        return
    if actor.role == "admin":
        raise Forbidden("admins manage users and settings, not cases")
    raise ActionBlocked(RECEIVE, (access.outside_delegation_reason(),))


def _spec(case: Case, key: str) -> DocumentSpec:
    state = _state(case)
    for spec in state.documents:
        if spec.key == key:
            return spec
    raise ActionBlocked(RECEIVE, (not_expected_reason(key, state),))


def expect(*, db_session: Session, reference: str, key: str, actor: Actor) -> DocumentSpec:
    """Everything `receive` would refuse before it looks at a file, checked before the
    edge reads a byte of the upload: a stranger's upload is not written to disk."""
    case = service.get(db_session=db_session, reference=reference, actor=actor)
    _may_receive(actor, case)
    return _spec(case, key)


def receive(
    *,
    db_session: Session,
    reference: str,
    key: str,
    actor: Actor,
    now: datetime,
    settings: Settings,
    upload: Staged | None = None,
) -> Receipt:
    """Mark a document of the case's current state received, with its file if one came.

    One transaction with the case row locked: the receipt row, its history event and,
    when it was the last required document and the state says so, the step that ends the
    wait. That step is fired as the receiving person; when its guards block it, the
    receipt stands (the papers did arrive) and the answer says what blocked the step."""
    try:
        case = service.get(db_session=db_session, reference=reference, actor=actor, lock=True)
        _may_receive(actor, case)
        spec = _spec(case, key)
        file: dict[str, Any] | None = None
        if upload is not None:
            kind = accepted_kind(upload, tuple(settings.upload_content_types))
            file = {"name": upload.file_name, "content_type": kind, "size": upload.size,
                    "sha256": upload.sha256, "stored_path": keep(upload, settings.upload_folder)}
    except BaseException:
        if upload is not None:
            upload.discard()
        raise

    row = _rows(db_session, case).get(key)
    replaced = None if row is None else {"received_at": row.received_at.isoformat(), "sha256": row.sha256}
    if row is None:
        row = CaseDocument(case_id=case.id, key=key, state=case.state,  # type: ignore[arg-type]
                           received_at=now, received_by=actor.username)
    row.state, row.received_at, row.received_by, row.received_by_id = case.state, now, actor.username, actor.id
    row.file_name = file["name"] if file else None
    row.content_type = file["content_type"] if file else None
    row.size = file["size"] if file else None
    row.sha256 = file["sha256"] if file else None
    row.stored_path = file["stored_path"] if file else None
    db_session.add(row)
    service.record_event(
        db_session, case, actor, now, kind=EVENT_KIND,
        data={"key": key, "state": case.state, "required": spec.required,
              "file": {k: v for k, v in file.items() if k != "stored_path"} if file else None,
              "replaced": replaced},
    )
    db_session.flush()

    received = Line(spec, row)
    after = _checklist(db_session, case)
    trigger = after.state.on_documents
    if trigger is None or not after.complete:
        return Receipt(received=received, checklist=after, resumed=None)
    try:
        service.act(db_session=db_session, reference=reference, trigger=trigger, actor=actor, data=None,
                    expected_version=case.version, now=now, settings=settings)
    except ActionBlocked as blocked:
        return Receipt(received=received, checklist=after, resumed=Resume(trigger, False, blocked.reasons))
    return Receipt(received=received, checklist=_checklist(db_session, case), resumed=Resume(trigger, True))


def stored_file(*, db_session: Session, reference: str, key: str, actor: Actor, settings: Settings) -> tuple[CaseDocument, Path]:
    """The file handed in for a document, for whoever may see the case."""
    case = service.get(db_session=db_session, reference=reference, actor=actor)
    row = _rows(db_session, case).get(key)
    if row is None or row.stored_path is None:
        raise NotFound("document", key)
    path = settings.upload_folder / row.stored_path
    if not path.is_file():
        raise NotFound("document", key)
    return row, path
