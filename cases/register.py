"""The central register of cooperatives: search, show, correct (with history), and the
bulk import and export of the whole register as CSV.

An import is all or nothing: every bad row is reported with its line and reason and
nothing is written, unless the caller asks to keep the good rows (`skip_invalid`), when
those are written and the rest reported. Names are keyed as the name rules key them, so
that a name imported here blocks new requests like any registered name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator
from sqlalchemy import Table, insert, or_, update
from sqlmodel import Session, SQLModel, col, select

from cases import access
from cases.errors import Invalid, NotFound
from cases.models import Cooperative, CooperativeEvent, Delegation, NameEntry, Region
from cases.name_check import entries_for, keys_of
from rules.names import same_as_key, translit_key
from rules.phones import InvalidPhone, e164
from rules.registration import parse_national_number
from workflows.spec import Actor

COLUMNS = (
    "national_number", "name_ar", "name_fr", "region_code", "delegation_code", "province", "sector",
    "members", "women_members", "email", "phone", "language", "status", "registered_on",
)
_BATCH = 5_000


class CooperativeRow(BaseModel):
    """One register line, checked before anything is written."""

    national_number: str = Field(max_length=32)
    name_ar: str = Field(min_length=3, max_length=250)
    name_fr: str = Field(min_length=3, max_length=250)
    region_code: str = Field(max_length=16)
    delegation_code: str = Field(max_length=32)
    province: str = Field(min_length=2, max_length=100)
    sector: str = Field(min_length=2, max_length=100)
    members: int = Field(ge=0, le=1_000_000)
    women_members: int = Field(ge=0, le=1_000_000)
    email: EmailStr | None = None
    phone: str | None = None
    language: Literal["ar", "fr"] = "ar"
    status: Literal["active", "dissolved", "struck_off"] = "active"
    registered_on: date

    @field_validator("national_number")
    @classmethod
    def _number(cls, value: str) -> str:
        parse_national_number(value.strip())
        return value.strip()

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """A NUL character is no text (PostgreSQL refuses to store one): a bad line."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("a NUL character has no place in the register")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return e164(value)
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[[int], None]


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """Lines of a UTF-8 CSV (with or without a byte-order mark), numbered as a spreadsheet
    numbers them (the header is line 1)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        header = reader.fieldnames or []
    except UnicodeDecodeError as exc:
        text.detach()
        raise Invalid([{"loc": ["file"], "msg": f"the file is not UTF-8 ({exc.reason}); save it as CSV UTF-8"}]) from exc
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        text.detach()
        raise Invalid([{"loc": ["file", "header"], "msg": f"missing column(s): {', '.join(missing)}"}])
    line = 1
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise Invalid([{"loc": ["file", f"line {line + 1}"],
                                "msg": f"not UTF-8 ({exc.reason}); save the file as CSV UTF-8"}]) from exc
            line = reader.line_num
            yield line, row
    finally:
        text.detach()  # the caller's file stays open (and keeps telling its position)


def import_csv(
    stream: IO[bytes], *, db_session: Session, skip_invalid: bool = False, progress: Progress | None = None,
    actor: Actor | None = None,
) -> ImportReport:
    """`actor`: who imports through the API (an admin); None from the command line."""
    if actor is not None:
        access.require(actor, "register_import")
    report = ImportReport()
    delegations = {d.code: d for d in db_session.exec(select(Delegation))}
    regions = set(db_session.exec(select(Region.code)))
    known = set(db_session.exec(select(Cooperative.national_number)))
    good: list[tuple[CooperativeRow, int, list[tuple[str, str, str]]]] = []
    for line, raw in _rows(stream):
        report.read += 1
        try:
            row = CooperativeRow.model_validate({k: (v if v != "" else None) if k in ("email", "phone") else v
                                                 for k, v in raw.items() if k in COLUMNS})
        except ValidationError as exc:
            first = exc.errors()[0]
            report.errors.append(RowError(line, f"{'.'.join(map(str, first['loc']))}: {first['msg']}"))
            continue
        keys = [(name, *keys_of(name)) for name in (row.name_ar, row.name_fr)]
        problem = _cross_checks(row, keys, delegations, regions, known)
        if problem:
            report.errors.append(RowError(line, problem))
            continue
        known.add(row.national_number)
        good.append((row, delegations[row.delegation_code].id or 0, keys))
        if progress and report.read % 1000 == 0:
            progress(report.read)
    if report.errors and not skip_invalid:
        return report
    for start in range(0, len(good), _BATCH):
        _insert(db_session, good[start : start + _BATCH])
        report.imported += len(good[start : start + _BATCH])
        if progress:
            progress(report.read)
    return report


def _cross_checks(row: CooperativeRow, keys: list[tuple[str, str, str]], delegations: dict[str, Delegation],
                  regions: set[str], known: set[str]) -> str | None:
    if row.national_number in known:
        return f"national_number: {row.national_number} is already in the register"
    if row.region_code not in regions:
        return f"region_code: unknown region {row.region_code!r}"
    if row.delegation_code not in delegations:
        return f"delegation_code: unknown delegation {row.delegation_code!r}"
    if row.women_members > row.members:
        return "women_members: more women members than members"
    if not all(same for _, same, _ in keys):
        return "name: a name has no distinctive word"
    return None


def _insert(db_session: Session, rows: list[tuple[CooperativeRow, int, list[tuple[str, str, str]]]]) -> None:
    values = []
    for row, delegation_id, _ in rows:
        number = parse_national_number(row.national_number)
        values.append({
            **row.model_dump(exclude={"delegation_code"}), "delegation_id": delegation_id,
            "reg_year": number.year, "reg_series": number.series, "reg_seq": number.seq,
        })
    # A plain Core executemany on the tables (the ORM's bulk path on the classes re-collects
    # every row's parameters: about 1.4 s of CPU per 65,000 lines), then one look-up of the
    # new ids: far faster than RETURNING row by row through SQLAlchemy's insertmanyvalues
    # on both engines.
    db_session.execute(insert(_table(Cooperative)), values)
    numbers = [v["national_number"] for v in values]
    by_number = dict(db_session.exec(
        select(Cooperative.national_number, Cooperative.id).where(col(Cooperative.national_number).in_(numbers))
    ).all())
    entries = [
        {"source": "register", "ref": row.national_number, "name": name, "same_key": same,
         "translit_key": translit, "cooperative_id": by_number[row.national_number], "case_id": None,
         "active": True}
        for row, _, keys in rows
        for name, same, translit in keys
    ]
    if entries:
        db_session.execute(insert(_table(NameEntry)), entries)


def _table(model: type[SQLModel]) -> Table:
    """The model's Core table, for inserts that skip the ORM's per-row bookkeeping."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def export_csv(*, db_session: Session, out: IO[str], actor: Actor | None = None) -> int:
    """`actor`: who exports through the API (headquarters); None from the command line."""
    if actor is not None:
        access.require(actor, "register_export")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    codes = {d.id: d.code for d in db_session.exec(select(Delegation))}
    count = 0
    for coop in db_session.exec(select(Cooperative).order_by(col(Cooperative.id))):
        writer.writerow([
            coop.national_number, coop.name_ar, coop.name_fr, coop.region_code, codes[coop.delegation_id],
            coop.province, coop.sector, coop.members, coop.women_members, coop.email or "",
            coop.phone or "", coop.language, coop.status, coop.registered_on.isoformat(),
        ])
        count += 1
    return count


