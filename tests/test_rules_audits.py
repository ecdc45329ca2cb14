"""Audit planning and the law's periods after a report: a planner sees who comes first and
why; the office's 30 days, the 6 months of monitoring, obstruction and strike-off."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from rules.audits import (
    DEFAULT_DOCUMENT_REQUEST_DAYS,
    DEFAULT_DRAFT_ANSWER_DAYS,
    DOCUMENT_REQUEST,
    DRAFT_ANSWER,
    AuditPolicy,
    CooperativeRecord,
    RiskWeights,
    extraordinary_assembly_due,
    monitoring_end,
    obstruction_reason,
    open_audit_reasons,
    open_recommendations_reasons,
    planning_order,
    recommendation_reasons,
    report_filing_reasons,
    risk_score,
    strike_off_reasons,
)
from rules.reasons import internal, law
from tests.reasons_check import assert_reason

WEIGHTS = RiskWeights()


def record(
    *,
    overdue: int = 0,
    late: int = 0,
    disputes: int = 0,
    findings: int = 0,
    years: float | None = 0.0,
    members: int = 10,
) -> CooperativeRecord:
    return CooperativeRecord(
        overdue_assemblies=overdue,
        late_filings=late,
        open_disputes=disputes,
        past_findings=findings,
        years_since_last_audit=years,
        members=members,
    )


# --- risk score --------------------------------------------------------------------------------


def test_a_clean_recently_audited_small_cooperative_scores_zero() -> None:
    score = risk_score(record(), WEIGHTS)
    assert score.score == 0
    assert score.factors == ()
    assert "Aucun" in score.explanation.fr


@pytest.mark.parametrize(
    ("rec", "expected"),
    [
        (record(overdue=1), 20),
        (record(overdue=2), 40),
        (record(overdue=5), 40),  # capped
        (record(late=1), 10),
        (record(late=3), 20),  # capped
        (record(disputes=1), 10),
        (record(findings=1), 15),
        (record(findings=3), 30),  # capped
        (record(years=None), 20),  # never audited
        (record(years=2.9), 10),  # whole years: 2
        (record(years=10), 20),  # capped
        (record(members=99), 0),
        (record(members=100), 10),
        (record(overdue=2, late=2, disputes=2, findings=2, years=None, members=500), 100),
    ],
)
def test_score_under_the_office_defaults(rec: CooperativeRecord, expected: int) -> None:
    assert risk_score(rec, WEIGHTS).score == expected


def test_the_factors_explain_the_score_largest_first() -> None:
    score = risk_score(record(overdue=1, late=1, findings=2, years=None), WEIGHTS)
    assert score.score == 20 + 10 + 30 + 20
    assert [points for _, points in score.factors] == [30, 20, 20, 10]
    texts = [text.fr for text, _ in score.factors]
    assert texts[0].startswith("2 constat(s)")
    assert any("jamais contrôlée" in t for t in texts)
    assert all(text.ar for text, _ in score.factors)
    assert "(+30)" in score.explanation.fr and "(+30)" in score.explanation.ar


def test_factors_may_exceed_the_capped_score() -> None:
    score = risk_score(
        record(overdue=2, late=2, disputes=2, findings=2, years=None, members=500), WEIGHTS
    )
    assert score.score == 100
    assert sum(points for _, points in score.factors) == 140


def test_planning_order_highest_first_and_stable() -> None:
    records = {
        "low": record(late=1),  # 10
        "high": record(overdue=2, findings=1),  # 55
        "mid_a": record(disputes=2),  # 20
        "mid_b": record(overdue=1),  # 20
    }
    order = [ref for ref, _ in planning_order(records, WEIGHTS)]
    assert order == ["high", "mid_a", "mid_b", "low"]
    swapped = {k: records[k] for k in ("mid_b", "low", "mid_a", "high")}
    assert [ref for ref, _ in planning_order(swapped, WEIGHTS)] == [
        "high", "mid_b", "mid_a", "low",
    ]


def test_the_office_weights_change_the_order() -> None:
    records = {"disputed": record(disputes=2), "late": record(overdue=1, late=1)}
    assert planning_order(records, WEIGHTS)[0][0] == "late"
    heavy_disputes = dataclasses.replace(
        WEIGHTS, points_per_open_dispute=40, max_open_dispute_points=80
    )
    assert planning_order(records, heavy_disputes)[0][0] == "disputed"


def test_weights_and_records_are_checked() -> None:
    with pytest.raises(ValueError):
        RiskWeights(points_per_late_filing=-1)
    with pytest.raises(ValueError):
        risk_score(record(overdue=-1), WEIGHTS)
    with pytest.raises(ValueError):
        risk_score(record(years=-0.5), WEIGHTS)


# --- office policy ------------------------------------------------------------------------------


def test_audit_policy_defaults_are_the_named_office_defaults() -> None:
    policy = AuditPolicy()
    assert policy.document_request_days == DEFAULT_DOCUMENT_REQUEST_DAYS == 15
    assert policy.draft_answer_days == DEFAULT_DRAFT_ANSWER_DAYS == 15
    assert AuditPolicy(document_request_days=20).document_request_days == 20
    assert internal("audit_document_request_days") == DOCUMENT_REQUEST
    assert internal("audit_draft_answer_days") == DRAFT_ANSWER
    with pytest.raises(ValueError):
        AuditPolicy(draft_answer_days=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.draft_answer_days = 5  # type: ignore[misc]


# --- after a report with findings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "due"),
    [
        (date(2025, 1, 10), date(2025, 2, 9)),
        (date(2025, 2, 1), date(2025, 3, 3)),
        (date(2025, 12, 15), date(2026, 1, 14)),
    ],
)
def test_extraordinary_assembly_within_thirty_days_of_the_report(filed_on: date, due: date) -> None:
    assert extraordinary_assembly_due(filed_on) == due


@pytest.mark.parametrize(
    ("assembly_on", "end"),
    [
        (date(2025, 2, 9), date(2025, 8, 9)),
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2025, 8, 30), date(2026, 2, 28)),
        (date(2025, 6, 30), date(2025, 12, 31)),
    ],
)
def test_monitoring_lasts_six_months(assembly_on: date, end: date) -> None:
    assert monitoring_end(assembly_on) == end


def test_obstruction_cites_article_99() -> None:
    reason = obstruction_reason()
    assert_reason(reason, "audit_obstructed", law(99))
    assert "50 000 à 100 000 dirhams" in reason.message.fr
    assert "50.000 إلى 100.000 درهم" in reason.message.ar
    assert "emprisonnement" in reason.message.fr and "بالحبس" in reason.message.ar


@pytest.mark.parametrize(
    ("effective", "ended", "expected"),
    [
        (False, True, []),
        (True, True, ["strike_off_measures_effective"]),
        (False, False, ["strike_off_monitoring_not_ended"]),
        (True, False, ["strike_off_monitoring_not_ended", "strike_off_measures_effective"]),
    ],
)
def test_strike_off_only_after_monitoring_with_ineffective_measures(
    effective: bool, ended: bool, expected: list[str]
) -> None:
    reasons = strike_off_reasons(measures_effective=effective, monitoring_ended=ended)
    assert [r.code for r in reasons] == expected
    for reason in reasons:
        assert_reason(reason, reason.code, law(78))


# --- the report and what follows it --------------------------------------------------------------


def test_the_report_waits_for_the_answer_or_the_end_of_its_period() -> None:
    due = date(2026, 4, 16)
    (reason,) = report_filing_reasons(answered=False, answer_due_on=due, today=due)
    assert_reason(reason, "audit_draft_answer_pending", internal("audit_draft_answer_days"))
    assert "2026-04-16" in reason.message.fr and "2026-04-16" in reason.message.ar
    assert report_filing_reasons(answered=False, answer_due_on=due, today=date(2026, 4, 17)) == []
    assert report_filing_reasons(answered=True, answer_due_on=due, today=date(2026, 4, 2)) == []


def test_recommendations_are_marked_done_once_each() -> None:
    statuses = {1: "done", 2: "open"}
    assert recommendation_reasons(number=2, statuses=statuses) == []
    (done,) = recommendation_reasons(number=1, statuses=statuses)
    assert_reason(done, "audit_recommendation_already_done", law(78))
    (unknown,) = recommendation_reasons(number=3, statuses=statuses)
    assert_reason(unknown, "audit_recommendation_unknown", law(78))
    assert "1, 2" in unknown.message.fr
    assert open_recommendations_reasons([]) == []
    (still_open,) = open_recommendations_reasons([2, 3])
    assert_reason(still_open, "audit_recommendations_open", law(78))
    assert "2, 3" in still_open.message.fr


def test_one_control_at_a_time() -> None:
    assert open_audit_reasons(None) == []
    (reason,) = open_audit_reasons("AU-2026-000001")
    assert reason.code == "audit_already_open" and "AU-2026-000001" in reason.message.ar
