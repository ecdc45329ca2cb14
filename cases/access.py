"""Who may see and act on which case, and who may use the office's other tools: enforced
here, in the service layer, not only in routes, so that the CLI, the pages and the
scheduler obey the same rules.

In one paragraph, for a security reviewer (tests/test_authorization.py is the full matrix):
- officers and legal staff see the cases of their delegation; managers too, and managers
  without a delegation (headquarters) see every case; admins see every case, read only;
- a case is acted on (steps, assignment, comments) by staff of its delegation, or by
  headquarters managers; which step each role may take is the definition's (officers and
  managers: most steps; legal staff: disputes, with managers for the mediator and the
  extensions); admins never act on cases;
- a case is opened (a name request, a dispute filed at the counter...) by staff, in their
  own delegation (headquarters names one), and assigned to staff of its delegation;
- a case of another delegation is "not found", so that references cannot be probed;
- everything else (dashboards, register, holidays, failed notifications...) is a
  capability of some roles, listed in `CAPABILITIES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.errors import Forbidden, Invalid
from cases.models import Case, User
from rules.reasons import Reason, Text
from workflows.engine import ActionBlocked
from workflows.spec import Actor

ROLES = ("officer", "legal", "manager", "admin")
CASE_WORKERS = ("officer", "legal", "manager")


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
    if actor.role not in CASE_WORKERS:
        return False  # admins manage users and settings, not cases
    return is_headquarters(actor) or (actor.delegation_id is not None
                                      and actor.delegation_id == case.delegation_id)


def can_assign(actor: Actor, case: Case) -> bool:
    return actor.is_system or (actor.role in CASE_WORKERS and can_act(actor, case))


def may_hold(user: User, case: Case) -> bool:
    """Whom a case may be assigned to: staff of its delegation, or of headquarters. (Legal
    staff may hold other cases than disputes: an audit, a programme; see the mediator's ties
    in `cases.dispute_store`.)"""
    return user.role in CASE_WORKERS and (
        user.delegation_id is None or user.delegation_id == case.delegation_id
    )


def refusal(actor: Actor) -> Reason:
    """Why an actor who sees a case may not act on it: admins never do, anyone else is
    outside the case's delegation."""
    if actor.role not in CASE_WORKERS and not actor.is_system:
        return Reason("role_not_allowed", ADMIN_NOT_ON_CASES)
    return outside_delegation_reason()


def ensure_can_act(actor: Actor, case: Case, what: str) -> None:
    """Before any change to a case (a step, an assignment, a comment, a document)."""
    if can_act(actor, case):
        return
    if actor.role not in CASE_WORKERS:
        raise NotPermitted("act on cases", ADMIN_NOT_ON_CASES)
    raise ActionBlocked(what, (outside_delegation_reason(),))


def ensure_can_assign(actor: Actor, case: Case) -> None:
    ensure_can_act(actor, case, "assign")


def delegation_for_new_case(actor: Actor, requested: int | None) -> int:
    """Officers open cases in their own delegation; headquarters must say which."""
    if actor.role not in CASE_WORKERS and not actor.is_system:
        raise NotPermitted("open cases", ADMIN_NOT_ON_CASES)
    if actor.delegation_id is not None:
        if requested is not None and requested != actor.delegation_id:
            raise NotPermitted("open cases in another delegation", Text(
                fr="Un dossier s'ouvre dans la délégation de l'agent qui l'ouvre.",
                ar="يُفتح الملف في مندوبية الموظف الذي يفتحه.",
            ))
        return actor.delegation_id
    if requested is None:
        raise Invalid([{"loc": ["delegation"], "type": "missing",
                        "msg": "headquarters names the delegation of the case"}])
    return requested


# -- the office's tools beyond cases ---------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    """A tool of the office: the roles that use it, whether only at headquarters, and what
    anyone else is told."""

    roles: frozenset[str]
    headquarters_only: bool
    refusal: Text


def _cap(roles: set[str], fr: str, ar: str, *, headquarters_only: bool = False) -> Capability:
    return Capability(frozenset(roles), headquarters_only, Text(fr=fr, ar=ar))


CAPABILITIES: dict[str, Capability] = {
    "overdue_dashboard": _cap({"manager", "admin"}, "Le tableau des retards est réservé aux responsables.",
                              "لوحة التأخيرات مخصصة للمسؤولين."),
    "audit_planning": _cap({"manager"}, "La programmation des contrôles est réservée aux responsables.",
                           "برمجة المراقبات مخصصة للمسؤولين."),
    "late_transmissions": _cap({"manager"}, "Le rapport des transmissions tardives est réservé aux responsables.",
                               "تقرير الإحالات المتأخرة مخصص للمسؤولين."),
    "register_correct": _cap({"officer", "manager"},
                             "Le registre est corrigé par les agents et les responsables.",
                             "يصحح السجل من طرف الموظفين والمسؤولين."),
    "register_import": _cap({"admin"}, "Le registre est importé par un administrateur.",
                            "يستورد السجل من طرف مدير النظام."),
    "register_export": _cap({"manager", "admin"}, "Le registre entier s'exporte au siège.",
                            "يصدّر السجل بكامله من المقر المركزي.", headquarters_only=True),
    "holidays_set": _cap({"manager", "admin"}, "Les jours fériés sont fixés au siège.",
                         "تحدد أيام العطل في المقر المركزي.", headquarters_only=True),
    "notifications_admin": _cap({"admin"}, "Seul un administrateur gère les messages en échec.",
                                "وحده مدير النظام يدبر الرسائل الفاشلة."),
    "dispute_sessions": _cap({"legal", "manager"},
                             "Les séances de médiation sont listées pour les juristes et les responsables.",
                             "جلسات الوساطة معروضة للقانونيين والمسؤولين."),
    "users_manage": _cap({"admin"}, "Seul un administrateur du siège gère les comptes des utilisateurs.",
                         "وحده مدير النظام بالمقر المركزي يدبر حسابات المستخدمين.", headquarters_only=True),
    "settings_read": _cap({"manager", "admin"}, "Les paramètres du bureau se consultent au siège.",
                          "تُطّلع إعدادات المكتب في المقر المركزي.", headquarters_only=True),
    "demo_clock": _cap({"admin"}, "Seul un administrateur avance l'horloge de démonstration.",
                       "وحده مدير النظام يقدّم ساعة العرض."),
}


def may(actor: Actor, capability: str) -> bool:
    if actor.is_system:
        return True
    cap = CAPABILITIES[capability]
    return actor.role in cap.roles and (not cap.headquarters_only or actor.delegation_id is None)


def require(actor: Actor, capability: str) -> None:
    """Refuse (403) anyone the capability is not for."""
    if not may(actor, capability):
        raise NotPermitted(capability.replace("_", " "), CAPABILITIES[capability].refusal)


class NotPermitted(Forbidden):
    """A refusal that says why in both languages (the edge shows `text`)."""

    def __init__(self, what: str, text: Text) -> None:
        super().__init__(f"not permitted: {what}")
        self.text = text


ADMIN_NOT_ON_CASES = Text(
    fr="Les administrateurs gèrent les utilisateurs et les paramètres, pas les dossiers.",
    ar="يدبر مديرو النظام المستخدمين والإعدادات، لا الملفات.",
)


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
