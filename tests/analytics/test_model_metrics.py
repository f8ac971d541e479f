"""Model metrics on the fixture's reviewed labels (see analytics_fixture.py)."""
from __future__ import annotations

import pytest

from analytics.model_metrics import calibration, current_threshold, histogram, model_summary
from analytics.threshold import Scored


@pytest.fixture(scope="module")
def model(dataset, labels):
    return model_summary(labels, dataset.user_events, dataset.messages)


def test_accuracy_and_macro_f1(model):
    scores = model["scores"]
    assert model["labels"] == 10
    assert scores["n"] == 9                                 # "out_of_scope" is not a topic: listed, not scored
    assert scores["unknown_labels"] == [{"id": 301, "gold": "out_of_scope"}]
    assert scores["accuracy"] == pytest.approx(6 / 9, abs=1e-4)
    # F1 per gold topic: housing 2/3 (P 1, R 1/2), employment 1, family 0, immigration 1, crime 1, torts 0,
    # domestic_violence 1 -> macro-F1 = (0.6667 + 5 * 1 - 2) / 7 ... = 4.6667 / 7
    assert scores["macro_f1"] == pytest.approx(4.6667 / 7, abs=1e-4)
    housing = scores["per_topic"]["housing"]
    assert (housing["precision"], housing["recall"], housing["support"]) == (1.0, 0.5, 2)
    consumer = scores["per_topic"]["consumer"]                # predicted once (801), never gold
    assert (consumer["precision"], consumer["recall"], consumer["support"]) == (0.0, 0.0, 0)
    assert scores["per_topic"]["family"]["recall"] == 0.0


def test_confidence_histogram(model):
    # Messages triaged as legal (not the two greetings): .9 .8 .4 .7 .85 .2 .7 .6 .95
    assert model["messages_with_topic"] == 9
    assert [b["n"] for b in model["histogram_all"]] == [0, 0, 1, 0, 1, 0, 1, 2, 2, 2]
    assert [b["n"] for b in model["histogram_correct"]] == [0, 0, 0, 0, 0, 0, 0, 2, 2, 2]
    assert [b["n"] for b in model["histogram_wrong"]] == [0, 0, 1, 0, 1, 0, 1, 0, 0, 0]
    assert model["mean_confidence"] == pytest.approx((0.9 + 0.8 + 0.4 + 0.7 + 0.85 + 0.2 + 0.7 + 0.6 + 0.95) / 9)


def test_calibration(model):
    cal = model["calibration"]
    bins = {round(b["lo"], 1): b for b in cal["bins"] if b["n"]}
    assert sorted(bins) == [0.2, 0.4, 0.6, 0.7, 0.8, 0.9]
    assert bins[0.8]["n"] == 2 and bins[0.8]["confidence"] == pytest.approx(0.825) and bins[0.8]["accuracy"] == 1.0
    assert bins[0.6]["gap"] == pytest.approx(0.6)
    # ECE = (0.2 + 0.4 + 0.6 + 2*0.3 + 2*0.175 + 2*0.075) / 9 = 2.3 / 9
    assert cal["ece"] == pytest.approx(2.3 / 9)


def test_calibration_and_histogram_edges():
    assert [b["n"] for b in histogram([0.0, 1.0, 0.1, 0.05], bins=4)] == [3, 0, 0, 1]
    perfect = calibration([Scored(1.0, True), Scored(0.0, False)], bins=2)
    assert perfect["ece"] == 0.0
    assert calibration([], bins=2)["ece"] is None


def test_current_threshold_is_read_from_the_bot_config(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: WhitespaceTokenizer\n  - name: FallbackClassifier\n    threshold: 0.45\n")
    assert current_threshold(config) == pytest.approx(0.45)
    config.write_text("pipeline:\n  - name: WhitespaceTokenizer\n")
    assert current_threshold(config) is None
    assert 0.0 < current_threshold() < 1.0  # the live bot/config.yml has one


def test_labels_of_unknown_events_are_reported(dataset):
    from analytics.labels import LabelledItem

    model = model_summary([LabelledItem(999999, "housing")], dataset.user_events, dataset.messages)
    assert model["labels_missing_event"] == [999999] and model["scores"]["n"] == 0
