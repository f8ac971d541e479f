"""Export reviewed NLU-inbox labels as Rasa training data: `nlu_data/from_logs/<intent>.yml`.

    .venv-app/bin/python scripts/export_training_data.py                 # labels from DATABASE_URL
    python scripts/export_training_data.py --labels-jsonl labels.jsonl   # or from a JSON-lines file

Each reviewed message (confirmed, relabelled, or marked out of scope -> intent `out_of_scope`;
skipped ones are not exported) is redacted again (handoff.redaction), cleaned for Rasa's YAML
(one line, no [..](..) entity markup) and then dropped when it
- duplicates, exactly after normalisation or nearly, an example of the team's training data
  (what `make model` trains on: scripts/train_bot.py's TRAINING_DATA) or an earlier exported example;
- duplicates, exactly or nearly, an item of a held-out test set (nlu_data/test, nlu_data/kb_paraphrases
  and any path in NLU_HOLDOUT_PATHS, separated by ':'; *.yml or *.tsv): test items never leak into training;
- was given different labels by reviewers, or contradicts the training data's label for the same text;
- has no words left after redaction, or its label is not an intent of the domain.
The files are written in a stable order, so the same labels give byte-identical files (and the
same model hash). A JSON report (counts per reason, event ids, no message text) goes to --report.

Standard library + PyYAML, Python 3.10 compatible (the bot environment imports it too); reading
the labels from the database needs the app environment.
"""
from __future__ import annotations

import argparse
import csv
import difflib
import json
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from handoff.redaction import redact  # noqa: E402  (stdlib-only module)
from scripts import train_bot as _train_bot  # noqa: E402  (stdlib only)

FROM_LOGS_DIR = REPO / "nlu_data" / "from_logs"
DOMAIN = REPO / "bot" / "domain.yml"
# What `make model` trains on (scripts/train_bot.py), except the exported examples themselves.
TRAINING_SOURCES = tuple(p for p in _train_bot.TRAINING_DATA if p != "nlu_data/from_logs")
HOLDOUT_SOURCES = ("nlu_data/test", "nlu_data/kb_paraphrases")
EXPORTED_STATUSES = ("confirmed", "relabelled", "out_of_scope")
# Intents the classifier never learns from examples (set by components or button payloads).
NOT_TRAINABLE = {"choose_topic", "feedback_helpful", "feedback_not_helpful", "nlu_fallback"}
MAX_CHARS = 3000

HEADER = (
    "# Reviewed examples from the NLU inbox (admin panel), written by scripts/export_training_data.py.\n"
    "# Redacted, de-duplicated against the training data and the held-out test sets. Do not edit by hand:\n"
    "# the next export (make retrain) rewrites this directory.\n"
)


# --- reading Rasa YAML and test files -----------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    source: str = ""


