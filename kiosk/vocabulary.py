"""The request vocabulary as the control room serves it (`GET /api/requests/vocabulary`): the
labels of request states and types in Chinese and English. The kiosk keeps no copy of its own
(controlroom/services/requests/wording.py is the one place they live). No Kivy, no I/O here.

Until the first answer arrives (the control room unreachable at start), a state shows as its
raw code, e.g. `return_visit`: the request screens are only reached with the control room
answering, and the kiosk asks again with every refresh of its public data until it has one
(docs/decisions.md, "One request vocabulary").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.wording import Lang

__all__ = ["Vocabulary"]

Labels = dict[str, dict[str, str]]


def _labels(answer: Any) -> Labels:
    if not isinstance(answer, dict):
        return {}
    return {str(code): {"zh": str(v.get("zh", "")), "en": str(v.get("en", ""))}
            for code, v in answer.items() if isinstance(v, dict)}


@dataclass(frozen=True)
class Vocabulary:
    states: Labels = field(default_factory=dict)
    types: Labels = field(default_factory=dict)

    @classmethod
    def of(cls, answer: Any) -> Vocabulary:
        """From the endpoint's JSON; anything malformed is left out (raw codes show)."""
        body = answer if isinstance(answer, dict) else {}
        return cls(states=_labels(body.get("states")), types=_labels(body.get("types")))

    @property
    def loaded(self) -> bool:
        return bool(self.states)

    def state(self, code: str, lang: Lang) -> str:
        return self.states.get(code, {}).get(lang) or code

    def type(self, code: str, lang: Lang) -> str:
        return self.types.get(code, {}).get(lang) or code
