"""Control of cooperatives: which ones to audit first, and the law's periods after a report
with findings ([L] Arts. 78, 99).

The office checks that cooperatives are managed lawfully. Where a report finds mismanagement
or violations, the office requires an extraordinary general assembly within 30 days of the
report's filing; if, within 6 months of that assembly, the measures prove ineffective, it
asks the court to strike the cooperative off the register ([L] Art. 78, as the law page
places these rules). Obstructing an inquiry is an offence ([L] Art. 99).

The law says nothing about how to choose the cooperatives to audit, nor how long a
cooperative has to hand over its documents or answer a draft report: those are office
policy, passed in as `RiskWeights` and `AuditPolicy`, whose defaults are the named constants
below and which the settings layer fills.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rules.assemblies import months_after
from rules.reasons import Reason, Text, internal, law

CONTROL = law(78)
OBSTRUCTION = law(99)

EXTRAORDINARY_ASSEMBLY_DAYS = 30  # after the report's filing, [L] Art. 78
MONITORING_MONTHS = 6  # after that assembly, [L] Art. 78
OBSTRUCTION_FINE_MIN_MAD = 50_000  # [L] Art. 99
OBSTRUCTION_FINE_MAX_MAD = 100_000  # [L] Art. 99

# --- office defaults (not law) ----------------------------------------------------------------
# Starting values of the office settings of the same names; the judging code always receives
# them from the caller.
DEFAULT_DOCUMENT_REQUEST_DAYS = 15
DEFAULT_DRAFT_ANSWER_DAYS = 15

DEFAULT_POINTS_PER_OVERDUE_ASSEMBLY = 20
DEFAULT_MAX_OVERDUE_ASSEMBLY_POINTS = 40
DEFAULT_POINTS_PER_LATE_FILING = 10
DEFAULT_MAX_LATE_FILING_POINTS = 20
DEFAULT_POINTS_PER_OPEN_DISPUTE = 10
DEFAULT_MAX_OPEN_DISPUTE_POINTS = 20
DEFAULT_POINTS_PER_PAST_FINDING = 15
DEFAULT_MAX_PAST_FINDING_POINTS = 30
DEFAULT_NEVER_AUDITED_POINTS = 20
DEFAULT_POINTS_PER_YEAR_WITHOUT_AUDIT = 5
DEFAULT_MAX_YEARS_WITHOUT_AUDIT_POINTS = 20
DEFAULT_LARGE_COOPERATIVE_MEMBERS = 100
DEFAULT_LARGE_COOPERATIVE_POINTS = 10

MAX_SCORE = 100


@dataclass(frozen=True)
class AuditPolicy:
    """The office's own time limits in an audit (the law sets none).

    `document_request_days`: for the cooperative to hand over the documents asked for;
    `draft_answer_days`: for the cooperative to answer the draft report."""

    document_request_days: int = DEFAULT_DOCUMENT_REQUEST_DAYS
    draft_answer_days: int = DEFAULT_DRAFT_ANSWER_DAYS

    def __post_init__(self) -> None:
        for name in ("document_request_days", "draft_answer_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least one day")


DOCUMENT_REQUEST = internal("audit_document_request_days")
DRAFT_ANSWER = internal("audit_draft_answer_days")


# --- risk score ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CooperativeRecord:
    """What the office knows of a cooperative when it plans its controls.

    `years_since_last_audit` is None for a cooperative never audited."""

    overdue_assemblies: int
    late_filings: int
    open_disputes: int
    past_findings: int
    years_since_last_audit: float | None
    members: int


@dataclass(frozen=True)
class RiskWeights:
    """How much each sign of trouble weighs in the planning score (office policy).

    Each count earns its points per occurrence, up to its cap, so that one kind of trouble
    cannot fill the whole score; the total is capped at 100."""

    points_per_overdue_assembly: int = DEFAULT_POINTS_PER_OVERDUE_ASSEMBLY
    max_overdue_assembly_points: int = DEFAULT_MAX_OVERDUE_ASSEMBLY_POINTS
    points_per_late_filing: int = DEFAULT_POINTS_PER_LATE_FILING
    max_late_filing_points: int = DEFAULT_MAX_LATE_FILING_POINTS
    points_per_open_dispute: int = DEFAULT_POINTS_PER_OPEN_DISPUTE
    max_open_dispute_points: int = DEFAULT_MAX_OPEN_DISPUTE_POINTS
    points_per_past_finding: int = DEFAULT_POINTS_PER_PAST_FINDING
    max_past_finding_points: int = DEFAULT_MAX_PAST_FINDING_POINTS
    never_audited_points: int = DEFAULT_NEVER_AUDITED_POINTS
    points_per_year_without_audit: int = DEFAULT_POINTS_PER_YEAR_WITHOUT_AUDIT
    max_years_without_audit_points: int = DEFAULT_MAX_YEARS_WITHOUT_AUDIT_POINTS
    large_cooperative_members: int = DEFAULT_LARGE_COOPERATIVE_MEMBERS
    large_cooperative_points: int = DEFAULT_LARGE_COOPERATIVE_POINTS

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"risk weight {name} cannot be negative: {value}")


Factor = tuple[Text, int]


@dataclass(frozen=True)
class RiskScore:
    """A planning score, 0 to 100, and the factors that make it up, largest first, so that a
    planner sees why a cooperative comes before another. The factors' points may add up to
    more than the score, which is capped at 100."""

    score: int
    factors: tuple[Factor, ...]

    @property
    def explanation(self) -> Text:
        if not self.factors:
            return Text(fr="Aucun signe de risque connu.", ar="لا توجد أي مؤشرات خطر معروفة.")
        return Text(
            fr=" ; ".join(f"{text.fr} (+{points})" for text, points in self.factors),
            ar="؛ ".join(f"{text.ar} (+{points})" for text, points in self.factors),
        )


def _capped(count: int, per: int, cap: int) -> int:
    return min(count * per, cap)


def risk_score(record: CooperativeRecord, weights: RiskWeights) -> RiskScore:
    """The cooperative's planning score under the office's weights, with its reasons."""
    w = weights
    r = record
    for name in ("overdue_assemblies", "late_filings", "open_disputes", "past_findings"):
        if getattr(r, name) < 0:
            raise ValueError(f"{name} cannot be negative")
    factors: list[Factor] = []

    def add(points: int, text: Text) -> None:
        if points > 0:
            factors.append((text, points))

    add(
        _capped(r.overdue_assemblies, w.points_per_overdue_assembly, w.max_overdue_assembly_points),
        Text(
            fr=f"{r.overdue_assemblies} assemblée(s) générale(s) non tenue(s) dans les délais",
            ar=f"جموع عامة لم تعقد داخل الأجل: {r.overdue_assemblies}",
        ),
    )
    add(
        _capped(r.late_filings, w.points_per_late_filing, w.max_late_filing_points),
        Text(
            fr=f"{r.late_filings} dépôt(s) au registre effectué(s) en retard",
            ar=f"إيداعات بالسجل تمت بتأخير: {r.late_filings}",
        ),
    )
    add(
        _capped(r.open_disputes, w.points_per_open_dispute, w.max_open_dispute_points),
        Text(
            fr=f"{r.open_disputes} litige(s) en cours",
            ar=f"نزاعات جارية: {r.open_disputes}",
        ),
    )
    add(
        _capped(r.past_findings, w.points_per_past_finding, w.max_past_finding_points),
        Text(
            fr=f"{r.past_findings} constat(s) d'irrégularité lors de contrôles précédents",
            ar=f"مخالفات سجلت في مراقبات سابقة: {r.past_findings}",
        ),
    )
    if r.years_since_last_audit is None:
        add(
            w.never_audited_points,
            Text(fr="jamais contrôlée", ar="لم تخضع لأي مراقبة من قبل"),
        )
    else:
        if r.years_since_last_audit < 0:
            raise ValueError("years_since_last_audit cannot be negative")
        years = int(r.years_since_last_audit)
        add(
            _capped(years, w.points_per_year_without_audit, w.max_years_without_audit_points),
            Text(
                fr=f"dernier contrôle il y a {years} an(s)",
                ar=f"عدد السنوات منذ آخر مراقبة: {years}",
            ),
        )
    if r.members >= w.large_cooperative_members:
        add(
            w.large_cooperative_points,
            Text(
                fr=f"coopérative de {r.members} membres (au moins {w.large_cooperative_members})",
                ar=f"تعاونية عدد أعضائها {r.members} ({w.large_cooperative_members} على الأقل)",
            ),
        )
    ordered = tuple(sorted(factors, key=lambda f: f[1], reverse=True))
    return RiskScore(min(MAX_SCORE, sum(p for _, p in ordered)), ordered)


def planning_order(
    records: Mapping[str, CooperativeRecord], weights: RiskWeights
) -> list[tuple[str, RiskScore]]:
    """The cooperatives by planning priority, highest score first; equal scores keep the
    order in which they were given (the caller decides, e.g. by reference)."""
    scored = [(ref, risk_score(record, weights)) for ref, record in records.items()]
    return sorted(scored, key=lambda item: item[1].score, reverse=True)


# --- after a report with findings -----------------------------------------------------------


def extraordinary_assembly_due(report_filed_on: date) -> date:
    """The last day for the extraordinary general assembly the office requires after a
    report with findings: 30 full days after the report's filing."""
    return report_filed_on + timedelta(days=EXTRAORDINARY_ASSEMBLY_DAYS)


