"""How the admin colours a classifier confidence: by what the bot does with it, not by fixed numbers.

Three bands follow the thresholds in bot/config.yml, so moving the threshold (the dashboard's advisor) moves the
colours with it:
- confident (green): at or above the FallbackClassifier threshold: the bot answered on that topic;
- unsure (amber): between the triage handoff threshold and that: the bot asked one clarifying question;
- low (red): below the handoff threshold: the bot offered a lawyer straight away.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analytics import bot_config

# Used only when bot/config.yml cannot be read (an app deployed without the bot's files); the values of the
# configuration this app was released with.
DEFAULT_ANSWER = 0.65
DEFAULT_HANDOFF = 0.25


@dataclass(frozen=True)
class ConfidenceBands:
    answer: float
    handoff: float

    def css_class(self, value: float | None) -> str:
        if value is None:
            return ""
        if value >= self.answer:
            return "conf-high"
        if value >= self.handoff:
            return "conf-mid"
        return "conf-low"


@lru_cache(maxsize=1)
def configured_bands() -> ConfidenceBands:
    answer = bot_config.current_threshold()
    handoff = bot_config.handoff_threshold()
    answer = DEFAULT_ANSWER if answer is None else answer
    handoff = DEFAULT_HANDOFF if handoff is None or handoff > answer else handoff
    return ConfidenceBands(answer=answer, handoff=handoff)


def confidence_class(value: float | None) -> str:
    return configured_bands().css_class(value)
