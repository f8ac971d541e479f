"""The labelling guide (nlu_data/topic_guide.yml) that the inbox shows next to the messages."""
from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from handoff.conversations.repository import TOPICS
from handoff.nlu_inbox.topic_guide import GUIDE_PATH, load_topic_guide


def test_the_shipped_guide_describes_every_topic_in_order():
    guide = load_topic_guide()
    assert list(guide.topics) == list(TOPICS)
    assert len(guide.rules) >= 3
    for name, scope in guide.topics.items():
        assert scope.covers.strip() and scope.boundaries.strip(), name


@pytest.mark.parametrize("change, message", [
    (lambda d: d["topics"].pop("torts"), "missing ['torts']"),
    (lambda d: d["topics"].update(pets={"covers": "x" * 30, "boundaries": "y" * 20}), "unknown ['pets']"),
    (lambda d: d["topics"]["housing"].update(covers=""), "covers"),
    (lambda d: d.update(rules=[]), "rules"),
    (lambda d: d["topics"]["crime"].update(notes="free text"), "notes"),
])
def test_a_broken_guide_is_refused_with_a_clear_reason(tmp_path, change, message):
    data = yaml.safe_load(GUIDE_PATH.read_text(encoding="utf-8"))
    change(data)
    broken = tmp_path / "guide.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_topic_guide(broken)


def test_the_inbox_shows_the_guide(reviewer_client):
    page = reviewer_client.get("/admin/inbox").text
    assert 'id="topic-guide"' in page and "Which topic? Labelling guide" in page
    for topic in TOPICS:
        assert f'id="guide-{topic}"' in page
    guide = load_topic_guide()
    assert guide.rules[0].split(",")[0] in page
