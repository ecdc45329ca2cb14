"""Registration in the central register ([L] Arts. 7-14, [D] Arts. 1-13) and the filings that
change a registration ([L] Art. 12).

A cooperative is registered in the local register kept by the clerk of the court of first
instance, with the name the office approved ([D] Art. 1). The clerk sends a copy of the entry
to the central register within 20 days; the office checks it against the certificate of name
(still valid on the day of the local registration, the same name) and the founding minimums
(5 members, 1,000 dirhams of capital in shares of 100, a quarter paid), then records it with
its national number, or returns it to the clerk with its reasons. A copy that arrives late is
recorded all the same: the cooperative is not at fault, so the lateness is a warning kept in
the case (and counted per court), never a refusal. Recording closes the name case: the
certificate is used.

A change (board, statutes, merger, dissolution) is filed within 30 days of the decision
([L] Art. 12): it is its own filing, against a cooperative already on the register; a late
one is flagged with its reason, and recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, computed_field, model_validator

from rules import registration
from rules.names import script_of
from rules.reasons import Reason, tr
from rules.registration import ChangeKind, MemberKind
from workflows.spec import (
    Context,
    DocumentSpec,
    State,
    Workflow,
    service_level,
    to,
    transition,
)

OFFICERS = {"officer", "manager"}
RECORDING = "register_recording_business_days"


# -- the facts the guards need, loaded by `cases.registration_store` -----------------------------


@dataclass(frozen=True)
class CertificateFact:
    """The name case a registration cites, as the register knows it now. `state` is None
    when no name case has that reference."""

    reference: str
    state: str | None
    granted_name: str | None
    valid_until: datetime | None


@dataclass(frozen=True)
class CooperativeFact:
    """The register entry a change is filed against."""

    id: int
    national_number: str
    status: str


# -- the data each step needs ---------------------------------------------------------------------


class Contact(BaseModel):
    """Whom the office tells what became of the filing: the founders' representative until the
    cooperative is on the register, then the cooperative itself."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"full_name": "Fatima Ait Lahcen", "email": "fatima@example.ma", "language": "ar"},
    ]})

    full_name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32)
    language: Literal["ar", "fr"] = "ar"


class LocalEntry(BaseModel):
    """The clerk's copy of an entry in the local register, as it reaches the office."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "court": "Tribunal de première instance de Tiznit",
            "local_number": "RL-2026-0042",
            "local_registered_on": "2026-04-15",
            "certificate_reference": "NA-2026-000123",
            "name_ar": "تعاونية تيفاوين لإنتاج زيت الأركان",
            "name_fr": "Coopérative Tifawin Argan",
            "member_kind": "natural",
            "members": 12,
            "women_members": 9,
            "capital": 12000,
            "share_value": 100,
            "paid": 3000,
            "province": "Tiznit",
            "sector": "agriculture",
            "applicant": {
                "full_name": "Fatima Ait Lahcen",
                "email": "fatima@example.ma",
                "language": "ar",
            },
            "received_on": "2026-04-28",
        },
    ]})

    court: str = Field(min_length=2, max_length=200, examples=["Tribunal de première instance de Tiznit"])
    local_number: str = Field(min_length=1, max_length=50, description="Number in the local register.")
    local_registered_on: date = Field(description="Day of the entry in the local register.")
    certificate_reference: str = Field(
        pattern=r"^NA-\d{4}-\d{6}$", examples=["NA-2026-000123"],
        description="The office's certificate of name the registration used ([D] Art. 1).",
    )
    name_ar: str = Field(min_length=3, max_length=250)
    name_fr: str = Field(min_length=3, max_length=250)
    member_kind: MemberKind = Field(
        description="natural, legal or mixed persons, or a union: the numbering series 1 to 4.",
    )
    members: int = Field(ge=0, le=1_000_000)
    women_members: int = Field(default=0, ge=0, le=1_000_000)
    capital: int = Field(ge=0, description="Subscribed capital, in dirhams.")
    share_value: int = Field(ge=0, description="Value of one share, in dirhams.")
    paid: int = Field(ge=0, description="Capital paid at subscription, in dirhams.")
    province: str = Field(min_length=2, max_length=100)
    sector: str = Field(min_length=2, max_length=100, examples=["agriculture"])
    applicant: Contact = Field(description="The contact the office answers (email, phone, language).")
    received_on: date = Field(description="Day the copy reached the central register.")

    @model_validator(mode="after")
    def _consistent(self) -> LocalEntry:
        if self.women_members > self.members:
            raise ValueError("more women members than members")
        if self.received_on < self.local_registered_on:
            raise ValueError("the copy cannot reach the office before the local registration")
        return self

    # Computed when the copy arrives, whatever the office then decides: a late transmission
    # is the clerk's, counted per court, and must not wait for the recording to show.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def transmission_delay_days(self) -> int:
        return registration.transmission_delay(
            local_registered_on=self.local_registered_on, received_on=self.received_on
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def transmission_reasons(self) -> list[dict[str, object]]:
        reasons = registration.transmission_reasons(
            local_registered_on=self.local_registered_on, received_on=self.received_on,
            court=self.court,
        )
        return [r.as_dict() for r in reasons]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def late_transmission(self) -> bool:
        return bool(self.transmission_reasons)


class ChangeFiling(BaseModel):
    """A change to a registration, filed with the register: what changed and when it was
    decided, so that its lateness can be told ([L] Art. 12)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {
            "kind": "board",
            "decided_on": "2026-03-10",
            "filed_on": "2026-03-25",
            "court": "Tribunal de première instance de Tiznit",
            "summary": "Renouvellement du conseil d'administration",
        },
    ]})

    kind: ChangeKind
    decided_on: date = Field(description="Day of the decision (general assembly, board).")
    filed_on: date = Field(description="Day the change was filed.")
    court: str | None = Field(default=None, max_length=200)
    summary: str = Field(min_length=3, max_length=2000, description="What changed.")

    @model_validator(mode="after")
    def _ordered(self) -> ChangeFiling:
        if self.filed_on < self.decided_on:
            raise ValueError("a change cannot be filed before it is decided")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lateness_reasons(self) -> list[dict[str, object]]:
        reasons = registration.change_filing_reasons(
            decided_on=self.decided_on, filed_on=self.filed_on, kind=self.kind
        )
        return [r.as_dict() for r in reasons]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def late_filing(self) -> bool:
        return bool(self.lateness_reasons)


