"""What a definition's guards need to know that only the database knows.

A definition names the facts it needs (`Workflow.facts`); each is loaded here before its
guards run, so that guards stay pure functions of the case and these facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

from cases import assembly_store, dispute_store, registration_store
from cases.models import Case
from cases.name_check import check_names
from cases.settings import Settings
from rules.names import NameVerdict
from workflows.spec import Workflow

Loader = Callable[[Session, Case | None, Mapping[str, Any], Settings], Any]


def _verdicts(
    db_session: Session, case: Case | None, data: Mapping[str, Any], settings: Settings
) -> list[NameVerdict]:
    return check_names(
        data.get("names", ()), db_session=db_session, settings=settings,
        sector=data.get("sector"), exclude_case_id=case.id if case else None,
    )


LOADERS: dict[str, Loader] = {"verdicts": _verdicts}
LOADERS.update(registration_store.LOADERS)
LOADERS.update(dispute_store.LOADERS)
LOADERS.update(assembly_store.LOADERS)


def load(
    workflow: Workflow,
    *,
    db_session: Session,
    case: Case | None,
    data: Mapping[str, Any],
    settings: Settings,
) -> dict[str, Any]:
    return {name: LOADERS[name](db_session, case, data, settings) for name in workflow.facts}


def summary(known: Mapping[str, Any]) -> dict[str, Any]:
    """What the history keeps of the facts a step saw, so that a decision can be
    explained later even after the register changed."""
    out: dict[str, Any] = {}
    for name, value in known.items():
        if name == "verdicts":
            out[name] = [verdict_dict(v) for v in value]
    return out


def verdict_dict(v: NameVerdict) -> dict[str, Any]:
    return {
        "name": v.name,
        "status": v.status,
        "sensitive": list(v.sensitive),
        "reasons": [r.as_dict() for r in v.reasons],
        "matches": [
            {"name": m.name, "source": m.source, "ref": m.ref, "score": round(m.score, 1)}
            for m in v.matches
        ],
    }
