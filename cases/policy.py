"""The office's policy numbers as headquarters reads them: each with its value and what it
means. They are environment settings (`cases/settings.py`), the same for every worker and
scheduler process; this is the read side, with its access check in the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cases import access
from cases.settings import Settings
from workflows.spec import Actor


@dataclass(frozen=True)
class PolicySetting:
    name: str
    value: Any
    description: str | None


def get_all(*, settings: Settings, actor: Actor) -> list[PolicySetting]:
    access.require(actor, "settings_read")
    fields = type(settings).model_fields
    return [PolicySetting(name, value, fields[name].description) for name, value in sorted(settings.policy().items())]
