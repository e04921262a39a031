"""What a numeric keypad has typed so far: plain values, no Kivy.

The flat field takes digits and '-', e.g. 1-2-1502; the PIN and pickup code take digits and
are shown as dots only for the PIN (a pickup code is on the slip anyway and the resident must
see what they typed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["CLEAR", "DELETE", "Entry", "keys_for"]

DELETE = "←"
CLEAR = "C"
_DIGITS = "1234567890"


def keys_for(allow_dash: bool) -> tuple[str, ...]:
    """Keys of the pad in reading order (3 columns): 1-9, then '-' or clear, 0, delete."""
    return (*_DIGITS[:9], "-" if allow_dash else CLEAR, "0", DELETE)


@dataclass(frozen=True)
class Entry:
    value: str = ""
    max_len: int = 6
    secret: bool = False
    allow_dash: bool = False

    def press(self, key: str) -> Entry:
        if key == DELETE:
            return replace(self, value=self.value[:-1])
        if key == CLEAR:
            return replace(self, value="")
        allowed = key.isdigit() or (key == "-" and self.allow_dash)
        if not allowed or len(key) != 1 or len(self.value) >= self.max_len:
            return self
        return replace(self, value=self.value + key)

    def cleared(self) -> Entry:
        return replace(self, value="")

    @property
    def display(self) -> str:
        return "●" * len(self.value) if self.secret else self.value

    @property
    def complete(self) -> bool:
        return len(self.value) >= (4 if self.secret else 1)
