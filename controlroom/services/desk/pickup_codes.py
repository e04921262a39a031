"""Pickup codes for held items: 6 digits, random, unique among the site's open items.

The code is the resident's claim (the paper claim stub of seed 003, as digits): whoever holds
it may collect a parcel or deposit at the kiosk. So it must not be guessable from any other
code: every code is drawn from `secrets` (the OS's CSPRNG), never counted up, never derived
from the serial number, the flat or the time. A code is single use: once the item is
released the code no longer opens anything, and it is kept out of circulation for
`QUARANTINE_DAYS` so that a second use is answered "already collected", not with another
flat's parcel.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Container

__all__ = ["CODE_DIGITS", "QUARANTINE_DAYS", "CodeSpaceExhausted", "is_weak", "new_code"]

CODE_DIGITS = 6
SPACE = 10 ** CODE_DIGITS
QUARANTINE_DAYS = 90  # a released item's code is not handed out again for this long
MAX_DRAWS = 1000  # with the site's few hundred open items a clash is rare; 1000 misses = full


class CodeSpaceExhausted(RuntimeError):
    pass


def is_weak(code: str) -> bool:
    """Codes a guesser types first (000000, 111111, 123456, 987654) are never issued."""
    digits = [int(c) for c in code]
    steps = {b - a for a, b in itertools.pairwise(digits)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def new_code(taken: Container[str], randbelow: Callable[[int], int] = secrets.randbelow
             ) -> str:
    """A fresh code not in `taken` (the codes of open items and of recently released ones).

    `randbelow` is only replaceable so a test can force a clash; the default is `secrets`.
    """
    for _ in range(MAX_DRAWS):
        code = f"{randbelow(SPACE):0{CODE_DIGITS}d}"
        if code not in taken and not is_weak(code):
            return code
    raise CodeSpaceExhausted("no free pickup code after 1000 draws: release or dispose of "
                             "old items")
