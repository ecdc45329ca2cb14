"""The demo data: what a person opening the demo checks first. Cases in every state, told
by a history that starts where a case starts; a register that obeys the office's own name
rule; national numbers as the register writes them; names that read as Moroccan ones."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from cases import demo, demo_names
from cases.clock import FixedClock
from cases.models import Case, CaseEvent, Cooperative, NameEntry, Timer, User
from cases.settings import Settings
from rules.calendar import OFFICE_TZ
from rules.names import same_as_key, script_of, translit_key
from workflows.name_approval import NAME_APPROVAL

NATIONAL_NUMBER = re.compile(r"^(\d{4})/([1-4])/(\d{6})$")


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


@pytest.fixture
def loaded(engine: Engine, settings: Settings, now: datetime) -> str:
    return demo.load(engine, settings=settings, cooperatives=300, progress=False, clock_now=now)


def _cases(engine: Engine) -> list[Case]:
    with Session(engine) as s:
        return list(s.execute(select(Case)).scalars())


def _transitions(s: Session) -> list[CaseEvent]:
    return list(s.execute(select(CaseEvent).where(col(CaseEvent.kind) == "transition")).scalars())


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            model.__name__: s.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Cooperative, NameEntry, Case, CaseEvent, Timer, User)
        }


# -- the cases ---------------------------------------------------------------------------------


def test_every_name_approval_state_has_a_case(engine: Engine, loaded: str) -> None:
    states = Counter(c.state for c in _cases(engine))
    assert set(states) == {s.name for s in NAME_APPROVAL.states}
    assert 30 <= sum(states.values()) <= 50


def test_every_history_starts_with_opened_and_runs_forward_in_the_past(
    engine: Engine, loaded: str, now: datetime
) -> None:
    with Session(engine) as s:
        events = list(s.execute(
            select(CaseEvent).order_by(col(CaseEvent.case_id), col(CaseEvent.seq))
        ).scalars())
    by_case: dict[int, list[CaseEvent]] = defaultdict(list)
    for e in events:
        by_case[e.case_id].append(e)
    assert len(by_case) == len(_cases(engine))
    for history in by_case.values():
        assert history[0].kind == "opened"
        assert [e.at for e in history] == sorted(e.at for e in history)
        assert history[-1].at <= now


def test_the_system_takes_the_steps_that_fall_due_and_people_the_others(
    engine: Engine, loaded: str
) -> None:
    with Session(engine) as s:
        events = _transitions(s)
    by_system = {e.trigger for e in events if e.actor == "system"}
    assert by_system == {"expire", "close_unextended"}
    assert all(e.actor != "system" for e in events if e.trigger not in by_system)


def test_people_act_in_office_hours_and_the_system_when_a_day_ends(
    engine: Engine, loaded: str
) -> None:
    with Session(engine) as s:
        events = list(s.execute(select(CaseEvent)).scalars())
    for e in events:
        at = e.at.astimezone(OFFICE_TZ)
        if e.actor == "system":
            assert at.time() == time(0, 0)  # a full-day period ends at local midnight
        else:
            assert at.weekday() < 5 and time(8, 30) <= at.time() <= time(17, 0), (e.actor, at)


def test_expired_certificates_can_still_be_extended(
    engine: Engine, loaded: str, now: datetime
) -> None:
    expired = [c for c in _cases(engine) if c.state == "expired"]
    assert expired
    for case in expired:
        assert datetime.fromisoformat(case.data["due"]["extension_window"]) > now


def test_an_extension_and_close_names_are_part_of_the_stories(engine: Engine, loaded: str) -> None:
    with Session(engine) as s:
        events = _transitions(s)
    assert any(e.trigger == "extend" and e.to_state == "approved" for e in events)
    approvals = [e.data["payload"] for e in events if e.trigger == "approve"]
    assert any(p["accept_similar"] for p in approvals)
    assert any(p["reject_similar"] for p in approvals)
    referred = [c for c in _cases(engine) if c.state == "manager_review"]
    assert referred and all(c.assignee_id is not None for c in referred)
    assert any(c.state == "submitted" and c.assignee_id is not None for c in _cases(engine))


# -- the register ---------------------------------------------------------------------------------


def test_no_two_registered_cooperatives_share_a_same_as_key(engine: Engine, loaded: str) -> None:
    with Session(engine) as s:
        coops = list(s.execute(select(Cooperative)).scalars())
        entries = list(s.execute(
            select(NameEntry).where(col(NameEntry.source) == "register")
        ).scalars())
    assert len(coops) == 300
    keys = [same_as_key(n) for c in coops for n in (c.name_ar, c.name_fr)]
    assert len(set(keys)) == len(keys) == 600
    assert sorted(e.same_key for e in entries) == sorted(keys)
    numbers = {c.id: c.national_number for c in coops}
    assert all(e.ref == numbers[e.cooperative_id] for e in entries if e.cooperative_id)


def test_national_numbers_are_unique_and_well_formed(
    engine: Engine, loaded: str, now: datetime
) -> None:
    with Session(engine) as s:
        coops = list(s.execute(select(Cooperative)).scalars())
    assert len({c.national_number for c in coops}) == len(coops)
    seqs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for c in coops:
        m = NATIONAL_NUMBER.match(c.national_number)
        assert m, c.national_number
        assert (int(m[1]), int(m[2]), int(m[3])) == (c.reg_year, c.reg_series, c.reg_seq)
        assert 2005 <= c.reg_year <= now.year and c.registered_on.year == c.reg_year
        assert 5 <= c.members <= 300 and 0 <= c.women_members <= c.members
        seqs[(c.reg_year, c.reg_series)].append(c.reg_seq)
    # numbers restart each year in each series, and follow each other without gaps
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in seqs.values())


def test_contacts_are_moroccan_mobiles_and_addresses_that_reach_no_one(
    engine: Engine, loaded: str
) -> None:
    with Session(engine) as s:
        coops = list(s.execute(select(Cooperative)).scalars())
        applicants = [c.data["applicant"] for c in s.execute(select(Case)).scalars()]
    phones = [c.phone for c in coops if c.phone]
    emails = [c.email for c in coops if c.email] + [a["email"] for a in applicants]
    assert phones and all(re.fullmatch(r"0[67]\d{8}", p) for p in phones)
    assert emails and all(e.endswith(".example") for e in emails)
    assert all(a.get("phone") is None for a in applicants)


def test_names_look_moroccan(engine: Engine, loaded: str) -> None:
    with Session(engine) as s:
        coops = list(s.execute(select(Cooperative)).scalars())
    for c in coops:
        assert "تعاونية" in c.name_ar or "اتحاد" in c.name_ar, c.name_ar
        assert "Coopérative" in c.name_fr or "Union" in c.name_fr, c.name_fr
        assert script_of(c.name_ar) == "ar" and script_of(c.name_fr) == "latin"
    sectors = Counter(c.sector for c in coops)
    assert 0.5 < sectors["agriculture"] / len(coops) < 0.8
    assert len({c.delegation_id for c in coops}) >= 10


# -- loading twice, and alongside existing accounts ------------------------------------------


def test_a_second_load_if_empty_writes_nothing(
    engine: Engine, settings: Settings, loaded: str, now: datetime
) -> None:
    before = _counts(engine)
    again = demo.load(engine, settings=settings, cooperatives=300, if_empty=True, progress=False,
                      clock_now=now)
    assert again == demo.ALREADY_LOADED
    assert _counts(engine) == before


def test_existing_accounts_are_kept_and_new_ones_get_the_demo_password(
    engine: Engine, settings: Settings, now: datetime
) -> None:
    with Session(engine) as s:
        before = {u.username: u.password_hash for u in s.execute(select(User)).scalars()}
    summary = demo.load(engine, settings=settings, cooperatives=50, progress=False, clock_now=now)
    with Session(engine) as s:
        after = {u.username: u for u in s.execute(select(User)).scalars()}
    assert all(after[name].password_hash == hashed for name, hashed in before.items())
    created = [m.username for m in demo.DEMO_STAFF if m.username not in before]
    assert created and all(after[name].email == f"{name}@odco.example" for name in created)
    assert len({after[name].password_hash for name in created}) == 1  # hashed once
    assert demo.DEMO_PASSWORD in summary and "officer.marrakech" in summary


# -- the name generator ------------------------------------------------------------------------


def test_generated_names_have_the_shape_of_real_ones() -> None:
    names = demo_names.cooperative_names(random.Random(7), 2000)
    assert len(names) == 2000
    for g in names:
        assert g.name_ar.startswith(("تعاونية", "التعاونية النسوية", "اتحاد تعاونيات"))
        assert g.name_fr.startswith(("Coopérative ", "Union des coopératives "))
        assert g.sector in demo_names.SECTORS and g.kind in ("cooperative", "women", "union")
        assert (g.kind == "women") == ("النسوية" in g.name_ar) == ("féminine" in g.name_fr)
        if g.place is not None:
            assert g.place in g.name_fr
    kinds = Counter(g.kind for g in names)
    assert 0.08 < kinds["women"] / 2000 < 0.2 and kinds["union"] > 0
    assert 0.55 < sum(g.sector == "agriculture" for g in names) / 2000 < 0.78


def test_generated_names_are_diverse_and_reproducible() -> None:
    names = demo_names.cooperative_names(random.Random(7), 2000)
    assert len({same_as_key(g.name_ar) for g in names}) >= 0.9 * 2000
    assert len({same_as_key(g.name_fr) for g in names}) >= 0.9 * 2000
    assert names == demo_names.cooperative_names(random.Random(7), 2000)


def test_argan_comes_from_souss_and_dates_from_the_oases() -> None:
    names = demo_names.cooperative_names(random.Random(3), 3000)
    argan = {g.province for g in names if g.activity == "argan_oil"}
    dates = {g.province for g in names if g.activity == "dates"}
    assert argan and argan <= {"Tiznit", "Taroudant", "Essaouira", "Agadir Ida-Outanane",
                               "Chtouka-Aït Baha", "Inezgane-Aït Melloul", "Sidi Ifni",
                               "Chichaoua", "Guelmim", "Tata"}
    assert dates and "Casablanca" not in dates and "Errachidia" in dates


def test_a_proposal_has_one_to_three_names_in_both_scripts() -> None:
    rng = random.Random(11)
    proposals = [demo_names.proposal(rng) for _ in range(300)]
    assert {len(p) for p in proposals} == {1, 2, 3}
    assert all(len(set(p)) == len(p) for p in proposals)
    scripts = Counter(script_of(n) for p in proposals for n in p)
    assert scripts["ar"] > 100 and scripts["latin"] > 100
    within = demo_names.proposal_for(rng, provinces={"Tiznit"})
    assert within.province == "Tiznit" and within.purpose


def test_a_respelled_name_reads_the_same_but_is_not_the_same_key() -> None:
    name = "Coopérative Al Amal pour la production de l'huile d'argan, Tiznit"
    variant = demo_names.respelled(name)
    assert variant == "Coopérative Al Amel pour la production de l'huile d'argan, Tiznit"
    assert same_as_key(variant) != same_as_key(name)
    assert translit_key(variant) == translit_key(name)


def test_the_full_demo_has_every_state_of_every_case_type(engine: Engine, settings: Settings, now: datetime) -> None:
    from workflows.registry import REGISTRY

    summary = demo.load(engine, settings=settings, cooperatives=300, progress=False, clock_now=now,
                        other_case_types=True)
    with Session(engine) as s:
        present = set(s.execute(select(Case.workflow_key, Case.state)).all())
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        if wf.key.startswith("test_"):
            continue
        missing = {st.name for st in wf.states} - {state for key, state in present if key == wf.key}
        assert not missing, f"{wf.key}: no demo case in {sorted(missing)}"
        assert wf.key in summary or wf.key == "name_approval"
