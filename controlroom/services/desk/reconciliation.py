"""The desk's daily check of the register against the shelves (seed 003 L161): pure.

The desk walks the shelves and marks what it sees; every open item of the register not seen
is missing and goes to the supervisor at once; a tag seen that is not open on the register
(already released, or never booked in) is listed too, for the desk to sort out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Reconciliation", "reconcile"]


@dataclass(frozen=True)
class Reconciliation:
    checked: int
    missing: tuple[str, ...]  # serials on the register, not on the shelves
    unexpected: tuple[str, ...]  # serials on the shelves, not open on the register

    @property
    def clean(self) -> bool:
        return not self.missing and not self.unexpected


def reconcile(register: Iterable[str], seen: Iterable[str]) -> Reconciliation:
    open_serials = list(dict.fromkeys(register))
    seen_set = set(seen)
    missing = tuple(s for s in open_serials if s not in seen_set)
    unexpected = tuple(sorted(seen_set - set(open_serials)))
    return Reconciliation(len(open_serials), missing, unexpected)
