"""The one error shape of the control room API, and the exception that carries it.

Every error answer is a JSON object with `detail` (a sentence a person can act on). Errors a
program must tell apart also carry `code` (a stable snake_case word) and sometimes more fields,
e.g. `{"detail": "...", "code": "locked", "retry_after_s": 120}` or
`{"detail": "...", "code": "wrong_pin", "attempts_left": 3}`.

    HTTPException (FastAPI)       -> {"detail": str}
    RequestValidationError (422)  -> {"detail": str, "errors": [...]}   (app.py)
    ApiProblem                    -> {"detail": str, "code": str, **extra}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_ID", "ApiProblem", "ErrorBody", "ValidationErrorBody", "api_problem_handler",
           "problems", "validation_detail"]

# The largest id a path takes: ids are 32-bit on PostgreSQL, and a larger number must be a 422
# (or a 404), never a database overflow.
MAX_ID = 2_147_483_647


class ErrorBody(BaseModel):
    """What every error answer looks like (for the OpenAPI document)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"detail": "no alert 999"},
        {"detail": "wrong PIN: 3 attempts left", "code": "wrong_pin", "attempts_left": 3},
    ]})
    detail: str = Field(description="what went wrong, in words a person can act on")
    code: str | None = Field(default=None, description="a stable snake_case word, for errors "
                                                       "a program must tell apart")


class ValidationErrorBody(ErrorBody):
    """A 422: `detail` names each field and what is wrong with it; `errors` holds pydantic's
    list for programs (absent when the request was well-formed but not acceptable, e.g. an
    unknown device)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"detail": "cause: Input should be 'real', 'false_alarm', 'test', 'device_fault' or "
                   "'other'",
         "errors": [{"type": "literal_error", "loc": ["body", "cause"],
                     "msg": "Input should be 'real', 'false_alarm', 'test', 'device_fault' or "
                            "'other'", "input": "bored"}]},
    ]})
    errors: list[dict[str, Any]] | None = Field(default=None, description="pydantic's errors")


_DESCRIPTIONS = {
    400: "The request cannot be read",
    401: "Not signed in, or the token is invalid or expired",
    403: "The caller's role may not do this",
    404: "No such thing",
    409: "The change contradicts the current state",
    422: "A field is missing or invalid: `detail` says which and why",
    423: "Locked for a while",
    429: "Too many attempts",
}


# What to do, for the pydantic error types whose own message only says what is wrong.
_HINTS = {
    "missing": "send it",
    "extra_forbidden": "not a field of this call: leave it out",
    "json_invalid": "send the body as JSON",
    "model_attributes_type": "send a JSON object",
}


_PLACES = ("body", "query", "path", "header", "cookie")


def validation_detail(errors: Sequence[Any]) -> str:
    """One sentence per invalid field, `field: what is wrong, and what to send`, for a 422."""
    parts = []
    for err in errors:
        # The field's name, without where it came from (body, query, path).
        place = list(err.get("loc", ()))
        if place and place[0] in _PLACES:
            place = place[1:]
        loc = ".".join(str(p) for p in place)
        kind = err.get("type", "")
        if kind == "json_invalid":
            loc = "body"  # pydantic gives the character offset as the place
        msg = err.get("msg", "invalid")
        hint = _HINTS.get(kind)
        parts.append(f"{loc or 'body'}: {msg}" + (f" ({hint})" if hint else ""))
    return "; ".join(parts)


def problems(*codes: int, json_refs: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the one error shape.

    `json_refs` for a route whose success is not JSON (its response class would otherwise
    give the errors its own media type): the errors then refer to the shapes by name."""
    if json_refs:
        return {code: {"description": _DESCRIPTIONS.get(code, "Error"), "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/" + (
                "ValidationErrorBody" if code == 422 else "ErrorBody")}}}} for code in codes}
    return {code: {"model": ValidationErrorBody if code == 422 else ErrorBody,
                   "description": _DESCRIPTIONS.get(code, "Error")} for code in codes}


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, detail: str,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extra = extra


async def api_problem_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return JSONResponse(status_code=exc.status, headers=exc.headers,
                        content={"detail": exc.detail, "code": exc.code, **exc.extra})
