"""The admin colours confidences by the bot's configured thresholds (handoff/admin/confidence.py)."""
from __future__ import annotations

import pytest

from analytics import bot_config
from handoff.admin import confidence
from handoff.admin.confidence import ConfidenceBands


@pytest.fixture
def fresh_bands():
    confidence.configured_bands.cache_clear()
    yield
    confidence.configured_bands.cache_clear()


def test_bands_split_at_the_thresholds():
    bands = ConfidenceBands(answer=0.65, handoff=0.25)
    assert bands.css_class(None) == ""
    assert bands.css_class(0.0) == "conf-low"
    assert bands.css_class(0.2499) == "conf-low"
    assert bands.css_class(0.25) == "conf-mid"
    assert bands.css_class(0.6499) == "conf-mid"
    assert bands.css_class(0.65) == "conf-high"
    assert bands.css_class(1.0) == "conf-high"


def test_the_live_bot_config_sets_the_bands(fresh_bands):
    bands = confidence.configured_bands()
    assert bands.answer == bot_config.current_threshold()
    assert bands.handoff == bot_config.handoff_threshold()
    assert 0.0 < bands.handoff < bands.answer < 1.0


def test_thresholds_are_read_from_any_config(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: FallbackClassifier\n    threshold: 0.5\n"
        "  - name: bot.components.triage_decision.TriageDecision\n    handoff_threshold: 0.3\n"
    )
    assert bot_config.current_threshold(config) == pytest.approx(0.5)
    assert bot_config.handoff_threshold(config) == pytest.approx(0.3)
    config.write_text("pipeline:\n  - name: FallbackClassifier\n    threshold: high\n")
    assert bot_config.current_threshold(config) is None and bot_config.handoff_threshold(config) is None
    config.write_text("- just a list\n")
    assert bot_config.current_threshold(config) is None
    assert bot_config.current_threshold(tmp_path / "missing.yml") is None


def test_a_moved_threshold_moves_the_colours(monkeypatch, fresh_bands):
    monkeypatch.setattr(bot_config, "current_threshold", lambda: 0.8)
    monkeypatch.setattr(bot_config, "handoff_threshold", lambda: 0.4)
    assert confidence.confidence_class(0.7) == "conf-mid"
    assert confidence.confidence_class(0.3) == "conf-low"


def test_an_unreadable_config_falls_back_to_the_released_values(monkeypatch, fresh_bands):
    monkeypatch.setattr(bot_config, "current_threshold", lambda: None)
    monkeypatch.setattr(bot_config, "handoff_threshold", lambda: 0.9)  # above the answer threshold: ignored
    assert confidence.configured_bands() == ConfidenceBands(answer=confidence.DEFAULT_ANSWER,
                                                           handoff=confidence.DEFAULT_HANDOFF)
