"""Configuration from `COOPFLOW_` environment variables or a `.env` file.

Office policy numbers (service levels, thresholds) live here too, never as literals in the
code: the law's own numbers are in the definitions, with their articles.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from rules import disputes


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COOPFLOW_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///./coopflow.db",
        description="SQLite file (embedded default) or postgresql+psycopg://user:pw@host/db",
    )
    secret_key: SecretStr = Field(
        default=SecretStr("dev-only-secret-change-me-in-production-0123456789"),
        description="Signs the access tokens; set a long random value in production.",
    )
    token_minutes: int = Field(default=480, ge=1, description="Lifetime of an access token.")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = "ODCO <no-reply@odco.example>"

    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="Per SMTP command.")

    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_gateway_timeout_seconds: float = Field(
        default=10.0, gt=0, description="A gateway slower than this is a transient failure."
    )
    sms_concurrency: int = Field(default=8, ge=1, description="SMS requests in flight at once.")

    outbox_batch_size: int = Field(
        default=100, ge=1, description="Messages claimed at once (one SMTP connection each)."
    )
    outbox_lease_seconds: float = Field(
        default=600.0, gt=0,
        description="How long a claim holds; a stopped worker's messages come back after it.",
    )
    outbox_max_attempts: int = Field(
        default=8, ge=1, description="Transient failures after which a message is failed."
    )
    outbox_backoff_seconds: float = Field(default=30.0, gt=0, description="First retry delay.")
    outbox_backoff_max_seconds: float = Field(default=3600.0, gt=0, description="Retry delay cap.")
    outbox_backoff_jitter: float = Field(
        default=0.5, ge=0, le=1,
        description="Share of each retry delay drawn at random, so retries do not come in waves.",
    )

    demo_outbox: bool = Field(
        default=False,
        description="Catch the outbox locally (a mail catcher on smtp_host:smtp_port and an SMS "
        "gateway log) for `make run`. Never in production.",
    )
    demo_sms_gateway_port: int = Field(default=8026, description="Port of the demo SMS gateway log.")

    timer_poll_seconds: float = Field(default=5.0, gt=0, description="How often due timers are claimed.")
    outbox_poll_seconds: float = Field(default=10.0, gt=0)
    digest_hour: int = Field(default=7, ge=0, le=23, description="Office hour of the managers' digest.")

    rate_limit_storage: str = Field(
        default="memory://", description="limits storage URI; a shared one (redis://) for several workers"
    )
    track_rate_per_client: str = "30 per minute"
    track_rate_per_reference: str = "10 per hour"
    login_rate_per_client: str = "30 per minute"
    login_rate_per_user: str = "10 per 15 minutes"

    upload_folder: Path = Field(
        default=Path("var/uploads"),
        description="Where received documents are stored, by SHA-256 (ab/cd/<sha256>).",
    )
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest document accepted.")
    upload_content_types: list[Literal["application/pdf", "image/jpeg", "image/png"]] = Field(
        default=["application/pdf", "image/jpeg", "image/png"],
        description="Kinds of document accepted, recognised by their first bytes, not their name.",
    )

    demo_clock: bool = Field(
        default=False, description="Lets an admin move the clock through the API. Never in production."
    )

    # -- office policy ------------------------------------------------------------------
    name_similarity_threshold: float = Field(
        default=90.0, ge=50, le=100,
        description="Score (0-100) from which a proposed name is 'too like' an existing one.",
    )
    name_similar_limit: int = Field(default=10, ge=1, le=50)
    name_too_like_extra_words: int = Field(
        default=1, ge=0, le=5,
        description="A name that is another plus at most this many words is 'too like' it.",
    )
    certificate_reminder_days: int = Field(
        default=10, ge=1, description="Days before a certificate expires to remind the applicant."
    )
    manager_review_business_days: int = Field(
        default=2, ge=1, description="Business days a manager has to decide a referred name."
    )
    warn_fractions: list[float] = Field(
        default=[0.5, 0.75], description="Share of a service level after which a warning is sent."
    )
    sensitive_words: list[str] = Field(
        default_factory=list, description="Office additions to the list of sensitive words."
    )

    register_recording_business_days: int = Field(
        default=2, ge=1,
        description="Business days the central register has to record (or return to the clerk) "
        "a copy of a local registration or a change, from its arrival.",
    )

    # -- general assemblies and audits (issue 5) --
    financial_year_end_month: int = Field(
        default=12, ge=1, le=12,
        description="Month in which cooperatives' financial year ends (ordinary assembly due 6 "
        "months later, [L] Arts. 35-46).",
    )
    financial_year_end_day: int = Field(
        default=31, ge=1, le=31,
        description="Day of that month (a day the month lacks means its last day).",
    )
    assembly_opening_batch: int = Field(
        default=500, ge=1,
        description="Cooperatives handled per transaction when the yearly assembly cases open.",
    )
    audit_document_request_days: int = Field(
        default=15, ge=1,
        description="Full days a cooperative has to hand over the documents an audit asks for.",
    )
    audit_draft_answer_days: int = Field(
        default=15, ge=1, description="Full days a cooperative has to answer a draft audit report."
    )
    audit_risk_weights: dict[str, int] = Field(
        default_factory=dict,
        description="Overrides of the audit planning weights, by rules.audits.RiskWeights field "
        "name (e.g. points_per_overdue_assembly); the others keep their defaults.",
    )

    # -- dispute mediation and accompaniment programmes (issue 5; the law sets no periods) --
    dispute_admissibility_days: int = Field(
        default=disputes.DEFAULT_ADMISSIBILITY_DAYS, ge=1,
        description="Business days the legal staff have to decide whether a dispute is admissible.",
    )
    dispute_mediation_days: int = Field(
        default=disputes.DEFAULT_MEDIATION_DAYS, ge=1,
        description="Business days from admission for the mediation to end (settled, failed or withdrawn).",
    )
    dispute_extension_days: int = Field(
        default=disputes.DEFAULT_EXTENSION_DAYS, ge=1,
        description="Business days the one extension of a dispute stage adds to its time limit.",
    )
    dispute_session_reminder_days: int = Field(
        default=3, ge=1, description="Days before a mediation session's day to remind the parties."
    )
    dispute_minutes_business_days: int = Field(
        default=5, ge=1, description="Business days after a mediation session to record its minutes."
    )
    accompaniment_diagnosis_business_days: int = Field(
        default=20, ge=1, description="Business days from a programme's request to its diagnosis of needs."
    )
    accompaniment_plan_business_days: int = Field(
        default=15, ge=1, description="Business days from the diagnosis to the agreed development plan."
    )
    accompaniment_action_grace_days: int = Field(
        default=0, ge=0,
        description="Days after a plan action's due date before it is overdue and its officer reminded.",
    )
    accompaniment_report_business_days: int = Field(
        default=10, ge=1, description="Business days from the final evaluation to the programme's report."
    )

    def policy(self) -> dict[str, Any]:
        """The settings a workflow definition may name (`Setting("...")`)."""
        return {
            "name_similarity_threshold": self.name_similarity_threshold,
            "name_similar_limit": self.name_similar_limit,
            "certificate_reminder_days": self.certificate_reminder_days,
            "manager_review_business_days": self.manager_review_business_days,
            "warn_fractions": tuple(self.warn_fractions),
            "sensitive_words": tuple(self.sensitive_words),
            "audit_document_request_days": self.audit_document_request_days,
            "audit_draft_answer_days": self.audit_draft_answer_days,
            "register_recording_business_days": self.register_recording_business_days,
            **{name: getattr(self, name) for name in (
                "dispute_admissibility_days", "dispute_mediation_days", "dispute_extension_days",
                "dispute_session_reminder_days", "dispute_minutes_business_days",
                "accompaniment_diagnosis_business_days", "accompaniment_plan_business_days",
                "accompaniment_action_grace_days", "accompaniment_report_business_days",
            )},
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
