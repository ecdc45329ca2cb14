from fastapi import APIRouter

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas import NameCheckRequest, NameVerdictPublic
from cases.facts import verdict_dict
from cases.name_check import check_names

router = APIRouter(prefix="/api/v1", tags=["names"])


@router.post("/name-checks", response_model=list[NameVerdictPublic])
def name_checks(
    body: NameCheckRequest, actor: ActorDep, db_session: SessionDep, settings: SettingsDep
) -> list[NameVerdictPublic]:
    """Verdicts for up to 3 proposed names: available, same as, too like (with the close
    matches) or invalid, each with its reasons. Nothing is stored."""
    del actor  # any signed-in user may check names
    verdicts = check_names(body.names, db_session=db_session, settings=settings, sector=body.sector)
    return [NameVerdictPublic.model_validate(verdict_dict(v)) for v in verdicts]