_ENTITY_MARKUP = re.compile(r"\[(?P<text>[^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def strip_entity_markup(text: str) -> str:
    return _ENTITY_MARKUP.sub(lambda m: m.group("text"), text)


def _yaml_files(path: Path) -> List[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml", ".tsv") and p.is_file())
    return []


def _examples_of_item(item: dict) -> List[str]:
    raw = item.get("examples")
    if isinstance(raw, str):
        lines = [line.strip() for line in raw.splitlines()]
        return [strip_entity_markup(line[2:].strip()) for line in lines if line.startswith("- ")]
    if isinstance(raw, list):  # the long form: [{text: ..., metadata: ...}]
        return [strip_entity_markup(str(e.get("text", "")).strip()) for e in raw if isinstance(e, dict)]
    return []


def read_examples(path: Path) -> List[Example]:
    """Examples of a Rasa NLU YAML file, a KB paraphrase file ({topic, paraphrases: [{text}]}),
    a labelled TSV (text + label/category columns) or a directory of those."""
    found: List[Example] = []
    for file in _yaml_files(Path(path)):
        source = str(file)
        if file.suffix == ".tsv":
            with file.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    text = (row.get("text") or "").strip()
                    if text:
                        found.append(Example((row.get("label") or row.get("category") or "").strip(), text, source))
            continue
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            continue
        for item in data.get("nlu") or []:
            if isinstance(item, dict) and item.get("intent"):
                found.extend(Example(str(item["intent"]), t, source) for t in _examples_of_item(item) if t)
        for item in data.get("paraphrases") or []:
            if isinstance(item, dict) and item.get("text"):
                found.append(Example(str(data.get("topic") or ""), str(item["text"]).strip(), source))
    return found


def read_all(paths: Iterable[Path]) -> List[Example]:
    examples: List[Example] = []
    for path in paths:
        examples.extend(read_examples(path))
    return examples


def domain_intents(domain: Path = DOMAIN) -> Set[str]:
    data = yaml.safe_load(domain.read_text()) or {}
    intents = set()
    for item in data.get("intents") or []:
        intents.add(next(iter(item)) if isinstance(item, dict) else str(item))
    return intents


def holdout_paths(extra: Sequence[Path] = ()) -> List[Path]:
    paths = [REPO / p for p in HOLDOUT_SOURCES]
    env = os.environ.get("NLU_HOLDOUT_PATHS", "")
    paths += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    paths += [Path(p) for p in extra]
    return paths


# --- normalisation and duplicates -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<([A-Z_]+)>")
_NON_WORD = re.compile(r"[^\w<>]+", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case, NFKC, no punctuation or apostrophes, single spaces; placeholders kept as tokens."""
    text = unicodedata.normalize("NFKC", strip_entity_markup(text))
    text = text.replace("\u2019", "'").replace("'", "")
    text = _PLACEHOLDER.sub(lambda m: f" <{m.group(1).lower()}> ", text)
    text = _NON_WORD.sub(" ", text.lower().replace("_", " "))
    return " ".join(text.split())


def clean_for_training(text: str) -> str:
    """One line of plain text that Rasa's YAML reader takes literally."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = strip_entity_markup(text).replace("[", "(").replace("]", ")")  # "[x](y)" would be read as an entity
    return " ".join(text.split())


@dataclass
class _Indexed:
    example: Example
    norm: str
    tokens: Set[str]


class DuplicateIndex:
    """Exact (normalised) and near-duplicate lookup over a set of examples.

    Near duplicate: word-set Jaccard >= `jaccard`, or character similarity (difflib ratio of the
    normalised texts) >= `ratio` - catches reordered, re-punctuated and slightly re-typed copies.
    """

    def __init__(self, examples: Iterable[Example] = (), *, jaccard: float = 0.8, ratio: float = 0.9):
        self.jaccard = jaccard
        self.ratio = ratio
        self.exact: Dict[str, List[Example]] = defaultdict(list)
        self.items: List[_Indexed] = []
        self.by_token: Dict[str, List[int]] = defaultdict(list)
        for example in examples:
            self.add(example)

    def add(self, example: Example) -> None:
        norm = normalize(example.text)
        if not norm:
            return
        self.exact[norm].append(example)
        item = _Indexed(example, norm, set(norm.split()))
        index = len(self.items)
        self.items.append(item)
        for token in item.tokens:
            self.by_token[token].append(index)

    def find(self, text: str) -> Optional[Tuple[str, Example]]:
        """("exact" | "near", the matching example) or None."""
        norm = normalize(text)
        if not norm:
            return None
        if norm in self.exact:
            return "exact", self.exact[norm][0]
        tokens = set(norm.split())
        if not tokens:
            return None
        # Only items sharing a reasonable part of the words can be near duplicates.
        shared: Counter = Counter()
        for token in tokens:
            postings = self.by_token.get(token, ())
            if len(postings) <= 5000:
                shared.update(postings)
        need = max(1, int(0.5 * len(tokens)))
        for index, count in shared.most_common():
            if count < need:
                break
            item = self.items[index]
            union = len(tokens | item.tokens)
            jaccard = len(tokens & item.tokens) / union if union else 0.0
            if jaccard >= self.jaccard:
                return "near", item.example
            shorter, longer = sorted((len(norm), len(item.norm)))
            if longer and shorter / longer >= self.ratio and jaccard >= 0.5:
                if difflib.SequenceMatcher(None, norm, item.norm, autojunk=False).ratio() >= self.ratio:
                    return "near", item.example
        return None


# --- the export ---------------------------------------------------------------------------------------

@dataclass
class LabelRecord:
    event_id: Optional[int]
    text: str
    label: Optional[str]
    status: str


@dataclass
class ExportResult:
    examples: Dict[str, List[str]] = field(default_factory=dict)
    skipped: Dict[str, List[Optional[int]]] = field(default_factory=lambda: defaultdict(list))
    considered: int = 0

    @property
    def exported(self) -> int:
        return sum(len(v) for v in self.examples.values())

    def report(self) -> dict:
        return {
            "considered": self.considered,
            "exported": self.exported,
            "per_intent": {k: len(v) for k, v in sorted(self.examples.items())},
            "skipped": {k: len(v) for k, v in sorted(self.skipped.items())},
            "skipped_event_ids": {k: v[:200] for k, v in sorted(self.skipped.items())},
        }


def training_label(record: LabelRecord, *, out_of_scope: bool = True) -> Optional[str]:
    if record.status in ("confirmed", "relabelled"):
        return record.label
    if record.status == "out_of_scope":
        return "out_of_scope" if out_of_scope else None
    return None


def build_export(
    records: Iterable[LabelRecord],
    *,
    training: Iterable[Example],
    holdout: Iterable[Example],
    intents: Optional[Set[str]] = None,
    out_of_scope: bool = True,
    jaccard: float = 0.8,
    ratio: float = 0.9,
    holdout_jaccard: float = 0.7,
    holdout_ratio: float = 0.85,
) -> ExportResult:
    """Pure: decide which reviewed records become which training examples."""
    result = ExportResult()
    training_index = DuplicateIndex(training, jaccard=jaccard, ratio=ratio)
    # Stricter for the test sets: a looser match is enough to keep an item out.
    holdout_index = DuplicateIndex(holdout, jaccard=holdout_jaccard, ratio=holdout_ratio)

    # 1. clean, redact and group by normalised text (to find reviewers disagreeing)
    groups: Dict[str, List[Tuple[LabelRecord, str, str]]] = defaultdict(list)
    for record in records:
        label = training_label(record, out_of_scope=out_of_scope)
        if label is None:
            continue
        result.considered += 1
        if intents is not None and (label not in intents or label in NOT_TRAINABLE):
            result.skipped["unknown_label"].append(record.event_id)
            continue
        text = clean_for_training(redact(record.text or ""))
        words = [w for w in normalize(text).split() if not w.startswith("<")]
        if not words or text.startswith("/"):
            result.skipped["empty"].append(record.event_id)
            continue
        if len(text) > MAX_CHARS:
            result.skipped["too_long"].append(record.event_id)
            continue
        groups[normalize(text)].append((record, text, label))

    accepted = DuplicateIndex(jaccard=jaccard, ratio=ratio)
    for norm in sorted(groups):
        members = groups[norm]
        labels = {label for _, _, label in members}
        ids = [record.event_id for record, _, _ in members]
        if len(labels) > 1:
            result.skipped["conflicting_labels"].extend(ids)
            continue
        label = labels.pop()
        text = min(text for _, text, _ in members)  # stable choice among identical messages
        if len(members) > 1:
            result.skipped["duplicate_in_labels"].extend(ids[1:])
        hit = holdout_index.find(text)
        if hit is not None:
            result.skipped[f"test_set_{hit[0]}_duplicate"].append(ids[0])
            continue
        hit = training_index.find(text)
        if hit is not None:
            kind, match = hit
            reason = f"training_{kind}_duplicate" if match.intent == label else "contradicts_training_data"
            result.skipped[reason].append(ids[0])
            continue
        hit = accepted.find(text)
        if hit is not None:
            reason = "near_duplicate_in_labels" if hit[1].intent == label else "conflicting_labels"
            result.skipped[reason].append(ids[0])
            continue
        accepted.add(Example(label, text, "labels"))
        result.examples.setdefault(label, []).append(text)
    for label in result.examples:
        result.examples[label].sort(key=lambda t: (normalize(t), t))
    result.skipped = dict(result.skipped)
    return result


def render_yaml(intent: str, texts: Sequence[str]) -> str:
    lines = [HEADER, 'version: "3.1"', "nlu:", f"- intent: {intent}", "  examples: |"]
    lines += [f"    - {text}" for text in texts]
    return "\n".join(lines) + "\n"


def write_export(result: ExportResult, out_dir: Path) -> List[Path]:
    """Replace the *.yml files of out_dir with one file per intent (the directory is removed when empty)."""
    out_dir = Path(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=".from_logs.", dir=str(out_dir.parent)))
    try:
        for intent, texts in sorted(result.examples.items()):
            content = render_yaml(intent, texts)
            # Round-trip: what Rasa will read must be exactly what we meant to write.
            parsed = yaml.safe_load(content)
            assert _examples_of_item(parsed["nlu"][0]) == [strip_entity_markup(t) for t in texts], intent
            (staging / f"{intent}.yml").write_text(content, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in out_dir.glob("*.yml"):
            path.unlink()
        written = []
        for path in sorted(staging.glob("*.yml")):
            target = out_dir / path.name
            os.replace(path, target)
            written.append(target)
        if not any(out_dir.iterdir()):
            out_dir.rmdir()
        return written
    finally:
        for path in staging.glob("*"):
            path.unlink()
        staging.rmdir()


# --- label sources ----------------------------------------------------------------------------------

def records_from_jsonl(path: Path) -> List[LabelRecord]:
    records = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                raw = json.loads(line)
                records.append(LabelRecord(raw.get("event_id"), raw.get("text") or "", raw.get("label"), raw.get("status") or ""))
    return records


def records_from_database(url: Optional[str]) -> List[LabelRecord]:  # pragma: no cover - exercised in the app tests
    from handoff.db import make_engine, make_session_factory
    from handoff.nlu_inbox.service import reviewed_labels
    from handoff.settings import get_settings

    from sqlalchemy import inspect

    engine = make_engine(url or get_settings().database_url)
    try:
        if "nlu_labels" not in inspect(engine).get_table_names():
            raise SystemExit("error: the app database has no nlu_labels table yet: run `make migrate`")
        with make_session_factory(engine)() as session:
            return [LabelRecord(r.event_id, r.text, r.label, r.status) for r in reviewed_labels(session)]
    finally:
        engine.dispose()


def export(
    records: Sequence[LabelRecord],
    *,
    out_dir: Path = FROM_LOGS_DIR,
    training_paths: Optional[Sequence[Path]] = None,
    holdout: Optional[Sequence[Path]] = None,
    domain: Optional[Path] = DOMAIN,
    out_of_scope: bool = True,
) -> ExportResult:
    training = read_all(training_paths if training_paths is not None else [REPO / p for p in TRAINING_SOURCES])
    held_out = read_all(holdout if holdout is not None else holdout_paths())
    intents = domain_intents(domain) if domain is not None else None
    result = build_export(records, training=training, holdout=held_out, intents=intents, out_of_scope=out_of_scope)
    write_export(result, out_dir)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--database-url", default=None, help="app database (default: DATABASE_URL / settings)")
    source.add_argument("--labels-jsonl", type=Path, help="labels as JSON lines: event_id, text, label, status")
    parser.add_argument("--out", type=Path, default=FROM_LOGS_DIR)
    parser.add_argument("--training", type=Path, action="append", help="training data to de-duplicate against (repeatable)")
    parser.add_argument("--holdout", type=Path, action="append", help="extra held-out test data (repeatable)")
    parser.add_argument("--holdout-only", action="store_true", help="use only --holdout paths, not the defaults")
    parser.add_argument("--domain", type=Path, default=DOMAIN)
    parser.add_argument("--no-out-of-scope", action="store_true", help="do not export out-of-scope marks as intent out_of_scope")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)

    records = records_from_jsonl(args.labels_jsonl) if args.labels_jsonl else records_from_database(args.database_url)
    holdout = list(args.holdout or []) if args.holdout_only else holdout_paths(args.holdout or [])
    result = export(
        records, out_dir=args.out, training_paths=args.training, holdout=holdout, domain=args.domain,
        out_of_scope=not args.no_out_of_scope,
    )
    report = result.report()
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2))
    skipped = ", ".join(f"{k} {v}" for k, v in report["skipped"].items()) or "none"
    print(f"exported {report['exported']} of {report['considered']} reviewed examples to {args.out} "
          f"({', '.join(f'{k} {v}' for k, v in report['per_intent'].items()) or 'no files'}); skipped: {skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
