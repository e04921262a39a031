"""The stand-in's refusal: the contract's problem answer (status, `code`, `detail`, extras)."""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.body = status, {"detail": detail, "code": code, **extra}
