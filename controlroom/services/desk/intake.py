"""What the desk may take in (DOMAIN.md "Held items", seed 003 L145, L281).

A pure rule: the desk ticks what it sees (or what the depositor declares) and the rule says
whether the item may be taken, why not, and what the desk must say. Refusals are firm in the
software; "the depositor insists" is a conversation with the supervisor (seed 003 L281), who
can take the item in by hand under their own name, which the audit log then shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FLAGS", "INTAKE_KINDS", "KEY_TO_CUSTODY", "KINDS", "REFUSED_AT_INTAKE",
           "REFUSED_FOR_HANDOVER", "VALUABLES_WARNING", "IntakeDecision", "intake_decision"]

KINDS = ("parcel", "deposit", "handover", "key")  # every kind a record may have
# What the desk checks in. A flat's door key is not a held item: it is kept in key custody,
# only with the signed declaration (seed 003 L493-495); older "key" records still release.
INTAKE_KINDS = ("parcel", "deposit", "handover")
KEY_TO_CUSTODY = {
    "zh": "业主的门钥匙不作寄存物品登记：请在「钥匙托管」页面办理，"
          "并须签署《锁匙托管责任声明书》。",
    "en": "A flat's door key is not checked in as a held item: take it into custody on the "
          "Keys page (钥匙托管), with the signed key custody declaration.",
}

# Never taken in, whatever the kind: safety, cleanliness, other people's items (L145).
REFUSED_AT_INTAKE = {
    "dangerous": ("危险物品", "dangerous goods"),
    "perishable": ("易腐烂变质物品", "perishable items"),
    "insect_prone": ("易生虫物品", "insect-prone items"),
    "smelly": ("有异味物品", "smelly items"),
}
# Not handed over between parties (L281).
REFUSED_FOR_HANDOVER = {
    "cash": ("现金", "cash"),
    "valuables": ("贵重物品", "valuables"),
}
FLAGS = (*REFUSED_AT_INTAKE, *REFUSED_FOR_HANDOVER)

# Said, tactfully, at every deposit (L145): advice, not a block.
VALUABLES_WARNING = {
    "zh": "温馨提示：请勿寄存贵重物品及现金；请妥善保管提取联（取件码），凭此提取物品。",
    "en": "Please do not deposit valuables or cash; keep your claim stub (pickup code): "
          "only it releases the item.",
}


@dataclass(frozen=True)
class IntakeDecision:
    accepted: bool
    refused: tuple[str, ...]  # the flags that refuse it, in FLAGS order
    reason_zh: str
    reason_en: str
    warnings: tuple[str, ...]  # codes of what the desk must say ("valuables")


def intake_decision(kind: str, flags: Iterable[str]) -> IntakeDecision:
    """May the desk take this item in? `flags` are FLAGS words; unknown ones are an error."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    given = set(flags)
    unknown = given - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown flag(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(FLAGS)}")
    refused = [f for f in REFUSED_AT_INTAKE if f in given]
    if kind == "handover":
        refused += [f for f in REFUSED_FOR_HANDOVER if f in given]
    words = {**REFUSED_AT_INTAKE, **REFUSED_FOR_HANDOVER}
    warnings = ("valuables",) if kind in ("deposit", "handover") or "valuables" in given else ()
    if not refused:
        return IntakeDecision(True, (), "", "", warnings)
    zh = "、".join(words[f][0] for f in refused)
    en = ", ".join(words[f][1] for f in refused)
    what = "转交" if kind == "handover" and set(refused) & set(REFUSED_FOR_HANDOVER) else "寄存"
    return IntakeDecision(
        False, tuple(refused),
        f"不予{what}：{zh}。如住户坚持，请联系管家部主管。",
        f"Refused: {en} cannot be taken in{' for hand-over' if what == '转交' else ''}. "
        "If the depositor insists, call the butler supervisor.",
        warnings)
