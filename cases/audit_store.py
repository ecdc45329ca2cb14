"""The persistent side of audits: the planning list ordered by risk, planning one control,
and what filing a report with findings changes beyond the audit (the extraordinary assembly
it demands, opened as its own case and linked both ways).

The planning list reads each cooperative's record from the cases: assemblies not held in
time and minutes filed late (general-assembly cases), disputes still open, findings of past
controls and the date of the last report (audit cases), and its size from the register. One
grouped query per sign of trouble, over the cases of the visible delegation, then the score
of `rules.audits` under the office's weights.

`cases.service` is imported inside functions, for the reason given in `assembly_store`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases import access, assembly_store
from cases.errors import Invalid
from cases.models import Case, Cooperative
from cases.settings import Settings
from rules.audits import (
    CooperativeRecord,
    RiskScore,
    RiskWeights,
    open_audit_reasons,
    planning_order,
    risk_score,
)
from rules.calendar import local_day
from workflows.audit import KEY
from workflows.engine import ActionBlocked, Outcome
from workflows.general_assembly import DEMANDED_BY_AUDIT, DEMANDS_ASSEMBLY
from workflows.general_assembly import KEY as ASSEMBLY_KEY
from workflows.spec import SYSTEM, Actor

DISPUTE_KEY = "dispute"
_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class PlanningEntry:
    """One line of the planning list: the cooperative, its record and its score."""

    cooperative_id: int
    national_number: str
    name_fr: str
    name_ar: str
    delegation_id: int
    record: CooperativeRecord
    score: RiskScore


def risk_weights(settings: Settings) -> RiskWeights:
    """The office's weights: the rules' defaults, with the settings' overrides."""
    try:
        return RiskWeights(**settings.audit_risk_weights)
    except TypeError as exc:
        raise ValueError(f"audit_risk_weights: {exc}") from exc


def _in_scope(delegation_id: int | None) -> list[ColumnElement[bool]]:
    return [] if delegation_id is None else [col(Case.delegation_id) == delegation_id]


def _counts(db_session: Session, key: str, condition: ColumnElement[bool], delegation_id: int | None) -> dict[int, int]:
    rows = db_session.exec(
        select(col(Case.cooperative_id), func.count())
        .where(col(Case.workflow_key) == key, col(Case.cooperative_id).is_not(None), condition,
               *_in_scope(delegation_id))
        .group_by(col(Case.cooperative_id))
    )
    return {int(coop): int(n) for coop, n in rows if coop is not None}


def _open_audit() -> Any:
    return exists(
        select(col(Case.id)).where(
            col(Case.workflow_key) == KEY,
            col(Case.cooperative_id) == col(Cooperative.id),
            col(Case.closed_at).is_(None),
        )
    )


def records(
    db_session: Session, *, today: date, delegation_id: int | None,
    cooperative_ids: Iterable[int] | None = None,
) -> list[tuple[Cooperative, CooperativeRecord]]:
    """Every active cooperative of the delegation (all at headquarters) with no control under
    way, in the order of their national numbers, with what its cases say of it."""
    query = select(Cooperative).where(col(Cooperative.status) == "active", ~_open_audit())
    if delegation_id is not None:
        query = query.where(col(Cooperative.delegation_id) == delegation_id)
    if cooperative_ids is not None:
        query = query.where(col(Cooperative.id).in_(list(cooperative_ids)))
    cooperatives = list(db_session.exec(query.order_by(col(Cooperative.national_number))))
    data = col(Case.data)
    overdue = _counts(db_session, ASSEMBLY_KEY, data["was_overdue"].as_boolean(), delegation_id)
    late = _counts(db_session, ASSEMBLY_KEY, data["filed_late"].as_boolean(), delegation_id)
    disputes = _counts(db_session, DISPUTE_KEY, col(Case.closed_at).is_(None), delegation_id)
    audits = {
        int(coop): (int(findings or 0), last)
        for coop, findings, last in db_session.exec(
            select(col(Case.cooperative_id), func.sum(data["findings_count"].as_integer()),
                   func.max(data["report_filed_on"].as_string()))
            .where(col(Case.workflow_key) == KEY, col(Case.cooperative_id).is_not(None),
                   *_in_scope(delegation_id))
            .group_by(col(Case.cooperative_id))
        )
        if coop is not None
    }
    out = []
    for coop in cooperatives:
        assert coop.id is not None
        findings, last = audits.get(coop.id, (0, None))
        out.append((coop, CooperativeRecord(
            overdue_assemblies=overdue.get(coop.id, 0),
            late_filings=late.get(coop.id, 0),
            open_disputes=disputes.get(coop.id, 0),
            past_findings=findings,
            years_since_last_audit=None if last is None
            else max(0.0, (today - date.fromisoformat(last)).days / _DAYS_PER_YEAR),
            members=coop.members,
        )))
    return out