class Return(BaseModel):
    """Why the copy goes back to the clerk: read by the clerk and by the cooperative."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reasons": "Le nom inscrit au registre local diffère du nom certifié."},
    ]})

    reasons: str = Field(min_length=5, max_length=2000)


# -- guards and effects: thin adapters from a case to the rules ------------------------------------


def certificate(ctx: Context) -> CertificateFact:
    fact: CertificateFact = ctx.facts["certificate"]
    return fact


def registered_name(data: Mapping[str, Any], granted: str | None) -> str:
    """The registered name to hold against the granted one: the one in the same script (a
    certificate grants one name, the register keeps an Arabic and a French one)."""
    if granted is not None and script_of(granted) == "ar":
        return str(data["name_ar"])
    return str(data["name_fr"])


def certificate_covers_registration(ctx: Context) -> Iterable[Reason]:
    cert = certificate(ctx)
    data = ctx.case.data
    return registration.certificate_reasons(
        certificate_state=cert.state,
        granted_name=cert.granted_name,
        registered_name=registered_name(data, cert.granted_name),
        valid_until=cert.valid_until,
        local_registered_on=date.fromisoformat(data["local_registered_on"]),
    )


def founding_minimums_met(ctx: Context) -> Iterable[Reason]:
    data = ctx.case.data
    return registration.founding_reasons(
        members=data["members"], capital=data["capital"], share_value=data["share_value"],
        paid=data["paid"],
    )


def keep_certificate(ctx: Context) -> Mapping[str, Any]:
    """What the certificate said when the registration was recorded, and the link to its
    case: the name case moves on (used), the registration keeps what it was checked against."""
    cert = certificate(ctx)
    links = [*ctx.case.data.get("links", ()), {"reference": cert.reference, "relation": "name_certificate"}]
    return {
        "granted_name": cert.granted_name,
        "certificate": {
            "reference": cert.reference,
            "state": cert.state,
            "granted_name": cert.granted_name,
            "valid_until": cert.valid_until.isoformat() if cert.valid_until else None,
        },
        "links": links,
    }


def cooperative_on_register(ctx: Context) -> Iterable[Reason]:
    coop: CooperativeFact | None = ctx.facts.get("cooperative")
    return registration.change_target_reasons(
        national_number=coop.national_number if coop else None,
        status=coop.status if coop else None,
    )


def record_return(ctx: Context) -> Mapping[str, Any]:
    """Kept as the case's refusal reason, which its messages quote."""
    assert isinstance(ctx.payload, Return)
    return {"refusal_reason": ctx.payload.reasons}


