"""Who may take a held item, where, and with what (DOMAIN.md "Held items", seed 003 §1.2-1.3).

A pure rule over plain values; the service applies it and records the release.

- Parcels and deposits: against their pickup code (the claim stub as digits), at the kiosk
  or at the desk; whoever holds the code may collect, as with the paper stub. At the desk
  a parcel may also go, without the code, to a resident of the flat or one of their named
  emergency contacts (proxy pickup), whose ID number is then recorded.
- Hand-overs and keys: only at the desk, only to a resident of the flat or a named emergency
  contact, and only with an ID number, which is recorded (the kiosk sends them to the desk).
- Pieces are re-counted at release: a different count stops the release (go to the desk /
  call the supervisor).
- A vacation hold keeps every item of the flat at the desk: the kiosk refuses them
  (`desk_only`) and the desk must end the hold first, so a code forwarded or seen while the
  resident is away opens nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CHANNELS", "DESK_ONLY_KINDS", "ItemFacts", "Verdict", "normalise_name",
           "release_allowed", "valid_id_number"]

CHANNELS = ("kiosk", "desk")
DESK_ONLY_KINDS = ("handover", "key")
# PRC resident ID (18, last may be X), or a passport / permit number (5-20 letters and digits).
_ID = re.compile(r"^(\d{17}[\dXx]|[A-Za-z0-9]{5,20})$")


@dataclass(frozen=True)
class ItemFacts:
    kind: str
    pieces: int
    code: str
    released: bool = False
    on_hold: bool = False


@dataclass(frozen=True)
class Verdict:
    ok: bool
    code: str  # "ok" or why not: already_collected, on_hold, desk_only, wrong_code, ...
    reason: str  # what the person should do, in English (the API's detail)


def valid_id_number(id_number: str | None) -> bool:
    return bool(id_number) and bool(_ID.match(id_number.strip()))  # type: ignore[union-attr]


def normalise_name(name: str) -> str:
    return "".join(name.split()).casefold()


def release_allowed(item: ItemFacts, channel: str, code: str | None, pieces: int | None,
                    id_number: str | None, collector: str | None = None,
                    entitled: Iterable[str] = ()) -> Verdict:
    """May `item` be released through `channel` with what was presented?

    `entitled` are the names of the flat's residents and their emergency contacts; `collector`
    is the name the desk read off the ID (desk only).
    """
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    if item.released:
        return Verdict(False, "already_collected", "this item was already collected")
    if item.on_hold:
        return Verdict(False, "on_hold" if channel == "desk" else "desk_only",
                       "the flat's items are on vacation hold: the desk ends the hold first")
    code_ok = code is not None and code == item.code
    refusal = (_kiosk_refusal(item, code_ok) if channel == "kiosk"
               else _desk_refusal(item, code_ok, id_number, collector, entitled))
    if refusal is not None:
        return refusal
    if pieces is None or pieces != item.pieces:
        return Verdict(False, "pieces_mismatch",
                       f"re-count the pieces: the register says {item.pieces}")
    return Verdict(True, "ok", "")


def _kiosk_refusal(item: ItemFacts, code_ok: bool) -> Verdict | None:
    if item.kind in DESK_ONLY_KINDS:
        return Verdict(False, "desk_only",
                       "hand-overs and keys are released at the desk against ID")
    if not code_ok:
        return Verdict(False, "wrong_code", "the pickup code does not match")
    return None


def _desk_refusal(item: ItemFacts, code_ok: bool, id_number: str | None, collector: str | None,
                  entitled: Iterable[str]) -> Verdict | None:
    """At the desk, without the code (or for a hand-over or key) the collector shows an ID and
    is a resident of the flat or one of their named emergency contacts."""
    if item.kind not in DESK_ONLY_KINDS and code_ok:
        return None
    if not valid_id_number(id_number):
        return Verdict(False, "id_required",
                       "record the collector's ID number (18-digit ID card or passport number)"
                       + ("" if item.kind in DESK_ONLY_KINDS else ", or take the pickup code"))
    named = collector is not None and normalise_name(collector) in {
        normalise_name(n) for n in entitled}
    if not named:
        return Verdict(False, "not_entitled",
                       "the collector must be a resident of the flat or one of their named "
                       "emergency contacts")
    return None
