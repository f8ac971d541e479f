"""The labelling guide (nlu_data/topic_guide.yml): what each of the 16 topics covers and which topic wins when a
message touches two. The inbox shows it next to the messages, so staff label real messages by the same
conventions as the team's training data; consistent labels are what the retraining learns from.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..conversations.repository import TOPICS

GUIDE_PATH = Path(__file__).resolve().parents[2] / "nlu_data" / "topic_guide.yml"


class TopicScope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    covers: str = Field(min_length=20)
    boundaries: str = Field(min_length=10)


class TopicGuide(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[str] = Field(min_length=1)
    topics: dict[str, TopicScope]

    @field_validator("topics")
    @classmethod
    def every_topic_once(cls, topics: dict[str, TopicScope]) -> dict[str, TopicScope]:
        missing = [t for t in TOPICS if t not in topics]
        unknown = [t for t in topics if t not in TOPICS]
        if missing or unknown:
            raise ValueError(f"the guide must describe exactly the 16 topics; missing {missing}, unknown {unknown}")
        return {t: topics[t] for t in TOPICS}  # the inbox lists them in the usual order


def load_topic_guide(path: Path = GUIDE_PATH) -> TopicGuide:
    """Parse and validate the guide; a malformed guide raises (pydantic's ValidationError, yaml's YAMLError)."""
    return TopicGuide.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_topic_guide() -> TopicGuide | None:
    """The guide of this deployment, or None when the file is not there (the inbox then links to nothing
    rather than failing; tests keep the repository's file valid)."""
    try:
        return load_topic_guide()
    except FileNotFoundError:
        return None
