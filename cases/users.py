"""Users of the office: officers, legal staff, managers and admins, each in a delegation
(or at headquarters). Passwords are hashed with Argon2 (pwdlib's recommendation)."""

from __future__ import annotations

from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from cases.access import ROLES
from cases.errors import Invalid, NotFound
from cases.models import Delegation, User
from workflows.spec import Actor

_hasher = PasswordHash.recommended()
# Verifying against this keeps a wrong username as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create(
    *,
    db_session: Session,
    username: str,
    password: str,
    role: str,
    full_name: str,
    delegation_code: str | None = None,
    email: str | None = None,
    language: str = "fr",
) -> User:
    if role not in ROLES:
        raise Invalid([{"loc": ["role"], "msg": f"role must be one of {', '.join(ROLES)}"}])
    if len(password) < 8:
        raise Invalid([{"loc": ["password"], "msg": "at least 8 characters"}])
    delegation_id = None
    if delegation_code is not None:
        delegation = db_session.exec(
            select(Delegation).where(col(Delegation.code) == delegation_code)
        ).first()
        if delegation is None:
            raise NotFound("delegation", delegation_code)
        delegation_id = delegation.id
    if get_by_username(db_session=db_session, username=username) is not None:
        raise Invalid([{"loc": ["username"], "msg": "already taken"}])
    user = User(
        username=username, full_name=full_name, password_hash=hash_password(password), role=role,
        delegation_id=delegation_id, email=email, language=language,
    )
    db_session.add(user)
    db_session.flush()
    return user


def get_by_username(*, db_session: Session, username: str) -> User | None:
    return db_session.exec(select(User).where(col(User.username) == username)).first()


def authenticate(*, db_session: Session, username: str, password: str) -> User | None:
    user = get_by_username(db_session=db_session, username=username)
    if user is None or not user.active:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    return user if _hasher.verify(password, user.password_hash) else None


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, delegation_id=user.delegation_id, id=user.id)
