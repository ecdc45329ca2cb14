"""Users of the office: officers, legal staff, managers and admins, each in a delegation
(or at headquarters). Passwords are hashed with Argon2 (pwdlib's recommendation).

Admins manage them (`access.CAPABILITIES["users_manage"]`); the CLI acts as the system. A
person is never deleted (the history names them): they are deactivated, which signs them
out at their next request. Two changes would strand work and are refused until it is
handed over: deactivating someone, or moving them to another delegation, while open cases
are assigned to them; and an admin cannot lock themselves out (deactivate or demote
themselves), so that the office always keeps one way in.
"""

from __future__ import annotations

from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlalchemy import func
from sqlmodel import Session, col, select

from cases import access
from cases.access import ROLES
from cases.errors import Invalid, NotFound
from cases.models import Case, Delegation, User
from rules.reasons import Reason, Text
from workflows.engine import ActionBlocked
from workflows.spec import SYSTEM, Actor

MIN_PASSWORD = 8

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
    actor: Actor = SYSTEM,
) -> User:
    access.require(actor, "users_manage")
    _check_role(role)
    _check_password(password)
    delegation_id = _delegation_id(db_session, delegation_code)
    if get_by_username(db_session=db_session, username=username) is not None:
        raise Invalid([{"loc": ["username"], "msg": "already taken"}])
    user = User(
        username=username, full_name=full_name, password_hash=hash_password(password), role=role,
        delegation_id=delegation_id, email=email, language=language,
    )
    db_session.add(user)
    db_session.flush()
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid([{"loc": ["role"], "msg": f"role must be one of {', '.join(ROLES)}", "type": "value_error"}])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid([{"loc": ["password"], "msg": f"at least {MIN_PASSWORD} characters", "type": "value_error"}])


def _delegation_id(db_session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    found = db_session.exec(select(Delegation.id).where(col(Delegation.code) == code)).first()
    if found is None:
        raise NotFound("delegation", code)
    return found


def get_by_username(*, db_session: Session, username: str) -> User | None:
    return db_session.exec(select(User).where(col(User.username) == username)).first()


def get(*, db_session: Session, username: str, actor: Actor, lock: bool = False) -> User:
    """`lock`: writers hold the row (PostgreSQL: FOR UPDATE), so that a change and an
    assignment to the same person, or two admins changing each other, queue up."""
    access.require(actor, "users_manage")
    query = select(User).where(col(User.username) == username)
    user = db_session.exec(query.with_for_update() if lock else query).first()
    if user is None:
        raise NotFound("user", username)
    return user


def get_all(*, db_session: Session, actor: Actor, delegation_code: str | None = None,
            active: bool | None = None) -> list[User]:
    access.require(actor, "users_manage")
    query = select(User).order_by(col(User.username))
    if delegation_code is not None:
        query = query.where(col(User.delegation_id) == _delegation_id(db_session, delegation_code))
    if active is not None:
        query = query.where(col(User.active) == active)
    return list(db_session.exec(query))


def open_cases_held(*, db_session: Session, user: User) -> int:
    return db_session.exec(
        select(func.count()).select_from(Case)
        .where(col(Case.assignee_id) == user.id, col(Case.closed_at).is_(None))
    ).one()


@dataclass(frozen=True)
class UserChange:
    """What an admin may change; `None` leaves a field as it is (`delegation_code` is
    changed only when `move` is true, to tell "to headquarters" from "unchanged")."""

    full_name: str | None = None
    role: str | None = None
    move: bool = False
    delegation_code: str | None = None
    email: str | None = None
    language: str | None = None
    active: bool | None = None
    password: str | None = None


def _holds_cases(username: str, count: int) -> Reason:
    return Reason("holds_open_cases", Text(
        fr=f"« {username} » a {count} dossier(s) ouvert(s) assigné(s) : réassignez-les d'abord.",
        ar=f"لدى «{username}» {count} ملف(ات) مفتوحة مسندة إليه: أعيدوا إسنادها أولاً.",
    ))


LAST_ADMIN = Reason("last_admin", Text(
    fr="C'est le dernier administrateur actif : nommez-en un autre d'abord.",
    ar="هذا آخر مدير نظام نشط: عينوا مديرا آخر أولاً.",
))

SELF_LOCKOUT = Reason("self_lockout", Text(
    fr="Un administrateur ne peut ni se désactiver ni se retirer le rôle d'administrateur.",
    ar="لا يمكن لمدير النظام أن يعطل حسابه أو أن يسحب من نفسه دور مدير النظام.",
))


def update(*, db_session: Session, username: str, change: UserChange, actor: Actor) -> User:
    """Apply an admin's change to a person's account (see the module's rules)."""
    admins = _lock_active_admins(db_session)
    user = get(db_session=db_session, username=username, actor=actor, lock=True)
    if change.role is not None:
        _check_role(change.role)
    if change.password is not None:
        _check_password(change.password)
    leaves_role = change.role is not None and change.role != user.role
    deactivates = change.active is False and user.active
    if user.id == actor.id and (deactivates or leaves_role):
        raise ActionBlocked("update_user", (SELF_LOCKOUT,))
    if user.role == "admin" and user.active and (deactivates or leaves_role) and admins <= {user.id}:
        raise ActionBlocked("update_user", (LAST_ADMIN,))
    delegation_id = _delegation_id(db_session, change.delegation_code) if change.move else user.delegation_id
    # a person who leaves, moves or changes role can no longer act on what they hold
    if deactivates or leaves_role or delegation_id != user.delegation_id:
        held = open_cases_held(db_session=db_session, user=user)
        if held:
            raise ActionBlocked("update_user", (_holds_cases(username, held),))
    if change.password is not None or deactivates:
        user.sessions_epoch += 1  # every token signed before is refused from now on
    if change.password is not None:
        user.password_hash = hash_password(change.password)
    user.delegation_id = delegation_id
    for name in ("full_name", "role", "email", "language", "active"):
        value = getattr(change, name)
        if value is not None:
            setattr(user, name, value)
    db_session.add(user)
    db_session.flush()
    return user


def _lock_active_admins(db_session: Session) -> set[int | None]:
    """The active admins, their rows held until the change commits and always taken first
    and in the same order: two admins demoting each other at once queue up (the second
    then sees it would leave none) instead of both passing, or deadlocking."""
    return set(db_session.exec(
        select(User.id).where(col(User.role) == "admin", col(User.active)).order_by(col(User.id)).with_for_update()
    ).all())


def authenticate(*, db_session: Session, username: str, password: str) -> User | None:
    user = get_by_username(db_session=db_session, username=username)
    if user is None or not user.active:
        _hasher.verify(password, _DUMMY_HASH)
        return None
    return user if _hasher.verify(password, user.password_hash) else None


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, delegation_id=user.delegation_id, id=user.id)
