"""Who may see and act on which case: enforced here, in the service layer, not only in
routes, so that the CLI, the pages and the scheduler obey the same rules."""

from __future__ import annotations

from cases.errors import Forbidden
from cases.models import Case, User
from rules.reasons import Reason, Text
from workflows.spec import Actor

ROLES = ("officer", "legal", "manager", "admin")


def is_headquarters(actor: Actor) -> bool:
    """Managers and admins with no delegation work at headquarters and see every case."""
    return actor.role in ("manager", "admin") and actor.delegation_id is None


def can_see(actor: Actor, case: Case) -> bool:
    if actor.is_system or is_headquarters(actor):
        return True
    return actor.delegation_id is not None and actor.delegation_id == case.delegation_id


def can_act(actor: Actor, case: Case) -> bool:
    if actor.is_system:
        return True
    if actor.role == "admin":
        return False  # admins manage users and settings, not cases
    return is_headquarters(actor) or actor.delegation_id == case.delegation_id


def can_assign(actor: Actor, case: Case) -> bool:
    return actor.role in ("officer", "manager", "legal") and can_act(actor, case)


def may_hold(user: User, case: Case) -> bool:
    return user.role in ("officer", "manager", "legal") and (
        user.delegation_id is None or user.delegation_id == case.delegation_id
    )


def delegation_for_new_case(actor: Actor, requested: int | None) -> int:
    """Officers open cases in their own delegation; headquarters must say which."""
    if actor.role == "admin":
        raise Forbidden("admins do not open cases")
    if actor.delegation_id is not None:
        if requested is not None and requested != actor.delegation_id:
            raise Forbidden("a case is opened in the officer's own delegation")
        return actor.delegation_id
    if requested is None:
        raise Forbidden("headquarters must name the delegation of the case")
    return requested


def outside_delegation_reason() -> Reason:
    return Reason(
        "outside_delegation",
        Text(
            fr="Ce dossier relève d'une autre délégation que la vôtre.",
            ar="هذا الملف تابع لمندوبية أخرى غير مندوبيتكم.",
        ),
    )


def assignee_outside_reason(username: str) -> Reason:
    return Reason(
        "assignee_outside_delegation",
        Text(
            fr=f"L'agent « {username} » ne peut pas recevoir ce dossier (autre délégation ou rôle).",
            ar=f"لا يمكن إسناد هذا الملف إلى «{username}» (مندوبية أو دور آخر).",
        ),
    )