def planning(
    db_session: Session, *, actor: Actor, now: datetime, settings: Settings, limit: int = 50
) -> list[PlanningEntry]:
    """The cooperatives to control first, highest risk first; equal scores in the order of
    their national numbers. A manager sees their delegation, headquarters every one."""
    access.require(actor, "audit_planning")
    delegation = None if access.is_headquarters(actor) else actor.delegation_id
    listed = records(db_session, today=local_day(now), delegation_id=delegation)
    by_number = {coop.national_number: (coop, record) for coop, record in listed}
    ordered = planning_order({n: r for n, (_, r) in by_number.items()}, risk_weights(settings))
    entries = []
    for number, score in ordered[:limit]:
        coop, record = by_number[number]
        assert coop.id is not None
        entries.append(PlanningEntry(coop.id, number, coop.name_fr, coop.name_ar,
                                     coop.delegation_id, record, score))
    return entries


def plan_audit(
    db_session: Session, *, national_number: str, planned_for: date, actor: Actor, now: datetime,
    settings: Settings, scope: str | None = None,
) -> Case:
    """Open a control of one cooperative of the manager's delegation (headquarters: any),
    keeping the score that chose it."""
    from cases import register, service

    access.require(actor, "audit_planning")
    coop = register.by_number(db_session=db_session, actor=actor, national_number=national_number)
    assert coop.id is not None
    under_way = db_session.exec(
        select(col(Case.reference)).where(col(Case.workflow_key) == KEY,
                                          col(Case.cooperative_id) == coop.id,
                                          col(Case.closed_at).is_(None))
    ).first()
    refused = open_audit_reasons(under_way)
    if refused:
        raise ActionBlocked("open", tuple(refused))
    found = records(db_session, today=local_day(now), delegation_id=None, cooperative_ids=[coop.id])
    if not found:
        raise Invalid([{"loc": ["cooperative"], "msg": f"{national_number} is not active",
                        "type": "value_error"}])
    score = risk_score(found[0][1], risk_weights(settings))
    data: dict[str, Any] = {
        "planned_for": planned_for.isoformat(),
        "risk_score": score.score,
        "risk_factors": [{"fr": t.fr, "ar": t.ar, "points": p} for t, p in score.factors],
    }
    if scope:
        data["scope"] = scope
    return service.open_case(
        db_session=db_session, workflow_key=KEY, data=data, actor=actor, now=now,
        settings=settings, delegation_id=coop.delegation_id, cooperative_id=coop.id,
    ).case


def project(db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings) -> None:
    """A report with findings demands an extraordinary assembly within 30 full days of its
    filing ([L] Art. 78): open its supervision case, linked to this audit both ways."""
    if outcome.dest != "awaiting_assembly":
        return
    assembly = assembly_store.open_assembly(
        db_session,
        data={
            "kind": "extraordinary", "origin": "audit",
            "report_filed_on": case.data["report_filed_on"],
            "links": [{"reference": case.reference, "relation": DEMANDED_BY_AUDIT}],
        },
        cooperative_id=case.cooperative_id, delegation_id=case.delegation_id, actor=SYSTEM,
        now=now, settings=settings,
    )
    links = [*case.data.get("links", []), {"reference": assembly.reference, "relation": DEMANDS_ASSEMBLY}]
    case.data = {**case.data, "links": links}
    db_session.add(case)
