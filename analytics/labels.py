"""Reviewed (gold) topic labels: where model metrics and the threshold advisor get the truth.

Staff review messages in the NLU inbox and store a gold topic per tracker event. Analytics only
needs `(event_id, gold)` pairs, so any source that yields `LabelledItem`s plugs in (`LabelSource`):

- `inbox_labels(app_engine)`: the inbox's table in the app database;
- `labels_from_file(path)`: a CSV/TSV with columns `event_id` and `gold` (or `label` / `gold_topic`),
  e.g. for an offline review.

When one event was reviewed more than once the latest label wins (the last one a source yields).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from sqlalchemy import Engine, Table, inspect, select

GOLD_COLUMNS = ("gold_topic", "gold_label", "gold", "label", "topic")
EVENT_COLUMNS = ("event_id", "tracker_event_id")
TIME_COLUMNS = ("reviewed_at", "labelled_at", "labeled_at", "created_at", "updated_at", "at")


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


def find_label_table(app_engine: Engine) -> tuple[Table, str, str, str | None] | None:
    """The inbox's label table: the first app table with a tracker event id column and a gold label column."""
    from handoff.model_registry import load_models

    metadata = load_models()
    existing = set(inspect(app_engine).get_table_names())
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        if table.name not in existing:
            continue
        names = set(table.columns.keys())
        event = next((c for c in EVENT_COLUMNS if c in names), None)
        gold = next((c for c in GOLD_COLUMNS if c in names), None)
        if event and gold:
            when = next((c for c in TIME_COLUMNS if c in names), None)
            return table, event, gold, when
    return None


def inbox_labels(app_engine: Engine) -> list[LabelledItem]:
    """Reviewed labels from the staff NLU inbox; [] when the inbox has no table (yet)."""
    found = find_label_table(app_engine)
    if found is None:
        return []
    table, event, gold, when = found
    query = select(table.c[event], table.c[gold]).where(table.c[gold].is_not(None))
    order = [table.c[when]] if when else []
    if "id" in table.c:
        order.append(table.c["id"])
    with app_engine.connect() as connection:
        rows = connection.execute(query.order_by(*order)).all()
    return latest_per_event(LabelledItem(int(r[0]), str(r[1])) for r in rows if r[0] is not None)