def monitoring_end(assembly_on: date) -> date:
    """The last day of the 6 months in which the measures decided by that assembly are
    watched; after it, ineffective measures lead to a strike-off request."""
    return months_after(assembly_on, MONITORING_MONTHS)


def obstruction_reason() -> Reason:
    """Recorded when a cooperative obstructs an inquiry."""
    return Reason(
        "audit_obstructed",
        Text(
            fr="Faire obstacle à un contrôle de l'Office (refus de recevoir les contrôleurs, de "
            "communiquer les documents demandés ou de répondre) est une infraction punie par "
            "l'article 99 de la loi 112-12 d'une peine d'emprisonnement et/ou d'une amende de "
            "50 000 à 100 000 dirhams.",
            ar="عرقلة مراقبة المكتب (رفض استقبال المراقبين أو تسليم الوثائق المطلوبة أو "
            "الجواب) مخالفة يعاقب عليها بموجب المادة 99 من القانون 112.12 بالحبس و/أو بغرامة من "
            "50.000 إلى 100.000 درهم.",
        ),
        OBSTRUCTION,
    )


def strike_off_reasons(*, measures_effective: bool, monitoring_ended: bool) -> list[Reason]:
    """Why a strike-off request may not be prepared yet; empty when it may: the 6 months of
    monitoring after the extraordinary assembly are over and the measures proved
    ineffective."""
    reasons: list[Reason] = []
    if not monitoring_ended:
        reasons.append(
            Reason(
                "strike_off_monitoring_not_ended",
                Text(
                    fr="Les six mois de suivi qui suivent l'assemblée générale extraordinaire ne "
                    "sont pas écoulés : la coopérative a jusqu'à leur terme pour redresser la "
                    "situation.",
                    ar="لم تنقض بعد الأشهر الستة للتتبع الموالية للجمع العام الاستثنائي: "
                    "للتعاونية أجل إلى نهايتها لتصحيح الوضعية.",
                ),
                CONTROL,
            )
        )
    if measures_effective:
        reasons.append(
            Reason(
                "strike_off_measures_effective",
                Text(
                    fr="Les mesures décidées par l'assemblée générale extraordinaire ont produit "
                    "leur effet : il n'y a pas lieu de demander la radiation de la coopérative.",
                    ar="أعطت التدابير التي قررها الجمع العام الاستثنائي مفعولها: لا داعي لطلب "
                    "التشطيب على التعاونية.",
                ),
                CONTROL,
            )
        )
    return reasons


