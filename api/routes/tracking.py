from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api import ratelimit
from api.deps import SessionDep, SettingsDep
from api.schemas import BasisPublic, BilingualText
from cases import tracking
from cases.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["public tracking"])


class TrackRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"reference": "NA-2026-000123", "pin": "042917"}]}}

    reference: str = Field(min_length=6, max_length=32, pattern=r"^[A-Za-z]{2,4}-\d{4}-\d{6}$",
                           examples=["NA-2026-000123"])
    pin: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$", examples=["042917"])


class TrackPublic(BaseModel):
    reference: str
    state: str
    state_title: BilingualText
    next_step: BilingualText | None
    closed: bool
    expected_at: datetime | None = Field(description="the next date the office is held to")
    expected_why: BilingualText | None
    expected_basis: BasisPublic | None


@router.post("/track", response_model=TrackPublic)
def track(body: TrackRequest, request: Request, db_session: SessionDep, settings: SettingsDep) -> TrackPublic:
    """For cooperatives, without an account: the state of a case from its reference and
    PIN (both on the receipt). Rate-limited per client and per reference; a wrong PIN and
    an unknown reference get the same answer."""
    client = request.client.host if request.client else "unknown"
    reference = body.reference.upper()
    ratelimit.check(settings.rate_limit_storage,
                    (settings.track_rate_per_client, "track-client", client),
                    (settings.track_rate_per_reference, "track-reference", reference))
    found = tracking.track(db_session=db_session, reference=reference, pin=body.pin, settings=settings)
    if found is None:
        raise NotFound("case", "reference or PIN")
    return TrackPublic(
        reference=found.reference, state=found.state, state_title=BilingualText(**found.state_title.as_dict()),
        next_step=BilingualText(**found.next_step.as_dict()) if found.next_step else None,
        closed=found.closed, expected_at=found.expected_at,
        expected_why=BilingualText(**found.expected_why.as_dict()) if found.expected_why else None,
        expected_basis=BasisPublic(code=found.expected_basis.code, **found.expected_basis.label.as_dict())
        if found.expected_basis else None,
    )
