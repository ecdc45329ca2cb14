"""The OpenAPI document is complete: served with its interactive page at /docs, every
operation described, every request body with an example (and every example valid), every
error documented as a problem (RFC 9457) and every data model of the case types with an
example that its own model accepts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.schemas import action_examples, opening_examples
from workflows.registry import REGISTRY

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return resolved


def has_example(spec: dict[str, Any], media_type: str, media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = resolve(spec, media.get("schema", {}))
    if schema.get("examples") or schema.get("example") is not None:
        return True
    if media_type == "multipart/form-data":
        # A file upload: Swagger offers a file picker; every other part needs an example.
        return all(
            p.get("format") == "binary" or p.get("contentMediaType") or p.get("examples") or "default" in p
            for p in (resolve(spec, p) for p in schema.get("properties", {}).values())
        )
    return False


def test_docs_and_document_are_served(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert client.get("/openapi.json").json()["info"]["title"] == "coopflow"


def test_every_operation_is_described(document: dict[str, Any]) -> None:
    missing = [f"{m} {p}" for m, p, op in operations(document)
               if not (op.get("description") or "").strip()]
    assert not missing, f"operations without a description (a docstring): {missing}"


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    missing = [
        f"{m} {p} ({media_type})"
        for m, p, op in operations(document)
        for media_type, media in op.get("requestBody", {}).get("content", {}).items()
        if not has_example(document, media_type, media)
    ]
    assert not missing, f"request bodies without an example: {missing}"


def test_errors_are_documented_as_problems(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code", "message"} <= set(problem["required"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, op in operations(document):
        responses = op["responses"]
        for status in ("4XX", "5XX"):
            assert "application/problem+json" in responses[status]["content"], (method, path, status)
        if op.get("security"):
            assert "401" in responses, (method, path)
        if op.get("parameters") or op.get("requestBody"):
            assert responses["422"]["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"}, (method, path)


def data_models() -> list[tuple[str, type[BaseModel]]]:
    found: list[tuple[str, type[BaseModel]]] = []
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        if wf.opening is not None:
            found.append((f"{wf.key}:open", wf.opening))
        found += [(f"{wf.key}.{t.trigger}", t.data) for t in wf.transitions if t.data is not None]
    return found


@pytest.mark.parametrize(("name", "model"), data_models(), ids=[n for n, _ in data_models()])
def test_every_data_model_has_a_valid_example(name: str, model: type[BaseModel]) -> None:
    examples = model.model_json_schema().get("examples")
    assert examples, f"{name}: {model.__name__} has no example"
    for example in examples:
        model.model_validate(example)


def test_the_operation_examples_cover_every_case_type_and_step() -> None:
    opening = opening_examples()
    steps = action_examples()
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        if wf.opening is not None:
            assert opening[wf.key]["value"]["workflow"] == wf.key
            wf.opening.model_validate(opening[wf.key]["value"]["data"])
        for t in wf.transitions:
            if t.roles <= {"system"}:
                continue
            value = steps[f"{wf.key}.{t.trigger}"]["value"]
            if t.data is not None:
                t.data.model_validate(value["data"])


def test_case_opening_examples_open_cases(client: TestClient) -> None:
    """The example shown first in /docs works as it stands (for the counter's case type)."""
    from tests.conftest import login

    officer = login(client, "officer.agadir")
    value = opening_examples()["name_approval"]["value"]
    opened = client.post("/api/v1/cases", json=value, headers=officer)
    assert opened.status_code == 201, opened.text
