"""Certificate of name (certificat négatif): Law 112-12 Art. 7, decree 2-15-617 Arts. 3-4.

At least 5 founders ask for up to 3 names in order of preference; the office decides within
2 days; the first available name is granted; the certificate is valid 60 full days for
registration in a local register, and may be extended once for 60 more days if all
signatories ask within 7 full days after it expired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from rules import certificates
from rules.calendar import local_day
from rules.names import NameVerdict
from rules.phones import InvalidPhone, e164
from rules.reasons import Reason, Text, decree, law, tr
from workflows.spec import (
    FULL_DAYS,
    Context,
    Deadline,
    DocumentSpec,
    Reminder,
    Setting,
    State,
    Workflow,
    escalate_to,
    fire,
    service_level,
    to,
    transition,
)

MIN_FOUNDERS = 5  # [L] Art. 7
MAX_NAMES = 3  # [L] Art. 7, [D] Art. 3

OFFICERS = {"officer", "manager"}


# -- the data each step needs -------------------------------------------------------------


class Applicant(BaseModel):
    """The founders' representative, who receives the office's answers."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "full_name": "Fatima Ait Lahcen",
            "email": "fatima@example.ma",
            "phone": "0612345678",
            "language": "ar",
        },
    ]})

    full_name: str = Field(min_length=2, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32, examples=["0612345678"])
    language: Literal["ar", "fr"] = "ar"

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        """Refused where it is typed, kept in the form the SMS gateway takes (+2126...)."""
        if value is None or not value.strip():
            return None
        try:
            return e164(value)
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from exc


class NameRequest(BaseModel):
    """The official request form ([D] Art. 3)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "names": ["تعاونية تيفاوين لإنتاج زيت الأركان", "Coopérative Tifawin Argan"],
            "founders": [
                "Fatima Ait Lahcen",
                "Aicha Oubella",
                "Khadija Amrani",
                "Zahra Boutaleb",
                "Malika Id Bella",
            ],
            "sector": "agriculture",
            "purpose": "production et commercialisation de l'huile d'argan",
            "province": "Tiznit",
            "applicant": {
                "full_name": "Fatima Ait Lahcen",
                "email": "fatima@example.ma",
                "phone": "0612345678",
                "language": "ar",
            },
        },
    ]})

    names: list[str] = Field(
        min_length=1,
        max_length=MAX_NAMES,
        description="Up to 3 proposed names, in order of preference ([L] Art. 7).",
        examples=[["تعاونية الأمل لإنتاج زيت الأركان", "Coopérative Tifawin"]],
    )
    founders: list[str] = Field(
        min_length=1,
        max_length=500,
        description="The founders who sign the request (at least 5 for a decision, [L] Art. 7).",
    )
    sector: str = Field(min_length=2, max_length=100, examples=["agriculture"])
    purpose: str = Field(min_length=2, max_length=500, examples=["production d'huile d'argan"])
    province: str = Field(min_length=2, max_length=100, examples=["Tiznit"])
    applicant: Applicant

    @field_validator("names")
    @classmethod
    def _names_not_blank(cls, names: list[str]) -> list[str]:
        cleaned = [n.strip() for n in names]
        if any(len(n) < 3 or len(n) > 200 for n in cleaned):
            raise ValueError("each name has 3 to 200 characters")
        return cleaned


class Approval(BaseModel):
    """The officer's decision on names that are close to existing ones."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"accept_similar": ["Coopérative Tifawin Argan"], "note": "Nom distinct par son objet."},
    ]})

    accept_similar: list[str] = Field(
        default_factory=list,
        description="Proposed names judged acceptable although close to existing names.",
    )
    reject_similar: list[str] = Field(
        default_factory=list,
        description="Proposed names refused because they are too close to existing names.",
    )
    note: str | None = Field(default=None, max_length=2000)


class Refusal(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Les trois noms proposés sont déjà attribués dans la province."},
    ]})

    reason: str = Field(min_length=5, max_length=2000)


class Referral(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"note": "Le nom contient le mot « national » : avis du responsable."},
    ]})

    note: str = Field(min_length=2, max_length=2000)


class ExtensionRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"requested_on": "2026-04-20", "all_signatories": True},
    ]})

    requested_on: date = Field(description="The day all signatories asked for the extension.")
    all_signatories: bool = Field(description="The request is signed by every signatory.")


class RegistrationUse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "court": "Tribunal de première instance de Tiznit",
            "local_number": "RL-2026-0042",
            "registered_on": "2026-04-15",
        },
    ]})

    court: str = Field(min_length=2, max_length=200)
    local_number: str = Field(min_length=1, max_length=50)
    registered_on: date


class Withdrawal(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"note": "Les fondateurs renoncent au projet."},
    ]})

    note: str | None = Field(default=None, max_length=2000)


# -- guards and effects: thin adapters from a case to the rules ----------------------------


def verdicts(ctx: Context) -> Sequence[NameVerdict]:
    return ctx.facts.get("verdicts", ())


def enough_founders(ctx: Context) -> Iterable[Reason]:
    count = len(ctx.case.data.get("founders", ()))
    if count < MIN_FOUNDERS:
        yield Reason(
            "too_few_founders",
            Text(
                fr=f"La demande doit être signée par au moins {MIN_FOUNDERS} fondateurs ; elle en compte {count}.",
                ar=f"يجب أن يوقع الطلب {MIN_FOUNDERS} مؤسسين على الأقل؛ وعدد الموقعين {count}.",
            ),
            law(7),
        )


def _choice(ctx: Context) -> tuple[NameVerdict | None, list[Reason]]:
    """The name to grant: the first, in order of preference, that is available, or close
    to an existing name and accepted by the officer. Names close to existing ones that the
    officer has not yet judged stop the search: the officer must look at the matches."""
    payload = ctx.payload if isinstance(ctx.payload, Approval) else None
    accepted = set(payload.accept_similar) if payload else set()
    rejected = set(payload.reject_similar) if payload else set()
    pending: list[Reason] = []
    for verdict in verdicts(ctx):
        if verdict.status == "available":
            return verdict, pending
        if verdict.status == "too_like":
            if verdict.name in accepted:
                return verdict, pending
            if verdict.name not in rejected:
                pending.extend(r for r in verdict.reasons if r.code == "name_too_like")
                return None, pending
    return None, pending


def a_name_can_be_granted(ctx: Context) -> Iterable[Reason]:
    granted, pending = _choice(ctx)
    if granted is not None:
        return
    if pending:
        yield from pending
        return
    yield Reason(
        "no_name_available",
        Text(
            fr="Aucun des noms proposés ne peut être accordé.",
            ar="لا يمكن منح أي من الأسماء المقترحة.",
        ),
        law(7),
    )
    for verdict in verdicts(ctx):
        yield from (r for r in verdict.reasons if r.code != "name_sensitive_words")


def sensitive_words_cleared(ctx: Context) -> Iterable[Reason]:
    granted, _ = _choice(ctx)
    if granted is None or not granted.sensitive or ctx.actor.role == "manager":
        return
    yield Reason(
        "sensitive_words_need_manager",
        Text(
            fr=f"Le nom « {granted.name} » contient des mots sensibles ({', '.join(granted.sensitive)}) : "
            "seul un responsable peut l'accorder.",
            ar=f"يتضمن الاسم «{granted.name}» كلمات حساسة ({'، '.join(granted.sensitive)}): "
            "لا يمنحه إلا المسؤول.",
        ),
    )


def grant(ctx: Context) -> Mapping[str, Any]:
    granted, _ = _choice(ctx)
    assert granted is not None  # guarded by a_name_can_be_granted
    issued = ctx.now.isoformat()
    return {"granted_name": granted.name, "certificate_issued_at": issued, "validity_from": issued}


def record_refusal(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, Refusal)
    return {"refusal_reason": ctx.payload.reason}


def mark_expired(ctx: Context) -> Mapping[str, Any]:
    """The certificate expired when its period ended, not when the scheduler noticed."""
    return {"expired_at": ctx.case.data["due"]["certificate_validity"]}


