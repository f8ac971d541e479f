"""Where reviewed labels come from."""
from __future__ import annotations

import pytest

from analytics.labels import LabelledItem, inbox_labels, labels_from_file, latest_per_event


def test_latest_label_per_event_wins():
    items = [LabelledItem(2, "housing"), LabelledItem(1, "crime"), LabelledItem(2, "family"), LabelledItem(3, " ")]
    assert latest_per_event(items) == [LabelledItem(1, "crime"), LabelledItem(2, "family")]


def test_labels_from_tsv_and_csv(tmp_path):
    tsv = tmp_path / "labels.tsv"
    tsv.write_text("event_id\tgold\n101\thousing\n102\tcrime\n")
    assert labels_from_file(tsv) == [LabelledItem(101, "housing"), LabelledItem(102, "crime")]
    csv = tmp_path / "labels.csv"
    csv.write_text("event_id,label\n7,family\n")
    assert labels_from_file(csv) == [LabelledItem(7, "family")]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,x\n")
    with pytest.raises(ValueError, match="event_id"):
        labels_from_file(bad)


def test_inbox_labels_without_an_inbox_table(world):
    _, _, app_engine, _ = world
    assert isinstance(inbox_labels(app_engine), list)


def test_gold_of_inbox_reviews():
    from types import SimpleNamespace as Review

    from analytics.labels import gold_of

    assert gold_of(Review(status="confirmed", label="housing")) == "housing"
    assert gold_of(Review(status="relabelled", label="family")) == "family"
    assert gold_of(Review(status="out_of_scope", label=None)) == "out_of_scope"
    assert gold_of(Review(status="skipped", label="housing")) is None


def test_inbox_service_is_used_when_installed(world, monkeypatch):
    import sys
    import types
    from types import SimpleNamespace as Review

    _, _, app_engine, _ = world
    module = types.ModuleType("handoff.nlu_inbox.service")
    module.reviewed_labels = lambda session: [
        Review(event_id=101, text="...", label="housing", status="confirmed"),
        Review(event_id=302, text="...", label="family", status="relabelled"),
        Review(event_id=301, text="...", label=None, status="out_of_scope"),
        Review(event_id=501, text="...", label="crime", status="skipped"),
    ]
    package = types.ModuleType("handoff.nlu_inbox")
    package.service = module
    monkeypatch.setitem(sys.modules, "handoff.nlu_inbox", package)
    monkeypatch.setitem(sys.modules, "handoff.nlu_inbox.service", module)
    assert inbox_labels(app_engine) == [LabelledItem(101, "housing"), LabelledItem(301, "out_of_scope"),
                                        LabelledItem(302, "family")]