# -- reading and correcting -------------------------------------------------------------------


def _visible(actor: Actor) -> Any:
    if access.is_headquarters(actor) or actor.is_system:
        return col(Cooperative.id).is_not(None)
    return col(Cooperative.delegation_id) == actor.delegation_id


def search(
    *, db_session: Session, actor: Actor, q: str | None = None, limit: int = 50, after: int | None = None,
) -> list[Cooperative]:
    """By national number, or by name in either script, normalised as the name rules do
    (so "COOPERATIVE EL-AMAL" finds "تعاونية الأمل")."""
    query = select(Cooperative).where(_visible(actor))
    if q and q.strip():
        text = q.strip()
        conditions = []
        if key := same_as_key(text):
            conditions.append(col(NameEntry.same_key).contains(key, autoescape=True))
        if tkey := translit_key(text):
            conditions.append(col(NameEntry.translit_key).contains(tkey, autoescape=True))
        by_number = col(Cooperative.national_number) == text
        if conditions:
            named = select(NameEntry.cooperative_id).where(col(NameEntry.source) == "register", or_(*conditions))
            query = query.where(or_(by_number, col(Cooperative.id).in_(named)))
        else:
            query = query.where(by_number)
    if after is not None:
        query = query.where(col(Cooperative.id) > after)
    return list(db_session.exec(query.order_by(col(Cooperative.id)).limit(limit)))