def extension_allowed(ctx: Context) -> Iterable[Reason]:
    if not isinstance(ctx.payload, ExtensionRequest):
        return []
    return certificates.extension_reasons(
        expired_at=datetime.fromisoformat(ctx.case.data["expired_at"]),
        requested_on=ctx.payload.requested_on,
        all_signatories=ctx.payload.all_signatories,
        already_extended=bool(ctx.case.data.get("extended")),
    )


def extend(ctx: Context) -> Mapping[str, Any]:
    """The extension adds 60 days after the original period's last day ([D] Art. 4)."""
    validity_from = datetime.fromisoformat(ctx.case.data["validity_from"])
    return {
        "extended": True,
        "validity_from": (validity_from + timedelta(days=certificates.VALIDITY_DAYS)).isoformat(),
    }


def registered_while_valid(ctx: Context) -> Iterable[Reason]:
    """The local registration must fall within the certificate's validity ([D] Art. 4),
    even when its copy reaches the office after the certificate expired."""
    if not isinstance(ctx.payload, RegistrationUse):
        return []
    ends = ctx.case.data.get("expired_at") or ctx.case.data.get("due", {}).get("certificate_validity")
    if ends is None:
        return []
    last = local_day(datetime.fromisoformat(ends)) - timedelta(days=1)
    if ctx.payload.registered_on <= last:
        return []
    return [Reason(
        "registered_after_expiry",
        Text(fr=f"L'immatriculation du {ctx.payload.registered_on.isoformat()} est postérieure à la fin de "
                f"validité du certificat ({last.isoformat()}).",
             ar=f"التقييد بتاريخ {ctx.payload.registered_on.isoformat()} لاحق لانتهاء صلاحية الشهادة "
                f"({last.isoformat()})."),
        decree(4),
    )]


def record_use(ctx: Context) -> Mapping[str, Any]:
    assert isinstance(ctx.payload, RegistrationUse)
    return {"registration": ctx.payload.model_dump(mode="json")}


# -- the definition ------------------------------------------------------------------------

ON_REQUEST = tr(fr="la réception de la demande", ar="تسلم الطلب")
ON_REFERRAL = tr(fr="la transmission au responsable", ar="الإحالة على المسؤول")
ON_ISSUE = tr(fr="la délivrance du certificat", ar="تسليم الشهادة")
ON_EXPIRY = tr(fr="l'expiration du certificat", ar="انتهاء صلاحية الشهادة")

