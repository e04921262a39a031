"""How a resident logs in at the stand-in: by card, by PIN, or by a one-time code "sent by SMS"
(`codes_sent`); wrong PINs and codes count towards a lock per kiosk and flat."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

from config import Resident, Site

from .data import PIN_LIMIT, PIN_LOCK_S, Json, iso, mask
from .problem import Problem


class ResidentLogins:
    """Part of FakeKioskApi (api.py), which sets these up."""

    site: Site
    sessions: dict[str, tuple[str, str, str]]  # token -> unit, name, kiosk
    pin_failures: dict[str, int]
    pin_locked: dict[str, float]
    codes_sent: dict[str, str]  # unit -> the one-time code "sent by SMS"
    session_methods: dict[str, str]  # token -> pin, otp or card

    def _resident_by(self, method: str, unit: str, body: Json) -> Resident | None:
        """The flat's resident whose PIN, or the flat's one-time code (used up), it is."""
        if method == "otp":
            if not body.get("code") or self.codes_sent.get(unit) != body.get("code"):
                return None
            del self.codes_sent[unit]
            return next((p for p in self.site.residents if p.unit == unit), None)
        return next((p for p in self.site.residents
                     if p.unit == unit and p.pin == body.get("pin")), None)

    def _login(self, body: Json, kiosk_id: str) -> tuple[int, Json]:
        method = body.get("method")
        resident = None
        if method == "card":
            card = str(body.get("card", "")).upper()
            resident = next((p for p in self.site.residents
                             if (p.card or "").upper() == card), None)
            if resident is None:
                raise Problem(401, "unknown_card", "this card is not known")
        elif method == "otp_request":  # a code "sent by SMS": kept in `codes_sent`
            unit = str(body.get("unit", ""))
            if any(p.unit == unit for p in self.site.residents):
                self.codes_sent[unit] = f"{secrets.randbelow(1_000_000):06d}"
            return 202, {"sent": True}
        elif method in ("pin", "otp"):
            unit = str(body.get("unit", ""))
            key = f"{kiosk_id}:{unit}"
            left = self.pin_locked.get(key, 0) - time.monotonic()
            if left > 0:
                raise Problem(429, "locked", "too many wrong PINs", retry_after_s=int(left) + 1)
            resident = self._resident_by(method, unit, body)
            if resident is None:
                n = self.pin_failures.get(key, 0) + 1
                self.pin_failures[key] = n
                if n >= PIN_LIMIT:
                    self.pin_failures[key] = 0
                    self.pin_locked[key] = time.monotonic() + PIN_LOCK_S
                    raise Problem(429, "locked", "too many wrong PINs", retry_after_s=PIN_LOCK_S)
                raise Problem(401, "wrong_pin", "wrong flat or PIN", attempts_left=PIN_LIMIT - n)
            self.pin_failures.pop(key, None)
        else:
            raise Problem(422, "invalid", "method: unknown")
        token = secrets.token_hex(8)
        self.sessions[token] = (resident.unit, resident.name, kiosk_id)
        self.session_methods[token] = str(method)
        return 201, {"session": token, "unit": resident.unit, "name_masked": mask(resident.name),
                     "expires_at": iso(datetime.now(UTC) + timedelta(minutes=15)),
                     "idle_s": 120}
