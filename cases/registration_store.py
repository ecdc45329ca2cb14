"""The central register's side of registration filings: the facts their guards need (the
certificate of name a registration cites, the cooperative a change is about), what recording
writes in the same transaction (the register entry with its national number, its names, the
name case closed), and the managers' count of late transmissions per court."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case as when
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from cases import access
from cases.models import Case, Cooperative, Delegation, ReferenceCounter
from cases.name_check import entries_for
from cases.settings import Settings
from rules.calendar import local_day
from rules.registration import (
    NationalNumber,
    national_number,
    next_national_number,
    parse_national_number,
    series_for,
)
from workflows.engine import Outcome
from workflows.registration import CertificateFact, CooperativeFact
from workflows.spec import SYSTEM, Actor

NAME_APPROVAL = "name_approval"
REGISTRATION = "registration"
REGISTRATION_CHANGE = "registration_change"


# -- facts ---------------------------------------------------------------------------------------


def _certificate(
    db_session: Session, case: Case | None, data: Mapping[str, Any], settings: Settings
) -> CertificateFact:
    """The certificate as its name case tells it now. Its validity ends at its running
    deadline while it is valid, and at the instant it expired once it has."""
    del case, settings
    reference = str(data.get("certificate_reference", ""))
    na = db_session.exec(
        select(Case).where(col(Case.reference) == reference, col(Case.workflow_key) == NAME_APPROVAL)
    ).first()
    if na is None:
        return CertificateFact(reference=reference, state=None, granted_name=None, valid_until=None)
    until = na.data.get("due", {}).get("certificate_validity") or na.data.get("expired_at")
    return CertificateFact(
        reference=reference,
        state=na.state,
        granted_name=na.data.get("granted_name"),
        valid_until=datetime.fromisoformat(until) if until else None,
    )


def _cooperative(
    db_session: Session, case: Case | None, data: Mapping[str, Any], settings: Settings
) -> CooperativeFact | None:
    del data, settings
    if case is None or case.cooperative_id is None:
        return None
    coop = db_session.get(Cooperative, case.cooperative_id)
    if coop is None or coop.id is None:
        return None
    return CooperativeFact(id=coop.id, national_number=coop.national_number, status=coop.status)


LOADERS: dict[str, Callable[[Session, Case | None, Mapping[str, Any], Settings], Any]] = {
    "certificate": _certificate,
    "cooperative": _cooperative,
}


# -- national numbers ----------------------------------------------------------------------------


def _counter_prefix(series: int) -> str:
    """The numbering of each series and year is held in a `ReferenceCounter` row, apart from
    the case references (two letters) by its prefix."""
    return f"CR{series}"


def allocate_national_number(db_session: Session, *, year: int, series: int) -> NationalNumber:
    """The next number of a series in a year, safe against concurrent recordings.

    The series' counter row is locked first (created if it is the year's first number), so
    that a second recording of the same series waits for the first to commit; then the
    last number is the higher of the counter and the register, since entries imported in
    bulk (the register's CSV, the demo) do not move the counter."""
    prefix = _counter_prefix(series)
    insert = postgresql_insert if db_session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db_session.execute(
        insert(ReferenceCounter).values(prefix=prefix, year=year, last=0).on_conflict_do_nothing()
    )
    row = (col(ReferenceCounter.prefix) == prefix, col(ReferenceCounter.year) == year)
    counted = db_session.execute(
        update(ReferenceCounter).where(*row).values(last=col(ReferenceCounter.last))
        .returning(col(ReferenceCounter.last))
    ).scalar_one()
    registered = db_session.execute(
        select(func.max(col(Cooperative.reg_seq)))
        .where(col(Cooperative.reg_year) == year, col(Cooperative.reg_series) == series)
    ).scalar()
    last_seq = max(counted, registered or 0)
    last = national_number(year, series, last_seq) if last_seq else None
    number = parse_national_number(next_national_number(last, year=year, series=series))
    db_session.execute(update(ReferenceCounter).where(*row).values(last=number.seq))
    return number


# -- projections -----------------------------------------------------------------------------------


def _link(case: Case, reference: str, relation: str) -> None:
    links = [*case.data.get("links", ()), {"reference": reference, "relation": relation}]
    case.data = {**case.data, "links": links}


def record_cooperative(db_session: Session, case: Case, *, now: datetime) -> Cooperative:
    """The register entry of a recorded registration, numbered in the year of recording, with
    the names that from now on block new requests."""
    data = case.data
    number = allocate_national_number(
        db_session, year=local_day(now).year, series=series_for(data["member_kind"])
    )
    delegation = db_session.get(Delegation, case.delegation_id)
    assert delegation is not None  # a case always has its delegation
    contact = data.get("applicant") or {}
    coop = Cooperative(
        national_number=str(number), reg_year=number.year, reg_series=number.series,
        reg_seq=number.seq, name_ar=data["name_ar"], name_fr=data["name_fr"],
        region_code=delegation.region_code, delegation_id=case.delegation_id,
        province=data["province"], sector=data["sector"], members=data["members"],
        women_members=data.get("women_members", 0), email=contact.get("email"),
        phone=contact.get("phone"), language=contact.get("language") or "ar",
        registered_on=date.fromisoformat(data["local_registered_on"]),
    )
    db_session.add(coop)
    db_session.flush()
    db_session.add_all(entries_for([coop.name_ar, coop.name_fr], source="register",
                                   ref=coop.national_number, cooperative_id=coop.id))
    return coop


def use_certificate(db_session: Session, case: Case, *, now: datetime, settings: Settings) -> None:
    """Close the name case the registration used: the system takes its `use` step (which
    stops its name blocking as a certificate: the register entry blocks it now). A
    certificate that has expired since the local registration it covered cannot take that
    step; its history says which registration used it."""
    from cases import service  # at call time: the service layer imports the projections

    reference = case.data["certificate_reference"]
    na = db_session.exec(select(Case).where(col(Case.reference) == reference)).one()
    use = {
        "court": case.data["court"],
        "local_number": case.data["local_number"],
        "registered_on": case.data["local_registered_on"],
    }
    if na.state in service.compiled(na).workflow.transition("use").source:
        na = service.act(db_session=db_session, reference=reference, trigger="use", actor=SYSTEM,
                         data=use, expected_version=na.version, now=now, settings=settings)
    else:
        service.record_event(db_session, na, SYSTEM, now, kind="used_by",
                             data={"reference": case.reference, "registration": use})
    _link(na, case.reference, "registration")
    db_session.add(na)


def project_registration(
    db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings
) -> None:
    if outcome.dest != "recorded":
        return
    coop = record_cooperative(db_session, case, now=now)
    case.cooperative_id = coop.id
    case.data = {**case.data, "national_number": coop.national_number}
    db_session.add(case)
    use_certificate(db_session, case, now=now, settings=settings)


DISSOLVED = "dissolved"


def project_change(
    db_session: Session, case: Case, outcome: Outcome, *, now: datetime, settings: Settings
) -> None:
    """A recorded dissolution closes the cooperative's entry: no later change is entered."""
    del now, settings
    if outcome.dest != "recorded" or case.data.get("kind") != "dissolution":
        return
    coop = db_session.get(Cooperative, case.cooperative_id)
    if coop is not None:
        coop.status = DISSOLVED
        db_session.add(coop)


# -- reports -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourtTransmissions:
    """One court's copies received since a day: how many, how many late, the longest delay."""

    court: str
    received: int
    late: int
    longest_delay_days: int


def late_transmissions_by_court(
    *, db_session: Session, since: date, actor: Actor | None = None
) -> list[CourtTransmissions]:
    """Copies of local registrations received since `since`, per court, the courts with the
    most late copies first. A delegation's staff count their delegation's filings;
    headquarters (or no actor) counts them all."""
    if actor is not None:
        access.require(actor, "late_transmissions")
    data: Any = col(Case.data)
    filings = (
        select(
            data["court"].as_string().label("court"),
            data["late_transmission"].as_boolean().label("late"),
            data["transmission_delay_days"].as_integer().label("delay"),
        )
        .where(col(Case.workflow_key) == REGISTRATION,
               data["received_on"].as_string() >= since.isoformat())
    )
    if actor is not None and not (actor.is_system or access.is_headquarters(actor)):
        filings = filings.where(col(Case.delegation_id) == actor.delegation_id)
    rows = filings.subquery()
    late = func.sum(when((rows.c.late, 1), else_=0))
    stmt = (
        select(rows.c.court, func.count(), late, func.max(rows.c.delay))
        .group_by(rows.c.court)
        .order_by(late.desc(), rows.c.court)
    )
    return [
        CourtTransmissions(court=court, received=received, late=int(late_count or 0),
                           longest_delay_days=int(longest or 0))
        for court, received, late_count, longest in db_session.execute(stmt)
    ]
