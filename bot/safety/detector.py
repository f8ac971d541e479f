"""Rule-based danger and high-stakes detector (first version; see tests/bot/test_safety_*.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List

_EMERGENCY = [
    ("self_harm", r"\b(kill myself|end my life|suicid\w*|want to die|hurt myself)\b"),
    ("violence_now", r"\b(he|she|they|someone)('s| is| are)? (hitting|beating|choking|attacking) me\b"),
    ("intruder", r"\b(someone|somebody|a man|a guy)('s| is) (breaking|trying to break) in\b"),
    ("threat_now", r"\b(threaten\w* to kill|has a (gun|knife))\b"),
]
_HIGH_STAKES = [
    ("criminal_charges", r"\b(arrested|charged with|criminal charges?|felony|indicted)\b"),
    ("immigration_detention", r"\b(ice detain\w*|detained by ice|deportation|removal proceedings?)\b"),
    ("eviction_hearing", r"\beviction (hearing|court date|trial)\b"),
]


@dataclass
class Assessment:
    level: str = "none"  # "emergency" | "abuse" | "none"
    categories: List[str] = field(default_factory=list)
    high_stakes: List[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"level": self.level, "categories": list(self.categories), "high_stakes": list(self.high_stakes)}


def assess(text: str) -> Assessment:
    lowered = (text or "").lower()
    result = Assessment()
    for name, pattern in _EMERGENCY:
        if re.search(pattern, lowered):
            result.categories.append(name)
    if result.categories:
        result.level = "emergency"
    for name, pattern in _HIGH_STAKES:
        if re.search(pattern, lowered):
            result.high_stakes.append(name)
    return result
