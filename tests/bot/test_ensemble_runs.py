"""bench/ensemble_runs.py: the mean of several runs' probabilities is scored like one run, and runs made on
different items are refused rather than averaged."""
import json

import numpy as np
import pytest

from bench import ensemble_runs
from bot.policy.decision import TOPICS

CLASSES = np.array(sorted([*TOPICS, "greet"]))


def _run(path, shared_probs, shared_gold):
    test_gold = np.array(["housing", "crime"])
    test = np.zeros((2, len(CLASSES)))
    test[0, list(CLASSES).index("housing")] = test[1, list(CLASSES).index("crime")] = 1.0
    np.savez(path, classes=CLASSES, test=test, test_gold=test_gold, shared=np.array(shared_probs),
             shared_gold=np.array(shared_gold))
    return path


def _probs(**weights):
    row = np.zeros(len(CLASSES))
    for topic, weight in weights.items():
        row[list(CLASSES).index(topic)] = weight
    return row


def test_the_mean_of_two_runs_can_be_right_where_each_run_alone_is_wrong_once(tmp_path, capsys, monkeypatch):
    gold = ["housing", "family"]
    first = _run(tmp_path / "a.npz", [_probs(housing=0.6, torts=0.4), _probs(divorce=0.55, family=0.45)], gold)
    second = _run(tmp_path / "b.npz", [_probs(torts=0.51, housing=0.49), _probs(family=0.9, divorce=0.1)], gold)
    monkeypatch.setattr("sys.argv", ["ensemble_runs.py", str(first), str(second)])

    ensemble_runs.main()

    report = json.loads(capsys.readouterr().out)
    assert report["a"]["shared"]["acc"] == 0.5
    assert report["b"]["shared"]["acc"] == 0.5
    assert report["mean of 2"]["shared"]["acc"] == 1.0
    assert report["mean of 2"]["test"]["acc"] == 1.0


def test_runs_scored_on_different_items_are_refused(tmp_path, monkeypatch):
    first = _run(tmp_path / "a.npz", [_probs(housing=1.0)], ["housing"])
    second = _run(tmp_path / "b.npz", [_probs(housing=1.0)], ["crime"])
    monkeypatch.setattr("sys.argv", ["ensemble_runs.py", str(first), str(second)])

    with pytest.raises(SystemExit, match="same intents and evaluation items"):
        ensemble_runs.main()
