"""The OpenAPI document is complete: every operation has a typed success body (a 204 has
none) and declares the errors it can answer, all in the one error shape; the examples in it
are valid."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from config import Settings, load_site
from controlroom.app import create_app
from tests.controlroom.conftest import _passwords

ERROR_REF = "#/components/schemas/ErrorBody"
VALIDATION_REF = "#/components/schemas/ValidationErrorBody"
# Calls whose change the alert's current state can refuse (409).
CONFLICTING = {
    ("post", "/api/alerts/{alert_id}/ack"), ("post", "/api/alerts/{alert_id}/dispatch"),
    ("post", "/api/alerts/{alert_id}/resolve"), ("post", "/api/alerts/{alert_id}/assign"),
    ("post", "/api/alerts/{alert_id}/plan/{step}/tick"),
}
# Bodies that are not JSON: they must still say what they are.
NON_JSON = {"text/event-stream", "text/csv"}


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = load_site()
    tmp: Path = tmp_path_factory.mktemp("openapi")
    settings = Settings(f"sqlite:///{tmp}/cr.db", site.mqtt_url, "http://testserver")
    with TestClient(create_app(site, settings, _passwords())) as c:
        r = c.get("/openapi.json")
        assert r.status_code == 200
        yield r.json()


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in doc["paths"].items()
            for method, op in ops.items() if method in ("get", "post", "put", "patch", "delete")]


def _ref(media: dict[str, Any]) -> str | None:
    return media.get("schema", {}).get("$ref")


def test_every_operation_has_a_typed_success_body(doc: dict[str, Any]) -> None:
    missing = []
    for method, path, op in _operations(doc):
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        if not ok:
            missing.append(f"{method.upper()} {path}: no 2xx response")
            continue
        for code, resp in ok.items():
            content = resp.get("content", {})
            if code == "204":
                # No Content: the one success that may not have a body (RFC 9110 15.3.5).
                if content:
                    missing.append(f"{method.upper()} {path} 204: declares a body")
                continue
            if not content:
                missing.append(f"{method.upper()} {path} {code}: no body")
            for media_type, media in content.items():
                if media_type == "application/json" and not _ref(media):
                    missing.append(f"{method.upper()} {path} {code}: JSON without a model")
                elif media_type in NON_JSON and media.get("schema", {}).get("type") != "string":
                    missing.append(f"{method.upper()} {path} {code}: {media_type} untyped")
                elif media_type not in NON_JSON and media_type != "application/json":
                    missing.append(f"{method.upper()} {path} {code}: unexpected {media_type}")
    assert not missing, "\n".join(missing)


def _expected_errors(method: str, path: str, op: dict[str, Any]) -> set[str]:
    want = set()
    if op.get("security"):
        want |= {"401", "403"}
    if any(p["in"] == "path" for p in op.get("parameters", [])):
        want.add("404")
    if op.get("parameters") or op.get("requestBody"):
        want.add("422")
    if (method, path) in CONFLICTING:
        want.add("409")
    return want


def test_every_operation_declares_its_errors_in_the_one_shape(doc: dict[str, Any]) -> None:
    problems = []
    for method, path, op in _operations(doc):
        where = f"{method.upper()} {path}"
        declared = {c for c in op["responses"] if c.startswith(("4", "5"))}
        if lacking := _expected_errors(method, path, op) - declared:
            problems.append(f"{where}: no {', '.join(sorted(lacking))}")
        for code in declared:
            content = op["responses"][code].get("content", {})
            want = VALIDATION_REF if code == "422" else ERROR_REF
            got = _ref(content.get("application/json", {}))
            if got != want:
                problems.append(f"{where} {code}: {got} instead of {want}")
    assert not problems, "\n".join(problems)
    # FastAPI's own 422 shape ({"detail": [...]}) is not what the API answers.
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_the_error_shapes_are_detail_and_code_and_validation_keeps_errors(
        doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["detail"]
    assert set(schemas["ErrorBody"]["properties"]) == {"detail", "code"}
    assert set(schemas["ValidationErrorBody"]["properties"]) == {"detail", "code", "errors"}


def _examples(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """(JSON pointer of the schema, example) for every example in the document's schemas."""
    if isinstance(node, dict):
        for example in node.get("examples", []) if isinstance(node.get("examples"), list) \
                else []:
            yield pointer, example
        if "example" in node:
            yield pointer, node["example"]
        for key, child in node.items():
            if key not in ("examples", "example"):
                yield from _examples(child, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _examples(child, f"{pointer}/{i}")


def test_the_examples_in_the_document_are_valid(doc: dict[str, Any]) -> None:
    found = list(_examples(doc["components"]["schemas"], "#/components/schemas"))
    # At least the error shapes and the operators' bodies carry examples.
    named = {pointer.split("/")[3] for pointer, _ in found}
    assert {"ErrorBody", "ValidationErrorBody", "ResolveBody", "DispatchBody", "SignalIn",
            "TestWindowIn"} <= named
    bad = []
    for pointer, example in found:
        # The whole document is the root, so the schema's own $refs resolve.
        validator = Draft202012Validator({"$ref": pointer, "components": doc["components"]})
        errors = [e.message for e in validator.iter_errors(example)]
        if errors:
            bad.append(f"{pointer}: {example!r}: {errors}")
    assert not bad, "\n".join(bad)
