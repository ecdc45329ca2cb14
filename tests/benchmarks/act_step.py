"""One `act()` (approve a name request) against the bare SQL a hand-written system would
issue for the same step: the name look-up, the versioned update, the history insert, the
timer cancel and insert, the outbox insert and the certificate's name entry."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine

from cases import reference_data, service, users
from cases.db import unit_of_work
from cases.demo_names import cooperative_names
from cases.models import Case, NameEntry
from cases.name_check import entries_for
from cases.settings import Settings
from rules.names import same_as_key, translit_key
from tests.benchmarks.harness import Spread, per_item
from workflows.spec import Actor

REGISTER = 2_000  # names already registered, so the name look-up has work to do
CASES_PER_RUN = 150
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _seed(engine: Engine, settings: Settings) -> None:
    rng = random.Random(7)
    with unit_of_work(engine) as s:
        reference_data.load(s)
        users.create(db_session=s, username="bench", password="bench-password", role="officer",
                     full_name="bench", delegation_code="AGA")
        rows = []
        for i, g in enumerate(cooperative_names(rng, REGISTER // 2)):
            rows += entries_for([g.name_ar, g.name_fr], source="register", ref=f"2020/1/{i:06d}")
        s.execute(insert(NameEntry), [r.model_dump(exclude={"id"}) for r in rows])


def _open(engine: Engine, settings: Settings, n: int, tag: str) -> list[str]:
    officer = _officer(engine)
    refs = []
    with unit_of_work(engine) as s:
        for i in range(n):
            opened = service.open_case(
                db_session=s, workflow_key="name_approval", actor=officer, now=NOW, settings=settings,
                data={"names": [f"Coopérative Bench {tag} {i} Tifawin"], "founders": list("ABCDE"),
                      "sector": "agriculture", "purpose": "argan", "province": "Tiznit",
                      "applicant": {"full_name": "Fatima", "email": "f@example.ma"}},
            )
            refs.append(opened.case.reference)
    return refs


def _officer(engine: Engine) -> Actor:
    with unit_of_work(engine) as s:
        user = users.get_by_username(db_session=s, username="bench")
        assert user is not None
        return users.actor_of(user)


def _engine_steps(engine: Engine, settings: Settings, refs: list[str]) -> int:
    officer = _officer(engine)
    for ref in refs:
        with unit_of_work(engine) as s:
            # the bench's names differ by a number only: the officer accepts the close ones
            names = service.get(db_session=s, reference=ref, actor=officer).data["names"]
            service.act(db_session=s, reference=ref, trigger="approve", actor=officer,
                        data={"accept_similar": names}, expected_version=1,
                        now=NOW + timedelta(hours=1), settings=settings)
    return len(refs)


def _bare_steps(engine: Engine, refs: list[str]) -> int:
    now = NOW + timedelta(hours=1)
    due = now + timedelta(days=60)
    for ref in refs:
        with engine.begin() as conn:
            case_id, data = conn.execute(
                select(Case.id, Case.data).where(Case.reference == ref)  # type: ignore[call-overload]
            ).one()
            name = (data if isinstance(data, dict) else json.loads(data))["names"][0]
            conn.execute(
                text("SELECT id FROM name_entry WHERE active AND (same_key = :k OR translit_key = :t)"),
                {"k": same_as_key(name), "t": translit_key(name)},
            ).all()
            updated = conn.execute(
                text('UPDATE "case" SET state = :s, data = :d, updated_at = :u, version = version + 1 '
                     "WHERE id = :i AND version = 1"),
                {"s": "approved", "d": json.dumps({**data, "granted_name": name}), "u": now, "i": case_id},
            )
            assert updated.rowcount == 1
            conn.execute(
                text("INSERT INTO case_event (case_id, seq, at, actor, kind, trigger, from_state, to_state, data) "
                     "VALUES (:c, 2, :a, 'bench', 'transition', 'approve', 'submitted', 'approved', '{}')"),
                {"c": case_id, "a": now},
            )
            conn.execute(
                text("UPDATE timer SET status = 'cancelled', fired_at = :a WHERE case_id = :c AND status = 'pending'"),
                {"c": case_id, "a": now},
            )
            conn.execute(
                text("INSERT INTO timer (case_id, deadline_key, kind, state, due_at, started_at, counting, "
                     "basis, action, explanation_fr, explanation_ar, status) VALUES (:c, 'certificate_validity', "
                     "'deadline', 'approved', :d, :a, 'full_days', 'decree:4', 'fire:expire', '60 jours', "
                     "'60 يوما', 'pending')"),
                {"c": case_id, "d": due, "a": now},
            )
            conn.execute(
                text("INSERT INTO outbox (case_id, created_at, template, recipient, channel, address, language, "
                     "subject, body_text, body_html, status, attempts, next_attempt_at, idempotency_key) VALUES "
                     "(:c, :a, 'name_approved', 'applicant', 'email', 'f@example.ma', 'ar', '', '', '', "
                     "'pending', 0, :a, :k)"),
                {"c": case_id, "a": now, "k": f"bare:{ref}"},
            )
            conn.execute(
                text("INSERT INTO name_entry (source, case_id, ref, name, same_key, translit_key, active) "
                     "VALUES ('certificate', :c, :r, :n, :k, :t, true)"),
                {"c": case_id, "r": ref, "n": name, "k": same_as_key(name), "t": translit_key(name)},
            )
    return len(refs)


def run(engine: Engine, settings: Settings, runs: int) -> tuple[Spread, Spread]:
    """Seconds per step for the engine and for bare SQL, alternated run by run."""
    _seed(engine, settings)
    ours: list[float] = []
    bare: list[float] = []
    for r in range(runs):
        a = _open(engine, settings, CASES_PER_RUN, f"e{r}")
        b = _open(engine, settings, CASES_PER_RUN, f"b{r}")
        ours.append(per_item(lambda a=a: _engine_steps(engine, settings, a)))  # type: ignore[misc]
        bare.append(per_item(lambda b=b: _bare_steps(engine, b)))  # type: ignore[misc]
    return Spread.of(ours), Spread.of(bare)
