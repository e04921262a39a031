"""Passwords (argon2) and bearer tokens (HMAC-signed, expiring)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger(__name__)


class Passwords:
    """argon2id with the library's recommended cost by default; tests pass a cheaper one."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    @classmethod
    def at_cost(cls, cost: str) -> Passwords:
        """`low` (BUTLER_PASSWORD_HASH_COST=low, set by the test suite for the control-room
        processes it starts) makes each hash ~1 ms instead of ~100 ms: start-up hashes every
        staff password and resident PIN, which on a loaded 2-CPU test machine took 30 s.
        Never set it in production; it is logged loudly when set."""
        if cost == "low":
            log.warning("BUTLER_PASSWORD_HASH_COST=low: cheap password hashes (tests only)")
            return cls(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        return cls()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True)
class TokenClaims:
    username: str
    role: str
    expires: int
    version: int = 0  # the account's session version when issued (revocation, accounts.py)


class TokenError(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(secret: bytes, username: str, role: str, minutes: int, now: float | None = None,
                version: int = 0) -> str:
    now = time.time() if now is None else now
    body = _b64(json.dumps({"u": username, "r": role, "exp": int(now + minutes * 60),
                            "v": version}).encode())
    sig = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{sig}"


def read_token(secret: bytes, token: str, now: float | None = None) -> TokenClaims:
    now = time.time() if now is None else now
    try:
        body, sig = token.split(".")
        expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(sig, expected):
            raise TokenError("bad signature")
        claims = json.loads(_unb64(body))
        out = TokenClaims(str(claims["u"]), str(claims["r"]), int(claims["exp"]),
                          int(claims.get("v", 0)))
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError(f"malformed token: {exc}") from None
    if out.expires < now:
        raise TokenError("token expired")
    return out
