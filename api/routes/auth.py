from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api import ratelimit
from api.auth import issue_token
from api.deps import ActorDep, SessionDep, SettingsDep, WallTimeDep
from api.schemas import MePublic, TokenPublic
from cases import users

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic, openapi_extra={"requestBody": {"content": {
    "application/x-www-form-urlencoded": {"example": {"username": "officer.agadir", "password": "demo1234"}},
}}})
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    db_session: SessionDep,
    settings: SettingsDep,
    now: WallTimeDep,
) -> TokenPublic:
    """Sign in with a username and password; the answer is a bearer token. Attempts are
    limited per client and per username, so that passwords cannot be guessed in bulk."""
    client = request.client.host if request.client else "unknown"
    ratelimit.check(settings.rate_limit_storage,
                    (settings.login_rate_per_client, "login-client", client),
                    (settings.login_rate_per_user, "login-user", form.username.lower()))
    user = users.authenticate(db_session=db_session, username=form.username, password=form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    access, expires_in = issue_token(username=user.username, settings=settings, now=now, epoch=user.sessions_epoch)
    return TokenPublic(access_token=access, expires_in=expires_in)


@router.get("/me", response_model=MePublic)
def me(actor: ActorDep) -> MePublic:
    """Who the token signs in: username, role and delegation (none at headquarters)."""
    return MePublic(username=actor.username, role=actor.role, delegation_id=actor.delegation_id)