# -- the definitions -----------------------------------------------------------------------------

ON_RECEIPT = tr(fr="la réception de la copie au registre central", ar="توصل السجل المركزي بالنسخة")

RECEIVED_WAITS = service_level("recording", RECORDING, event=ON_RECEIPT)
# What the founding file holds ([L] Arts. 7-14): the clerk's copy of the entry, statutes
# signed by all founders, capital paid into a blocked bank account.
FOUNDING_DOCUMENTS = (
    DocumentSpec("register_entry", tr(fr="Copie de l'inscription au registre local",
                                      ar="نسخة من التقييد في السجل المحلي")),
    DocumentSpec("statutes", tr(fr="Statuts signés par tous les fondateurs",
                                ar="النظام الأساسي موقعا من جميع المؤسسين")),
    DocumentSpec("capital_certificate", tr(fr="Attestation bancaire de dépôt du capital libéré",
                                           ar="شهادة بنكية بإيداع رأس المال المحرر")),
)
CHANGE_DOCUMENTS = (  # [L] Art. 12
    DocumentSpec("register_entry", tr(fr="Copie de l'inscription modificative au registre local",
                                      ar="نسخة من التقييد التعديلي في السجل المحلي")),
    DocumentSpec("decision_minutes", tr(fr="Procès-verbal de la décision de modification",
                                        ar="محضر قرار التغيير")),
)
RETURN_TITLE = tr(fr="Retourner au greffe avec les motifs", ar="إرجاع إلى كتابة الضبط مع بيان الأسباب")

REGISTRATION = Workflow(
    key="registration",
    version=1,
    title=tr(fr="Inscription au registre central", ar="التقييد في السجل المركزي"),
    prefix="RG",
    initial="received",
    opening=LocalEntry,
    facts=("certificate",),
    states=(
        State(
            "received",
            tr(fr="Copie reçue du registre local", ar="نسخة مستلمة من السجل المحلي"),
            next_step=tr(fr="L'Office vérifie l'immatriculation et l'inscrit au registre central.",
                         ar="يتحقق المكتب من التسجيل ويقيده في السجل المركزي."),
            deadlines=(RECEIVED_WAITS,),
            documents=FOUNDING_DOCUMENTS,
        ),
        State("recorded", tr(fr="Inscrite au registre central", ar="مقيدة في السجل المركزي"), final=True),
        State("returned", tr(fr="Retournée au greffe", ar="مرجعة إلى كتابة الضبط"), final=True),
    ),
    transitions=(
        transition(
            "record", source="received", dest="recorded",
            title=tr(fr="Inscrire au registre central", ar="التقييد في السجل المركزي"),
            roles=OFFICERS,
            guards=(certificate_covers_registration, founding_minimums_met),
            effects=(keep_certificate,),
            notify=(to("applicant", "registration_recorded"),),
        ),
        transition(
            "return_to_clerk", source="received", dest="returned", title=RETURN_TITLE,
            roles=OFFICERS, data=Return, effects=(record_return,),
            notify=(to("applicant", "registration_returned"),),
        ),
    ),
)

REGISTRATION_CHANGE = Workflow(
    key="registration_change",
    version=1,
    title=tr(fr="Modification d'une inscription", ar="تغيير في التقييد"),
    prefix="RC",
    initial="received",
    opening=ChangeFiling,
    facts=("cooperative",),
    states=(
        State(
            "received",
            tr(fr="Modification reçue", ar="تغيير مستلم"),
            next_step=tr(fr="L'Office inscrit la modification au registre central.",
                         ar="يقيد المكتب التغيير في السجل المركزي."),
            deadlines=(RECEIVED_WAITS,),
            documents=CHANGE_DOCUMENTS,
        ),
        State("recorded", tr(fr="Modification inscrite", ar="تغيير مقيد"), final=True),
        State("returned", tr(fr="Retournée au greffe", ar="مرجعة إلى كتابة الضبط"), final=True),
    ),
    transitions=(
        transition(
            "record", source="received", dest="recorded",
            title=tr(fr="Inscrire la modification", ar="تقييد التغيير"),
            roles=OFFICERS, guards=(cooperative_on_register,),
            notify=(to("applicant", "change_recorded"),),
        ),
        transition(
            "return_to_clerk", source="received", dest="returned", title=RETURN_TITLE,
            roles=OFFICERS, data=Return, effects=(record_return,),
            notify=(to("applicant", "change_returned"),),
        ),
    ),
)
