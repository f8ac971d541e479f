"""Drift of the topic mix and of mean confidence (fixture: three weeks of three triaged messages each)."""
from __future__ import annotations

import pytest

from analytics.drift import DriftConfig, drift, total_variation, weekly_observations


def test_total_variation():
    assert total_variation({"a": 1.0}, {"a": 1.0}) == 0
    assert total_variation({"a": 1.0}, {"b": 1.0}) == 1
    assert total_variation({"a": 0.5, "b": 0.5}, {"a": 1.0}) == pytest.approx(0.5)


def test_weekly_drift(dataset):
    weeks = weekly_observations(dataset.messages)
    # W45: housing .9, employment .8, divorce .4 (the greeting has no topic); W46: immigration .7, crime .85,
    # traffic .2; W47: employment .7, consumer .6, domestic_violence .95 (the greeting again excluded).
    assert {w: len(v) for w, v in weeks.items()} == {"2026-W45": 3, "2026-W46": 3, "2026-W47": 3}
    result = drift(weeks, DriftConfig(baseline_weeks=1, min_messages=3))
    assert result["baseline_weeks"] == ["2026-W45"]
    assert result["baseline_confidence"] == pytest.approx(0.7)
    w45, w46, w47 = result["weeks"]
    assert w45["tvd"] == 0 and w45["flags"] == [] and w45["baseline"]
    # W46 shares no topic with the baseline: TVD 1; mean confidence 1.75/3 = 0.5833, change -0.1167 > 0.1.
    assert w46["tvd"] == pytest.approx(1.0)
    assert w46["confidence_change"] == pytest.approx(1.75 / 3 - 0.7)
    assert w46["flags"] == ["topic_mix", "confidence"]
    # W47 shares employment (1/3): TVD = ½ (1/3 + 0 + 1/3 + 1/3 + 1/3) = 2/3; mean 0.75, change +0.05.
    assert w47["tvd"] == pytest.approx(2 / 3)
    assert w47["confidence_change"] == pytest.approx(0.05)
    assert w47["flags"] == ["topic_mix"]


def test_small_weeks_are_not_flagged(dataset):
    result = drift(weekly_observations(dataset.messages), DriftConfig(baseline_weeks=1, min_messages=4))
    assert all(not w["flags"] and not w["enough_data"] for w in result["weeks"])


def test_explicit_baseline_and_bounds(dataset):
    weeks = weekly_observations(dataset.messages)
    result = drift(weeks, DriftConfig(baseline=("2026-W46",), min_messages=1, tvd_bound=0.99, confidence_bound=0.2))
    assert result["baseline_weeks"] == ["2026-W46"]
    w45 = result["weeks"][0]
    assert w45["tvd"] == pytest.approx(1.0) and w45["flags"] == ["topic_mix"]   # 1.0 > 0.99; Δconf 0.1167 < 0.2


def test_no_data():
    assert drift({})["weeks"] == []
