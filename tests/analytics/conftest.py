"""Fixtures of the analytics tests: the hand-written world of analytics_fixture.py in SQLite."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    """(app_url, tracker_url, app_engine, tracker_engine) of the fixture databases (read-only for tests)."""
    from analytics_fixture import build_databases

    app_url, tracker_url, app_engine, tracker_engine = build_databases(tmp_path_factory.mktemp("analytics"))
    yield app_url, tracker_url, app_engine, tracker_engine
    app_engine.dispose()
    tracker_engine.dispose()


@pytest.fixture(scope="session")
def dataset(world):
    from analytics.data import load_dataset

    _, _, app_engine, tracker_engine = world
    return load_dataset(app_engine, tracker_engine)


@pytest.fixture(scope="session")
def labels(world):
    """The gold labels as the NLU inbox returns them (nlu_labels rows of the fixture)."""
    from analytics.labels import LabelledItem, inbox_labels
    from analytics_fixture import LABELS

    _, _, app_engine, _ = world
    items = inbox_labels(app_engine)
    assert items == [LabelledItem(event_id, gold) for event_id, gold in sorted(LABELS.items())]
    return items
