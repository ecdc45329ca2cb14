"""Admins manage the office's accounts; headquarters reads the office's policy settings.

The routes only shape requests and answers: who may do what is decided in `cases/users.py`
and `cases/access.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, EmailStr, Field

from api.deps import ActorDep, SessionDep, SettingsDep
from cases import delegations, policy, users
from cases.models import User

router = APIRouter(prefix="/api/v1", tags=["administration"])

Role = Literal["officer", "legal", "manager", "admin"]
Language = Literal["ar", "fr"]
Username = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._-]+$")]
DelegationCode = Annotated[str, Field(min_length=1, max_length=32, examples=["AGA"])]


class UserPublic(BaseModel):
    username: str
    full_name: str
    role: str
    delegation: str | None = Field(description="the delegation's code; null at headquarters")
    email: str | None
    language: str
    active: bool


class UserCreate(BaseModel):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [
        {"username": "officer.tiznit", "full_name": "Khadija Ait Ouaziz", "role": "officer",
         "delegation": "AGA", "email": "k.aitouaziz@odco.example", "language": "ar",
         "password": "a-long-first-password"},
    ]}}

    username: str = Field(min_length=3, max_length=80, pattern=r"^[A-Za-z0-9._-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    delegation: DelegationCode | None = Field(default=None, description="null: headquarters")
    email: EmailStr | None = None
    language: Language = "fr"
    password: str = Field(min_length=users.MIN_PASSWORD, max_length=200)


class UserUpdate(BaseModel):
    """Only the fields given change; `"delegation": null` moves the person to headquarters."""

    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [
        {"delegation": "RAB"},
        {"active": False},
        {"role": "manager", "full_name": "Khadija Ait Ouaziz"},
        {"password": "a-new-long-password"},
    ]}}

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    delegation: DelegationCode | None = None
    email: EmailStr | None = None
    language: Language | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=users.MIN_PASSWORD, max_length=200)


def _public(user: User, codes: dict[int, str]) -> UserPublic:
    return UserPublic(username=user.username, full_name=user.full_name, role=user.role,
                      delegation=codes.get(user.delegation_id) if user.delegation_id else None,
                      email=user.email, language=user.language, active=user.active)


@router.get("/users", response_model=list[UserPublic])
def list_users(
    actor: ActorDep, db_session: SessionDep,
    delegation: Annotated[str | None, Query(max_length=32)] = None,
    active: bool | None = None,
) -> list[UserPublic]:
    """Everyone with an account, by username; filtered by delegation or by being active."""
    found = users.get_all(db_session=db_session, actor=actor, delegation_code=delegation, active=active)
    codes = delegations.codes(db_session)
    return [_public(u, codes) for u in found]


@router.post("/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, actor: ActorDep, db_session: SessionDep) -> UserPublic:
    """A new account. The password is the person's first one: they should change it."""
    user = users.create(db_session=db_session, username=body.username, password=body.password, role=body.role,
                        full_name=body.full_name, delegation_code=body.delegation, email=body.email,
                        language=body.language, actor=actor)
    db_session.commit()
    return _public(user, delegations.codes(db_session))


@router.get("/users/{username}", response_model=UserPublic)
def get_user(username: Username, actor: ActorDep, db_session: SessionDep) -> UserPublic:
    """One account, as the admin sees it (never its password)."""
    return _public(users.get(db_session=db_session, username=username, actor=actor), delegations.codes(db_session))


@router.patch("/users/{username}", response_model=UserPublic)
def update_user(username: Username, body: UserUpdate, actor: ActorDep, db_session: SessionDep) -> UserPublic:
    """Change a role, a delegation, contact details, a password; deactivate or reactivate.
    Refused (409, with the reason) while it would strand open cases or lock the admin out."""
    given = body.model_fields_set
    change = users.UserChange(
        full_name=body.full_name, role=body.role, move="delegation" in given, delegation_code=body.delegation,
        email=body.email, language=body.language, active=body.active, password=body.password,
    )
    user = users.update(db_session=db_session, username=username, change=change, actor=actor)
    db_session.commit()
    return _public(user, delegations.codes(db_session))


class SettingPublic(BaseModel):
    name: str
    value: Any
    description: str | None


@router.get("/settings", response_model=list[SettingPublic])
def office_settings(actor: ActorDep, settings: SettingsDep) -> list[SettingPublic]:
    """The office's policy numbers the workflows run on (service levels, thresholds), with
    what each means. They are set in the server's environment (`COOPFLOW_<NAME>`), so that a
    change is deployed, reviewed and the same for every worker and scheduler process."""
    return [SettingPublic(name=p.name, value=p.value, description=p.description)
            for p in policy.get_all(settings=settings, actor=actor)]
