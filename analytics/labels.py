"""Reviewed (gold) topic labels: where model metrics and the threshold advisor get the truth.

Staff review messages in the NLU inbox and store a gold topic per tracker event. Analytics only
needs `(event_id, gold)` pairs, so any source that yields `LabelledItem`s plugs in (`LabelSource`):

- `inbox_labels(app_engine)`: the inbox's reviewed labels (`handoff.nlu_inbox.service.reviewed_labels`,
  read the same way as the retraining export reads them);
- `labels_from_file(path)`: a CSV/TSV with columns `event_id` and `gold` (or `label` / `gold_topic`),
  e.g. for an offline review.

When one event was reviewed more than once the latest label wins (the last one a source yields).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from sqlalchemy import Engine


@dataclass(frozen=True)
class LabelledItem:
    event_id: int
    gold: str


class LabelSource(Protocol):
    """Anything that returns the reviewed labels, given the app database engine."""

    def __call__(self, app_engine: Engine) -> Iterable[LabelledItem]: ...


def latest_per_event(items: Iterable[LabelledItem]) -> list[LabelledItem]:
    by_event: dict[int, LabelledItem] = {}
    for item in items:
        gold = (item.gold or "").strip()
        if gold:
            by_event[int(item.event_id)] = LabelledItem(int(item.event_id), gold)
    return [by_event[k] for k in sorted(by_event)]


def labels_from_file(path: Path | str) -> list[LabelledItem]:
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter="\t" if "\t" in sample.splitlines()[0] else ",")
        columns = set(reader.fieldnames or [])
        gold = next((c for c in ("gold", "label", "gold_topic", "gold_label") if c in columns), None)
        if "event_id" not in columns or gold is None:
            raise ValueError(f"{path}: needs a header with columns event_id and gold (or label); got {sorted(columns)}")
        return latest_per_event(LabelledItem(int(row["event_id"]), row[gold]) for row in reader if row.get("event_id"))


# Review outcomes of the NLU inbox that give a gold label (others, e.g. skipped, give none).
LABELLED_STATUSES = ("confirmed", "relabelled")
OUT_OF_SCOPE_STATUS = "out_of_scope"


def _inbox_service():
    try:
        from handoff.nlu_inbox import service
    except ModuleNotFoundError as exc:
        if exc.name not in ("handoff.nlu_inbox", "handoff.nlu_inbox.service"):
            raise
        return None
    return service if hasattr(service, "reviewed_labels") else None


def gold_of(record) -> str | None:
    """The gold label of an inbox review: the topic for confirmed / relabelled messages, "out_of_scope" for
    messages marked not legal (listed, not scored, by the topic metrics), None for anything else."""
    status = getattr(record, "status", None)
    if status == OUT_OF_SCOPE_STATUS:
        return OUT_OF_SCOPE_STATUS
    if status is None or status in LABELLED_STATUSES:
        return getattr(record, "label", None)
    return None


def inbox_labels(app_engine: Engine) -> list[LabelledItem]:
    """Reviewed labels from the staff NLU inbox (`handoff.nlu_inbox.service.reviewed_labels`); [] when the
    inbox is not installed or migrated yet."""
    service = _inbox_service()
    if service is not None:
        from sqlalchemy.exc import SQLAlchemyError
        from sqlalchemy.orm import Session

        from handoff.model_registry import load_models

        load_models()  # every mapped table (the labels refer to staff users)
        try:
            with Session(app_engine) as session:
                records = list(service.reviewed_labels(session))
        except SQLAlchemyError:
            return []
        items = []
        for record in records:
            gold, event_id = gold_of(record), getattr(record, "event_id", None)
            if gold and event_id is not None:
                items.append(LabelledItem(int(event_id), str(gold)))
        return latest_per_event(items)
    return []
