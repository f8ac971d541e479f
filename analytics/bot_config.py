"""The bot's confidence thresholds as configured in bot/config.yml, for the analytics and the admin.

Read from the file rather than imported from the bot package: the app's environment does not install Rasa,
and the file is what the deployed model was trained with.
"""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = REPO_ROOT / "bot" / "config.yml"
TRIAGE_COMPONENT = "bot.components.triage_decision.TriageDecision"


def pipeline_setting(component: str, key: str, config_path: Path = CONFIG_PATH) -> float | None:
    """A numeric setting of one pipeline component, or None when the file, the component or the number is
    missing (callers show "not configured" instead of failing a page)."""
    try:
        import yaml

        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, ImportError):
        return None
    pipeline = config.get("pipeline") if isinstance(config, dict) else None
    for item in pipeline or []:
        if isinstance(item, dict) and item.get("name") == component:
            value = item.get(key)
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            return float(value) if is_number else None
    return None


def current_threshold(config_path: Path = CONFIG_PATH) -> float | None:
    """The bot's answer threshold today: the FallbackClassifier threshold. At or above it the bot treats the
    topic as known; below it the message gets the clarifying question or the lawyer offer."""
    return pipeline_setting("FallbackClassifier", "threshold", config_path)


def handoff_threshold(config_path: Path = CONFIG_PATH) -> float | None:
    """Below this top-topic confidence an unsure message goes straight to the lawyer offer instead of the
    clarifying question (TriageDecision's handoff_threshold)."""
    return pipeline_setting(TRIAGE_COMPONENT, "handoff_threshold", config_path)