# --- the report and what follows it ----------------------------------------------------------------


def report_filing_reasons(*, answered: bool, answer_due_on: date, today: date) -> list[Reason]:
    """Why the report cannot be filed yet: the cooperative has been sent the draft and may
    still answer it. The report is filed once it has answered, or once the office's answer
    period is over (its last day `answer_due_on` has ended)."""
    if answered or today > answer_due_on:
        return []
    return [
        Reason(
            "audit_draft_answer_pending",
            Text(
                fr=f"La coopérative peut répondre au projet de rapport jusqu'au "
                f"{answer_due_on.isoformat()} inclus : le rapport sera déposé après sa réponse "
                f"ou à l'expiration de ce délai.",
                ar=f"يحق للتعاونية الجواب على مشروع التقرير إلى غاية {answer_due_on.isoformat()}: "
                f"يودع التقرير بعد جوابها أو بعد انقضاء هذا الأجل.",
            ),
            DRAFT_ANSWER,
        )
    ]


def recommendation_reasons(*, number: int, statuses: Mapping[int, str]) -> list[Reason]:
    """Why a recommendation cannot be marked as carried out: there is no such number, or it
    already is."""
    status = statuses.get(number)
    if status is None:
        return [
            Reason(
                "audit_recommendation_unknown",
                Text(
                    fr=f"Le rapport ne contient pas de recommandation n° {number} (numéros : "
                    f"{', '.join(str(n) for n in sorted(statuses)) or 'aucun'}).",
                    ar=f"لا يتضمن التقرير توصية تحمل الرقم {number} (الأرقام: "
                    f"{'، '.join(str(n) for n in sorted(statuses)) or 'لا شيء'}).",
                ),
                CONTROL,
            )
        ]
    if status == "done":
        return [
            Reason(
                "audit_recommendation_already_done",
                Text(
                    fr=f"La recommandation n° {number} est déjà enregistrée comme mise en œuvre.",
                    ar=f"التوصية رقم {number} مسجلة من قبل كتوصية منفذة.",
                ),
                CONTROL,
            )
        ]
    return []


def open_recommendations_reasons(open_numbers: Sequence[int]) -> list[Reason]:
    """Why the measures cannot be judged effective: recommendations still open."""
    if not open_numbers:
        return []
    listed = ", ".join(str(n) for n in open_numbers)
    return [
        Reason(
            "audit_recommendations_open",
            Text(
                fr=f"Des recommandations du rapport ne sont pas mises en œuvre (n° {listed}) : "
                f"les mesures ne peuvent pas être jugées efficaces.",
                ar=f"لم تنفذ بعد توصيات من التقرير (الأرقام: {listed}): لا يمكن اعتبار التدابير "
                f"ناجعة.",
            ),
            CONTROL,
        )
    ]


def open_audit_reasons(open_reference: str | None) -> list[Reason]:
    """Why a control cannot be planned: one is already under way for this cooperative."""
    if open_reference is None:
        return []
    return [
        Reason(
            "audit_already_open",
            Text(
                fr=f"Un contrôle de cette coopérative est déjà en cours (dossier {open_reference}).",
                ar=f"توجد مراقبة جارية لهذه التعاونية (الملف {open_reference}).",
            ),
        )
    ]
