"""One call that computes every figure of the report and the dashboard from the two databases."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import Engine

from .business import business_summary
from .data import Dataset, load_dataset
from .drift import DriftConfig, drift, weekly_observations
from .labels import LabelledItem, LabelSource, inbox_labels, latest_per_event
from .model_metrics import model_summary
from .threshold import CostModel, recommend


@dataclass
class Options:
    since: dt.date | None = None
    until: dt.date | None = None  # exclusive
    costs: CostModel = field(default_factory=CostModel)
    drift: DriftConfig = field(default_factory=DriftConfig)
    bins: int = 10


def analyse(dataset: Dataset, labels: Iterable[LabelledItem], options: Options | None = None) -> dict:
    """Business metrics, model metrics, the threshold advisor and drift of a loaded dataset (pure)."""
    options = options or Options()
    labels = latest_per_event(labels)
    model = model_summary(labels, dataset.user_events, dataset.messages, bins=options.bins)
    return {
        "period": {"since": options.since, "until": options.until},
        "business": business_summary(dataset),
        "model": model,
        "advisor": recommend(model["items"], options.costs, current=model["current_threshold"]),
        "drift": drift(weekly_observations(dataset.messages), options.drift),
    }


def build(app_engine: Engine, tracker_engine: Engine, options: Options | None = None,
          label_source: LabelSource = inbox_labels) -> dict:
    options = options or Options()
    dataset = load_dataset(app_engine, tracker_engine, since=options.since, until=options.until)
    result = analyse(dataset, label_source(app_engine), options)
    result["generated_at"] = dt.datetime.now(dt.timezone.utc)
    return result
