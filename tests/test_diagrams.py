"""Each definition draws itself; the committed diagrams are the current ones."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from fastapi.testclient import TestClient

from tests.conftest import login
from workflows.diagram import render_svg
from workflows.registry import REGISTRY

DOCS = Path(__file__).resolve().parents[1] / "docs" / "workflows"


def test_committed_diagrams_are_up_to_date() -> None:
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        if wf.key.startswith("test_"):
            continue
        committed = DOCS / f"{wf.key}.svg"
        assert committed.exists(), f"run `coopflow diagrams`: {committed} is missing"
        assert committed.read_text(encoding="utf-8") == render_svg(wf), (
            f"{committed} is out of date: run `coopflow diagrams`"
        )


def test_diagram_shows_every_state_and_trigger_in_both_languages() -> None:
    wf = REGISTRY.get("name_approval").workflow
    svg = render_svg(wf)
    text = " ".join(t.text or "" for t in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"))
    for state in wf.states:
        assert state.name in text and state.title.ar in text
    for t in wf.transitions:
        assert t.trigger in text
    assert "décret 2-15-617, art. 4" in text


def test_diagram_is_served_to_signed_in_users(client: TestClient) -> None:
    assert client.get("/api/v1/workflows/name_approval/diagram.svg").status_code == 401
    response = client.get("/api/v1/workflows/name_approval/diagram.svg", headers=login(client, "officer.agadir"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/api/v1/workflows/nope/diagram.svg", headers=login(client, "officer.agadir")).status_code == 404
