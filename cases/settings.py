"""Configuration from `COOPFLOW_` environment variables or a `.env` file.

Office policy numbers (service levels, thresholds) live here too, never as literals in the
code: the law's own numbers are in the definitions, with their articles.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None

    timer_poll_seconds: float = Field(default=5.0, gt=0, description="How often due timers are claimed.")
    outbox_poll_seconds: float = Field(default=10.0, gt=0)
    digest_hour: int = Field(default=7, ge=0, le=23, description="Office hour of the managers' digest.")

    demo_clock: bool = Field(
        default=False, description="Lets an admin move the clock through the API. Never in production."
    )

    # -- office policy ------------------------------------------------------------------
    name_similarity_threshold: float = Field(
        default=85.0, ge=50, le=100,
        description="Score (0-100) from which a proposed name is 'too like' an existing one.",
    )
    name_similar_limit: int = Field(default=10, ge=1, le=50)
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

    def policy(self) -> dict[str, Any]:
        """The settings a workflow definition may name (`Setting("...")`)."""
        return {
            "name_similarity_threshold": self.name_similarity_threshold,
            "name_similar_limit": self.name_similar_limit,
            "certificate_reminder_days": self.certificate_reminder_days,
            "manager_review_business_days": self.manager_review_business_days,
            "warn_fractions": tuple(self.warn_fractions),
            "sensitive_words": tuple(self.sensitive_words),
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