NAME_APPROVAL = Workflow(
    key="name_approval",
    version=1,
    title=tr(fr="Certificat de dénomination", ar="شهادة التسمية"),
    prefix="NA",
    initial="submitted",
    opening=NameRequest,
    facts=("verdicts",),
    on_open=(to("applicant", "request_received"),),
    states=(
        State(
            "submitted",
            tr(fr="Demande reçue", ar="طلب مستلم"),
            next_step=tr(fr="L'Office examine les noms proposés et décide dans les 2 jours.",
                         ar="يدرس المكتب الأسماء المقترحة ويبت فيها داخل أجل يومين."),
            deadlines=(
                Deadline(
                    "decision", 2, FULL_DAYS, law(7), escalate_to("managers"),
                    event=ON_REQUEST, runs_through=("manager_review",), warn=True,
                ),
            ),
            documents=(  # [D] Art. 3: the official form, signed by the founders
                DocumentSpec("request_form", tr(fr="Formulaire de demande signé par les fondateurs",
                                                ar="استمارة الطلب موقعة من المؤسسين")),
                DocumentSpec("founders_ids", tr(fr="Copies des cartes d'identité des fondateurs",
                                                ar="نسخ البطائق الوطنية للتعريف للمؤسسين")),
            ),
        ),
        State(
            "manager_review",
            tr(fr="Soumise au responsable", ar="معروض على المسؤول"),
            next_step=tr(fr="Un responsable de l'Office examine le nom proposé.",
                         ar="يدرس مسؤول بالمكتب الاسم المقترح."),
            deadlines=(service_level("manager_review", "manager_review_business_days", event=ON_REFERRAL),),
        ),
        State(
            "approved",
            tr(fr="Certificat délivré", ar="الشهادة مسلمة"),
            next_step=tr(fr="Déposez le dossier de constitution au registre local avant la fin de validité du certificat.",
                         ar="أودعوا ملف التأسيس بالسجل المحلي قبل انتهاء صلاحية الشهادة."),
            deadlines=(
                Deadline(
                    "certificate_validity", certificates.VALIDITY_DAYS, FULL_DAYS, decree(4),
                    fire("expire"), event=ON_ISSUE, anchor="validity_from",
                ),
            ),
            reminders=(
                Reminder(
                    "certificate_validity", Setting("certificate_reminder_days"),
                    to="applicant", template="certificate_expiring",
                ),
            ),
        ),
        State(
            "expired",
            tr(fr="Certificat expiré (prorogation possible)", ar="شهادة منتهية الصلاحية (التمديد ممكن)"),
            next_step=tr(fr="Tous les signataires peuvent demander une prorogation de 60 jours dans les 7 jours suivant l'expiration.",
                         ar="يمكن لجميع الموقعين طلب تمديد لمدة 60 يوما داخل 7 أيام الموالية لانتهاء الصلاحية."),
            deadlines=(
                Deadline(
                    "extension_window", certificates.EXTENSION_WINDOW_DAYS, FULL_DAYS, decree(4),
                    fire("close_unextended"), event=ON_EXPIRY, anchor="expired_at",
                ),
            ),
        ),
        State("used", tr(fr="Utilisé pour l'immatriculation", ar="استعملت للتقييد"), final=True),
        State("refused", tr(fr="Refusée", ar="مرفوض"), final=True),
        State("lapsed", tr(fr="Caduc (non prorogé)", ar="ملغاة (لم تمدد)"), final=True),
        State("withdrawn", tr(fr="Retirée", ar="مسحوب"), final=True),
    ),
    transitions=(
        transition(
            "approve", source=("submitted", "manager_review"), dest="approved",
            title=tr(fr="Accorder le nom", ar="منح الاسم"), roles=OFFICERS, data=Approval,
            guards=(enough_founders, a_name_can_be_granted, sensitive_words_cleared),
            effects=(grant,), notify=(to("applicant", "name_approved"),),
        ),
        transition(
            "refer", source="submitted", dest="manager_review",
            title=tr(fr="Soumettre au responsable", ar="عرض على المسؤول"),
            roles={"officer"}, data=Referral, notify=(to("managers", "name_referred"),),
        ),
        transition(
            "refuse", source=("submitted", "manager_review"), dest="refused",
            title=tr(fr="Refuser la demande", ar="رفض الطلب"), roles=OFFICERS, data=Refusal,
            effects=(record_refusal,), notify=(to("applicant", "name_refused"),),
        ),
        transition(
            "withdraw", source=("submitted", "manager_review"), dest="withdrawn",
            title=tr(fr="Retrait à la demande des fondateurs", ar="سحب بطلب من المؤسسين"),
            roles=OFFICERS, data=Withdrawal,
        ),
        transition(
            "expire", source="approved", dest="expired",
            title=tr(fr="Expiration du certificat", ar="انتهاء صلاحية الشهادة"),
            roles={"system"}, effects=(mark_expired,),
            notify=(to("applicant", "certificate_expired"),),
        ),
        transition(
            "extend", source="expired", dest="approved",
            title=tr(fr="Proroger le certificat (60 jours)", ar="تمديد الشهادة (60 يوما)"),
            roles=OFFICERS, data=ExtensionRequest, guards=(extension_allowed,),
            effects=(extend,), notify=(to("applicant", "certificate_extended"),),
        ),
        transition(
            "close_unextended", source="expired", dest="lapsed",
            title=tr(fr="Clôture faute de prorogation", ar="إغلاق لعدم التمديد"),
            roles={"system"},
        ),
        transition(
            "use", source=("approved", "expired"), dest="used",
            title=tr(fr="Immatriculation au registre local", ar="التقييد في السجل المحلي"),
            roles={"officer", "manager", "system"}, data=RegistrationUse,
            guards=(registered_while_valid,), effects=(record_use,),
        ),
    ),
)