def get(*, db_session: Session, actor: Actor, cooperative_id: int) -> Cooperative:
    coop = db_session.get(Cooperative, cooperative_id)
    if coop is None or not (access.is_headquarters(actor) or actor.is_system
                            or coop.delegation_id == actor.delegation_id):
        raise NotFound("cooperative", str(cooperative_id))
    return coop


def by_number(*, db_session: Session, actor: Actor, national_number: str) -> Cooperative:
    coop = db_session.exec(select(Cooperative).where(col(Cooperative.national_number) == national_number)).first()
    if coop is None or coop.id is None:
        raise NotFound("cooperative", national_number)
    return get(db_session=db_session, actor=actor, cooperative_id=coop.id)


class CooperativeCorrection(BaseModel):
    """What an officer may correct in a register entry (the number never changes). A field
    left out stays as it is; only the email and the phone may be cleared (null): the other
    fields of an entry are never empty."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"members": 27, "women_members": 19, "phone": "0612345678",
         "reason": "Procès-verbal de l'assemblée générale du 14 février 2026"},
    ]})

    # Typed without None (explicit nulls are refused, 422), defaulting to None when left out.
    name_ar: str = Field(default=None, min_length=3, max_length=250)  # type: ignore[assignment]
    name_fr: str = Field(default=None, min_length=3, max_length=250)  # type: ignore[assignment]
    province: str = Field(default=None, min_length=2, max_length=100)  # type: ignore[assignment]
    sector: str = Field(default=None, min_length=2, max_length=100)  # type: ignore[assignment]
    members: int = Field(default=None, ge=0, le=1_000_000)  # type: ignore[assignment]
    women_members: int = Field(default=None, ge=0, le=1_000_000)  # type: ignore[assignment]
    email: EmailStr | None = None
    phone: str | None = None
    language: Literal["ar", "fr"] = Field(default=None)  # type: ignore[arg-type]
    reason: str = Field(min_length=3, max_length=1000, description="why the entry is corrected")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return e164(value)
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from exc


def correct(
    *, db_session: Session, actor: Actor, cooperative_id: int, correction: CooperativeCorrection, now: datetime,
) -> Cooperative:
    """Change an entry and keep what changed, by whom and why; renamed entries re-key
    their names so that the name check sees the new ones."""
    access.require(actor, "register_correct")
    coop = get(db_session=db_session, actor=actor, cooperative_id=cooperative_id)
    changes: dict[str, Any] = {}
    for name, value in correction.model_dump(exclude={"reason"}, exclude_unset=True).items():
        before = getattr(coop, name)
        if value != before:
            changes[name] = {"from": before, "to": value}
            setattr(coop, name, value)
    if coop.women_members > coop.members:
        raise Invalid([{"loc": ["women_members"], "msg": "more women members than members"}])
    if not changes:
        return coop
    db_session.add(coop)
    if "name_ar" in changes or "name_fr" in changes:
        db_session.execute(update(NameEntry).where(col(NameEntry.cooperative_id) == coop.id)
                           .values(active=False))
        db_session.add_all(entries_for([coop.name_ar, coop.name_fr], source="register",
                                       ref=coop.national_number, cooperative_id=coop.id))
    db_session.add(CooperativeEvent(cooperative_id=coop.id or 0, at=now, actor=actor.username,
                                    reason=correction.reason, changes=changes))
    return coop


def history(*, db_session: Session, actor: Actor, cooperative_id: int) -> list[CooperativeEvent]:
    get(db_session=db_session, actor=actor, cooperative_id=cooperative_id)
    return list(db_session.exec(select(CooperativeEvent).where(
        col(CooperativeEvent.cooperative_id) == cooperative_id).order_by(col(CooperativeEvent.id))))


def lines(rows: Iterable[RowError]) -> list[str]:
    return [f"line {r.line}: {r.reason}" for r in rows]
