"""The register: a 65,000-line import in one go, bad files refused with every line's
reason and nothing written, search in either script, corrections with their history."""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from cases import register
from cases.demo_names import cooperative_names
from cases.errors import Invalid
from cases.models import Cooperative, NameEntry
from cases.reference_data import DELEGATIONS
from rules.names import same_as_key
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[1]
REGION_OF = {code: region for code, region, *_ in DELEGATIONS}


def csv_bytes(rows: list[dict[str, object]], *, columns: tuple[str, ...] = register.COLUMNS, bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def generated(n: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows, seen = [], set()
    codes = list(REGION_OF)
    for i, g in enumerate(cooperative_names(rng, n * 2)):
        key = (same_as_key(g.name_ar), same_as_key(g.name_fr))
        if key in seen:
            continue
        seen.add(key)
        delegation = codes[i % len(codes)]
        rows.append({
            "national_number": f"{2005 + i % 20}/1/{len(rows) + 1:06d}", "name_ar": g.name_ar, "name_fr": g.name_fr,
            "region_code": REGION_OF[delegation], "delegation_code": delegation, "province": g.province,
            "sector": g.sector, "members": 12, "women_members": 5, "email": "", "phone": "0612345678",
            "language": "ar", "status": "active", "registered_on": f"{2005 + i % 20}-03-01",
        })
        if len(rows) == n:
            break
    return rows


def count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Cooperative)).one()


def test_a_register_of_65000_lines_imports_in_one_go(engine: Engine) -> None:
    rows = generated(65_000)
    with Session(engine) as s:
        report = register.import_csv(io.BytesIO(csv_bytes(rows)), db_session=s)
        s.commit()
    assert (report.read, report.imported, report.errors) == (65_000, 65_000, [])
    assert count(engine) == 65_000
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(NameEntry)).one() == 130_000
        phone = s.exec(select(Cooperative.phone).limit(1)).one()
    assert phone == "+212612345678"


def test_bad_lines_are_all_reported_and_nothing_is_written(engine: Engine) -> None:
    rows = generated(20)
    rows[3]["members"] = "douze"
    rows[7]["delegation_code"] = "XXX"
    rows[9]["phone"] = "0512"
    rows[12]["national_number"] = rows[11]["national_number"]
    rows[15]["women_members"] = 40
    with Session(engine) as s:
        report = register.import_csv(io.BytesIO(csv_bytes(rows)), db_session=s)
        s.commit()
    assert [e.line for e in report.errors] == [5, 9, 11, 14, 17]  # the header is line 1
    assert "members" in report.errors[0].reason and "XXX" in report.errors[1].reason
    assert "already in the register" in report.errors[3].reason
    assert count(engine) == 0

    with Session(engine) as s:
        partial = register.import_csv(io.BytesIO(csv_bytes(rows)), db_session=s, skip_invalid=True)
        s.commit()
    assert partial.imported == 15 and len(partial.errors) == 5
    assert count(engine) == 15


@pytest.mark.parametrize(("content", "message"), [
    ("national_number,name_ar\n2020/1/000001,تعاونية".encode(), "missing column"),
    (csv_bytes(generated(3)).decode("utf-8").encode("cp1256", errors="replace").replace(b"?", b"\xff"), "not UTF-8"),
])
def test_unreadable_files_are_refused_with_the_reason(engine: Engine, content: bytes, message: str) -> None:
    with Session(engine) as s, pytest.raises(Invalid) as exc:
        register.import_csv(io.BytesIO(content), db_session=s)
    assert message in exc.value.errors[0]["msg"]


def test_a_byte_order_mark_is_welcome(engine: Engine) -> None:
    with Session(engine) as s:
        report = register.import_csv(io.BytesIO(csv_bytes(generated(5), bom=True)), db_session=s)
        s.commit()
    assert report.imported == 5


def test_search_in_either_script_correct_and_export(engine: Engine, client: TestClient) -> None:
    rows = generated(30)
    rows[0].update({"name_ar": "تعاونية الأمل لإنتاج العسل", "name_fr": "Coopérative Al Amal pour le miel",
                    "delegation_code": "AGA", "region_code": "SMA"})
    with Session(engine) as s:
        register.import_csv(io.BytesIO(csv_bytes(rows)), db_session=s)
        s.commit()
    officer = login(client, "officer.agadir")
    found = client.get("/api/v1/cooperatives", params={"q": "AL-AMAL"}, headers=officer).json()
    assert [c["national_number"] for c in found] == [rows[0]["national_number"]]
    found_ar = client.get("/api/v1/cooperatives", params={"q": "الامل"}, headers=officer).json()
    assert [c["id"] for c in found_ar] == [c["id"] for c in found]
    coop_id = found[0]["id"]
    assert client.get(f"/api/v1/cooperatives/{coop_id}", headers=login(client, "officer.rabat")).status_code == 404

    corrected = client.patch(f"/api/v1/cooperatives/{coop_id}", headers=officer,
                             json={"name_fr": "Coopérative Al Amal Tiznit", "phone": "0712345678",
                                   "reason": "erreur de saisie au greffe"})
    assert corrected.status_code == 200 and corrected.json()["phone"] == "+212712345678"
    history = client.get(f"/api/v1/cooperatives/{coop_id}/history", headers=officer).json()
    assert history[0]["reason"] == "erreur de saisie au greffe"
    assert history[0]["changes"]["name_fr"] == {"from": "Coopérative Al Amal pour le miel",
                                                "to": "Coopérative Al Amal Tiznit"}
    with Session(engine) as s:
        active = s.exec(select(NameEntry.name).where(col(NameEntry.cooperative_id) == coop_id,
                                                     col(NameEntry.active))).all()
    assert sorted(active) == sorted(["تعاونية الأمل لإنتاج العسل", "Coopérative Al Amal Tiznit"])
    bad = client.patch(f"/api/v1/cooperatives/{coop_id}", headers=officer, json={"phone": "12", "reason": "x"})
    assert bad.status_code == 422

    assert client.get("/api/v1/register/export.csv", headers=officer).status_code == 403
    exported = client.get("/api/v1/register/export.csv", headers=login(client, "manager.hq"))
    lines = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(lines) == 30 and lines[0]["name_fr"] == "Coopérative Al Amal Tiznit"


def test_cli_import_reports_lines_and_exits_non_zero(engine: Engine, tmp_path: Path) -> None:
    rows = generated(10)
    rows[2]["registered_on"] = "hier"
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(rows))
    env = {**os.environ, "COOPFLOW_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    run = subprocess.run([sys.executable, "-m", "api.cli", "register", "import", str(path)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "line 4: registered_on" in run.stderr and "nothing imported" in run.stderr
    assert count(engine) == 0
    run = subprocess.run([sys.executable, "-m", "api.cli", "register", "import", str(path), "--skip-invalid"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "imported 9" in run.stdout
    assert count(engine) == 9
