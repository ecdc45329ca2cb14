import io
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, UploadFile, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import MAX_ID
from cases import access, register, timeline
from cases.models import Cooperative

router = APIRouter(prefix="/api/v1", tags=["register"])

CooperativeId = Annotated[int, Path(ge=1, le=MAX_ID, description="The register entry's id.")]

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class CooperativePublic(BaseModel):
    id: int
    national_number: str
    name_ar: str
    name_fr: str
    region_code: str
    delegation_id: int
    province: str
    sector: str
    members: int
    women_members: int
    email: str | None
    phone: str | None
    language: str
    status: str
    registered_on: date

    @classmethod
    def of(cls, coop: Cooperative) -> "CooperativePublic":
        return cls.model_validate(coop, from_attributes=True)


class CorrectionEvent(BaseModel):
    at: datetime
    actor: str
    reason: str
    changes: dict[str, Any]


class ImportResult(BaseModel):
    read: int
    imported: int
    errors: list[str] = Field(description="every refused line with its reason")


class TimelineEntry(BaseModel):
    at: datetime
    reference: str
    workflow: str
    kind: str
    trigger: str | None
    from_state: str | None
    to_state: str | None
    actor: str
    data: dict[str, Any]


class TimelinePublic(BaseModel):
    cooperative_id: int
    national_number: str
    name_ar: str
    name_fr: str
    entries: list[TimelineEntry]


@router.get("/cooperatives", response_model=list[CooperativePublic])
def list_cooperatives(
    actor: ActorDep, db_session: SessionDep,
    q: Annotated[str | None, Query(max_length=200, description="national number, or a name in Arabic or French")] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="the last id of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[CooperativePublic]:
    """The register entries of the caller's delegation (headquarters: all)."""
    return [CooperativePublic.of(c) for c in register.search(db_session=db_session, actor=actor, q=q,
                                                              after=after, limit=limit)]


@router.get("/cooperatives/{cooperative_id}", response_model=CooperativePublic)
def get_cooperative(cooperative_id: CooperativeId, actor: ActorDep, db_session: SessionDep) -> CooperativePublic:
    """One register entry, of the caller's delegation (headquarters: any)."""
    return CooperativePublic.of(register.get(db_session=db_session, actor=actor, cooperative_id=cooperative_id))


@router.patch("/cooperatives/{cooperative_id}", response_model=CooperativePublic)
def correct_cooperative(
    cooperative_id: CooperativeId, body: register.CooperativeCorrection, actor: ActorDep, db_session: SessionDep, now: NowDep,
) -> CooperativePublic:
    """Correct an entry; the change, its author and its reason are kept."""
    coop = register.correct(db_session=db_session, actor=actor, cooperative_id=cooperative_id,
                            correction=body, now=now)
    db_session.commit()
    return CooperativePublic.of(coop)


@router.get("/cooperatives/{cooperative_id}/history", response_model=list[CorrectionEvent])
def cooperative_history(cooperative_id: CooperativeId, actor: ActorDep, db_session: SessionDep) -> list[CorrectionEvent]:
    """The corrections of a register entry: when, by whom, why, and what changed."""
    return [CorrectionEvent.model_validate(e, from_attributes=True)
            for e in register.history(db_session=db_session, actor=actor, cooperative_id=cooperative_id)]


@router.get("/cooperatives/{cooperative_id}/timeline", response_model=TimelinePublic)
def cooperative_timeline(
    cooperative_id: CooperativeId, actor: ActorDep, db_session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> TimelinePublic:
    """All the cooperative's cases and their events, oldest first."""
    coop, entries = timeline.get(db_session=db_session, cooperative_id=cooperative_id, actor=actor, limit=limit)
    assert coop.id is not None
    return TimelinePublic(
        cooperative_id=coop.id, national_number=coop.national_number, name_ar=coop.name_ar,
        name_fr=coop.name_fr, entries=[TimelineEntry(**e.__dict__) for e in entries],
    )


@router.post("/register/import", response_model=ImportResult)
def import_register(
    file: UploadFile, actor: ActorDep, db_session: SessionDep,
    skip_invalid: Annotated[bool, Query(description="import the good lines, report the rest")] = False,
) -> ImportResult:
    """A CSV (UTF-8) of register entries. Nothing is imported unless every line is valid,
    or with skip_invalid the good lines only; every refused line is reported."""
    access.require(actor, "register_import")
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
    report = register.import_csv(file.file, db_session=db_session, skip_invalid=skip_invalid, actor=actor)
    if report.imported:
        db_session.commit()
    return ImportResult(read=report.read, imported=report.imported, errors=register.lines(report.errors))


@router.get("/register/export.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}}})
def export_register(actor: ActorDep, db_session: SessionDep) -> StreamingResponse:
    """The whole register as CSV (UTF-8 with a byte-order mark, for spreadsheets)."""
    out = io.StringIO()
    out.write("\ufeff")
    register.export_csv(db_session=db_session, out=out, actor=actor)
    return StreamingResponse(iter([out.getvalue()]), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="register.csv"'})
