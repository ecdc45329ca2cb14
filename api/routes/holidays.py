from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.deps import ActorDep, NowDep, SessionDep
from api.schemas import FIRST_DAY, LAST_DAY
from cases import holidays

router = APIRouter(prefix="/api/v1/holidays", tags=["calendar"])


class HolidayPublic(BaseModel):
    day: date
    is_holiday: bool
    name_fr: str
    name_ar: str
    note: str | None = None


class HolidaySet(BaseModel):
    model_config = {"json_schema_extra": {"examples": [
        {"is_holiday": True, "name_fr": "Aïd al-Fitr (confirmé)", "name_ar": "عيد الفطر",
         "note": "Annonce du ministère des Habous, veille au soir"},
        {"is_holiday": False, "name_fr": "", "name_ar": "", "note": "Aïd décalé d'un jour"},
    ]}}

    is_holiday: bool = Field(description="false removes an estimated holiday (moon sighting)")
    name_fr: str = Field(default="", max_length=120, examples=["Aïd al-Fitr (confirmé)"])
    name_ar: str = Field(default="", max_length=120, examples=["عيد الفطر"])
    note: str | None = Field(default=None, max_length=500)


class HolidayChanged(HolidayPublic):
    moved: list[str] = Field(description="cases whose deadlines this change moved")


@router.get("", response_model=list[HolidayPublic])
def list_holidays(actor: ActorDep, db_session: SessionDep) -> list[HolidayPublic]:
    """The office's corrections to the estimated public holidays."""
    del actor
    return [HolidayPublic.model_validate(h, from_attributes=True) for h in holidays.get_all(db_session=db_session)]


@router.put("/{day}", response_model=HolidayChanged)
def set_holiday(day: Annotated[date, Path(ge=FIRST_DAY, le=LAST_DAY)], body: HolidaySet, actor: ActorDep, db_session: SessionDep, now: NowDep) -> HolidayChanged:
    """Headquarters declares or corrects a holiday; open business-day deadlines move."""
    moved = holidays.set_holiday(db_session=db_session, day=day, is_holiday=body.is_holiday,
                                 name_fr=body.name_fr, name_ar=body.name_ar, note=body.note,
                                 actor=actor, now=now)
    db_session.commit()
    return HolidayChanged(day=day, moved=moved, **body.model_dump())
