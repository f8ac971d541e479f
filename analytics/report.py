"""`python -m analytics.report --out DIR`: the analytics report as markdown with PNG charts.

Writes DIR/report.md, DIR/charts/*.png and DIR/summary.json (every figure, machine-readable).
Databases: DATABASE_URL / TRACKER_DATABASE_URL from the app settings, or --database-url / --tracker-url.
Labels: the staff NLU inbox's reviewed labels, or --labels FILE (CSV/TSV with event_id and gold).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import inspect
import json
import sys
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.engine import make_url

from . import drift as drift_module
from . import model_metrics as model_module
from . import threshold as threshold_module
from .business import DEFINITIONS
from .data import week_start
from .drift import DriftConfig
from .labels import inbox_labels, labels_from_file
from .summary import Options, build
from .threshold import CostModel


# --- formatting ---------------------------------------------------------------------------------

def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}%}"


def num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def money(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+,.2f}"


def _doc_body(module) -> str:
    """A module docstring without its summary paragraph (the docstring is the definition; the report prints it)."""
    doc = inspect.cleandoc(module.__doc__ or "")
    return doc.split("\n\n", 1)[1].strip() if "\n\n" in doc else ""


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def headline(result: dict) -> list[tuple[str, str, str, str]]:
    """The side-by-side summary: (business metric, value, model metric, value)."""
    b = result["business"]["overall"]
    m = result["model"]
    scores = m["scores"]
    advisor = result["advisor"]
    current = advisor["current"] or {}
    best = advisor["best"] or {}
    business = [
        ("Conversations", str(b["conversations"])),
        ("Containment", pct(b["containment_rate"])),
        ("Handoff rate", pct(b["handoff_rate"])),
        ("Clarify / fallback rate (messages)", f"{pct(b['clarify_rate'])} / {pct(b['fallback_rate'])}"),
        ("Leads captured", str(b["leads"])),
        ("Consent rate", pct(b["consent_rate"])),
        ("Lead → retained", f"{pct(b['conversion'])} (of finished: {pct(b['conversion_finished'])})"),
        ("Days to close (median)", num(b["days_to_close_median"], 1)),
        ("Answers that helped", f"{pct(b['helpful_rate'])} ({b['feedback_helpful']}/{b['feedback_helpful'] + b['feedback_not_helpful']})"),
    ]
    model = [
        ("Reviewed messages scored", str(scores["n"])),
        ("Accuracy", pct(scores["accuracy"]) if scores["n"] else "n/a"),
        ("Macro-F1", num(scores["macro_f1"], 3) if scores["n"] else "n/a"),
        ("Expected calibration error", num(m["calibration"]["ece"], 3)),
        ("Mean confidence (all messages)", num(m["mean_confidence"], 3)),
        ("Current threshold", num(m["current_threshold"])),
        ("Coverage / accuracy at current", f"{pct(current.get('coverage'))} / {pct(current.get('accuracy'))}"),
        ("Recommended threshold (advisor)", num(best.get("threshold"))),
        ("Value per message: current → recommended", f"{money(current.get('ev_per_item'))} → {money(best.get('ev_per_item'))}"),
    ]
    return [(bn, bv, mn, mv) for (bn, bv), (mn, mv) in zip(business, model)]


# --- markdown -----------------------------------------------------------------------------------

def _business_rows(groups: dict[str, dict]) -> list[list[Any]]:
    rows = []
    for key, g in groups.items():
        feedback = g["feedback_helpful"] + g["feedback_not_helpful"]
        rows.append([key, g["conversations"], pct(g["containment_rate"]), pct(g["handoff_rate"]), pct(g["clarify_rate"]),
                     g["leads"], pct(g["consent_rate"]), f"{g['retained']} ({pct(g['conversion'])})",
                     num(g["days_to_close_median"], 1), f"{g['feedback_helpful']}/{feedback}" if feedback else "0/0"])
    return rows


BUSINESS_HEADER = ["", "conversations", "containment", "handoff rate", "clarify rate", "leads", "consent rate",
                   "retained (conversion)", "median days to close", "helped / feedback"]


def render_markdown(result: dict, images: dict[str, str], *, sources: dict[str, str] | None = None) -> str:
    """The report; `images` maps chart names to the relative paths written next to it."""
    b = result["business"]
    overall = b["overall"]
    model = result["model"]
    scores = model["scores"]
    advisor = result["advisor"]
    drift = result["drift"]
    period = result["period"]

    def image(name: str, caption: str) -> list[str]:
        return [f"![{caption}]({images[name]})", ""] if name in images else [f"_{caption}: no data._", ""]

    since = period["since"].isoformat() if period["since"] else "first event"
    until = f"before {period['until'].isoformat()}" if period["until"] else "last event"
    lines = ["# LegalAid Chat: business goals and model accuracy", "",
             f"Period: {since} to {until} (UTC). Generated {result['generated_at']:%Y-%m-%d %H:%M} UTC."]
    if sources:
        lines.append("Sources: " + ", ".join(f"{k} `{v}`" for k, v in sources.items()) + ".")
    lines += ["", "A more accurate model is not the goal; the system goal is. The left column is what the service "
              "achieves, the right column how well the topic classifier does; the threshold advisor links the two "
              "with what each outcome is worth.", ""]
    lines += _table(["System goal (business)", "", "Model", ""], [list(r) for r in headline(result)])

    # Business
    lines += ["## Business metrics", "", "### Definitions", ""]
    lines += [f"- {text}" for text in DEFINITIONS.values()] + [""]
    lines += ["### Overall", ""]
    lines += _table(BUSINESS_HEADER, _business_rows({"all": overall}))
    lines += [f"Resolved by self-help: {overall['self_help_resolved']} ({pct(overall['self_help_resolved_rate'])}); "
              f"messages: {overall['messages']}, decisions: "
              + (", ".join(f"{k} {v}" for k, v in overall["decisions"].items()) or "none")
              + f"; fallbacks {overall['fallbacks']} ({pct(overall['fallback_rate'])}). Lead form outcomes (conversations): "
              + ", ".join(f"{k} {v}" for k, v in overall["lead_form_outcomes"].items())
              + f". Handoff → lead: {pct(overall['referral_to_lead'])}. Days to close: median "
              f"{num(overall['days_to_close_median'], 1)}, mean {num(overall['days_to_close_mean'], 1)} "
              f"over {overall['days_to_close_n']} finished leads.", ""]
    lines += ["### Handoff rate by reason", ""]
    lines += _table(["reason", "conversations", "share of conversations"],
                    [[r, v["count"], pct(v["rate"])] for r, v in overall["handoff_by_reason"].items()])
    lines += image("handoff_reasons", "Handoff rate by reason")
    lines += ["### Leads by status", ""]
    lines += _table(["status", "leads"], [[s, n] for s, n in overall["lead_statuses"].items()])
    lines += image("leads", "Leads by status")
    lines += ["### Per topic", ""]
    lines += _table(["topic"] + BUSINESS_HEADER[1:], _business_rows(b["by_topic"]))
    lines += image("topics", "Per topic") + image("feedback", "Answer feedback by topic")
    lines += ["### Per week", ""]
    lines += _table(["week (Monday)"] + BUSINESS_HEADER[1:],
                    _business_rows({f"{w} ({week_start(w).isoformat()})": g for w, g in b["by_week"].items()}))
    lines += image("weekly", "Per week")

    # Model
    lines += ["## Model metrics", "", _doc_body(model_module), ""]
    lines += [f"Reviewed labels: {model['labels']}; scored: {scores['n']}; accuracy {pct(scores['accuracy'])}; "
              f"macro-F1 {num(scores['macro_f1'], 3)}; ECE {num(model['calibration']['ece'], 3)}."]
    if scores["unknown_labels"]:
        lines.append(f"Not scored (gold label is not one of the 16 topics): {len(scores['unknown_labels'])}.")
    if model["labels_missing_event"]:
        lines.append(f"Labels whose tracker event is outside the period or gone: {len(model['labels_missing_event'])}.")
    lines.append("")
    if scores["n"]:
        lines += ["### Per topic", ""]
        lines += _table(["topic", "precision", "recall", "F1", "support"],
                        [[t, num(s["precision"]), num(s["recall"]), num(s["f1"]), s["support"]]
                         for t, s in scores["per_topic"].items() if s["support"]])
        lines += image("per_topic_scores", "Per-topic precision and recall")
    lines += ["### Confidence histogram", ""]
    lines += _table(["confidence", "all messages", "reviewed correct", "reviewed wrong"],
                    [[f"{a['lo']:.1f}–{a['hi']:.1f}", a["n"], c["n"], w["n"]]
                     for a, c, w in zip(model["histogram_all"], model["histogram_correct"], model["histogram_wrong"])])
    lines += image("confidence_histogram", "Confidence histogram")
    lines += ["### Calibration", ""]
    lines += _table(["confidence bin", "n", "mean confidence", "accuracy", "gap"],
                    [[f"{r['lo']:.1f}–{r['hi']:.1f}", r["n"], num(r["confidence"], 3), num(r["accuracy"], 3), num(r["gap"], 3)]
                     for r in model["calibration"]["bins"]])
    lines += [f"Expected calibration error: {num(model['calibration']['ece'], 3)}.", ""]
    lines += image("reliability", "Reliability diagram")
    lines += ["### Coverage vs accuracy as the threshold moves", ""]
    if advisor["n"]:
        lines += _table(["threshold", "coverage", "answered", "accuracy of answered"],
                        [[num(r["threshold"]), pct(r["coverage"]), r["answered"], pct(r["accuracy"])]
                         for r in advisor["curve"] if round(r["threshold"] * 100) % 5 == 0])
        lines += ["Accuracy at fixed coverage (most confident share first, `scripts/nlu_metrics.coverage_curve`):", ""]
        lines += _table(["coverage", "n", "accuracy", "confidence cut-off"],
                        [[pct(c["coverage"], 0), c["n"], num(c["accuracy"], 3), num(c["threshold"], 3)] for c in scores["coverage"]])
    lines += image("coverage", "Coverage vs accuracy")

    # Advisor
    costs = advisor["model"]
    lines += ["## Threshold advisor", "", _doc_body(threshold_module), "",
              "Parameters of this report (`--lead-value`, `--lead-rate`, `--wrong-answer-cost`, "
              "`--needless-referral-cost`, `--containment-value`):", ""]
    lines += _table(["parameter", "value"], [[k, v] for k, v in costs.items()])
    lines += [f"Observed for comparison: handoff → lead {pct(overall['referral_to_lead'])}, lead → retained "
              f"{pct(overall['conversion'])}.", ""]
    if advisor["best"]:
        best, current = advisor["best"], advisor["current"]
        lines += [f"**Recommended threshold: {best['threshold']:.2f}**: answers {pct(best['coverage'])} of reviewed "
                  f"messages with {pct(best['accuracy'])} accuracy; expected value {money(best['ev'])} in total, "
                  f"{money(best['ev_per_item'])} per message (n={advisor['n']}).",
                  f"Break-even confidence for a calibrated model: {num(advisor['break_even_confidence'])}."]
        if current:
            lines.append(f"Current threshold {current['threshold']:.2f}: coverage {pct(current['coverage'])}, accuracy "
                         f"{pct(current['accuracy'])}, {money(current['ev'])} in total, {money(current['ev_per_item'])} per message.")
        lines.append("")
        lines += _table(["threshold", "coverage", "accuracy", "answered right", "answered wrong", "needless referrals",
                         "useful referrals", "EV", "EV / message"],
                        [[num(r["threshold"]), pct(r["coverage"]), pct(r["accuracy"]), r["answered_correct"],
                          r["answered_wrong"], r["needless_referrals"], r["useful_referrals"], money(r["ev"]),
                          money(r["ev_per_item"])] for r in advisor["curve"] if round(r["threshold"] * 100) % 5 == 0])
    else:
        lines += ["_No reviewed labels yet: review messages in the NLU inbox (or pass --labels) to get a recommendation._", ""]
    lines += image("advisor", "Threshold advisor")

    # Drift
    config = drift["config"]
    lines += ["## Drift", "", _doc_body(drift_module), "",
              f"Baseline: {', '.join(drift['baseline_weeks']) or 'none'} ({drift['baseline_n']} messages, mean confidence "
              f"{num(drift['baseline_confidence'], 3)}). Bounds: TVD > {config['tvd_bound']}, |Δ confidence| > "
              f"{config['confidence_bound']}, at least {config['min_messages']} messages.", ""]
    if drift["weeks"]:
        lines += _table(["week", "messages", "TVD of topic mix", "mean confidence", "Δ confidence", "flag"],
                        [[w["week"] + (" (baseline)" if w["baseline"] else ""), w["n"], num(w["tvd"], 3),
                          num(w["mean_confidence"], 3), f"{w['confidence_change']:+.3f}",
                          ", ".join(w["flags"]) or ("too few messages" if not w["enough_data"] else "ok")]
                         for w in drift["weeks"]])
        flagged = [w["week"] for w in drift["weeks"] if w["flags"]]
        lines += [f"**Flagged weeks: {', '.join(flagged)}.**" if flagged else "No week beyond the bounds.", ""]
    lines += image("drift", "Drift")
    return "\n".join(lines).rstrip() + "\n"


# --- JSON ---------------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(result: dict) -> str:
    return json.dumps({k: v for k, v in result.items()}, default=_json_default, indent=1, sort_keys=False)


# --- CLI ----------------------------------------------------------------------------------------

def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def add_option_arguments(parser: argparse.ArgumentParser) -> None:
    defaults, drift_defaults = CostModel(), DriftConfig()
    period = parser.add_argument_group("period (UTC days)")
    period.add_argument("--since", type=_day, help="first day included (default: the first event)")
    period.add_argument("--until", type=_day, help="first day excluded (default: up to now)")
    costs = parser.add_argument_group("threshold advisor (see analytics/threshold.py)")
    costs.add_argument("--lead-value", type=_non_negative, default=defaults.lead_value, help="value of one captured lead (V)")
    costs.add_argument("--lead-rate", type=_fraction, default=defaults.lead_rate, help="share of referrals that become a lead (r)")
    costs.add_argument("--wrong-answer-cost", type=_non_negative, default=defaults.wrong_answer_cost,
                       help="cost of a wrong self-help answer (W)")
    costs.add_argument("--needless-referral-cost", type=_non_negative, default=defaults.needless_referral_cost,
                       help="cost of referring a question the bot would have answered right (N)")
    costs.add_argument("--containment-value", type=_non_negative, default=defaults.containment_value,
                       help="value of a question answered right by self-help (S)")
    drift = parser.add_argument_group("drift")
    drift.add_argument("--baseline-weeks", type=int, default=drift_defaults.baseline_weeks,
                       help="the first N weeks with data form the baseline")
    drift.add_argument("--baseline", nargs="+", metavar="YYYY-Www", help="explicit baseline ISO weeks, e.g. 2026-W45")
    drift.add_argument("--tvd-bound", type=_fraction, default=drift_defaults.tvd_bound)
    drift.add_argument("--confidence-bound", type=_fraction, default=drift_defaults.confidence_bound)
    drift.add_argument("--min-messages", type=int, default=drift_defaults.min_messages)


def options_from_args(args: argparse.Namespace) -> Options:
    return Options(
        since=args.since,
        until=args.until,
        costs=CostModel(lead_value=args.lead_value, lead_rate=args.lead_rate, wrong_answer_cost=args.wrong_answer_cost,
                        needless_referral_cost=args.needless_referral_cost, containment_value=args.containment_value),
        drift=DriftConfig(tvd_bound=args.tvd_bound, confidence_bound=args.confidence_bound,
                          min_messages=args.min_messages, baseline_weeks=args.baseline_weeks,
                          baseline=tuple(args.baseline) if args.baseline else None),
    )


def _redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
        and not Path(parsed.database).exists()


def write_report(result: dict, out: Path, *, sources: dict[str, str] | None = None) -> Path:
    from .charts import render_all, to_png

    charts_dir = out / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    for old in charts_dir.glob("*.png"):
        old.unlink()
    images = {}
    for name, figure in render_all(result).items():
        (charts_dir / f"{name}.png").write_bytes(to_png(figure))
        images[name] = f"charts/{name}.png"
    (out / "summary.json").write_text(to_json(result), encoding="utf-8")
    report = out / "report.md"
    report.write_text(render_markdown(result, images, sources=sources), encoding="utf-8")
    return report


def main(argv: list[str] | None = None, *, label_loader: Callable | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="output directory (created)")
    parser.add_argument("--database-url", help="the app database (default: DATABASE_URL of the settings)")
    parser.add_argument("--tracker-url", help="Rasa's tracker store (default: TRACKER_DATABASE_URL of the settings)")
    parser.add_argument("--labels", type=Path, help="reviewed labels file (event_id, gold) instead of the NLU inbox")
    add_option_arguments(parser)
    args = parser.parse_args(argv)
    if args.since and args.until and args.since >= args.until:
        parser.error("--since must be before --until")

    from handoff.conversations.repository import make_tracker_engine
    from handoff.db import make_engine

    database_url, tracker_url = args.database_url, args.tracker_url
    if not (database_url and tracker_url):
        from handoff.settings import get_settings

        settings = get_settings()
        database_url = database_url or settings.database_url
        tracker_url = tracker_url or settings.tracker_database_url
    if args.labels:
        labels = labels_from_file(args.labels)
        source = label_loader or (lambda _engine: labels)
    else:
        source = label_loader or inbox_labels
    for name, url in (("tracker store", tracker_url), ("app database", database_url)):
        if _missing_sqlite_file(url):  # don't create an empty database file by looking at it
            print(f"The {name} does not exist yet ({_redact(url)}): has the stack run (`make run`)?", file=sys.stderr)
            return 2
    app_engine, tracker_engine = make_engine(database_url), make_tracker_engine(tracker_url)
    try:
        from sqlalchemy import inspect

        if "events" not in inspect(tracker_engine).get_table_names():
            print(f"The tracker store has no events table yet ({_redact(tracker_url)}): has the bot run?", file=sys.stderr)
            return 2
        if "leads" not in inspect(app_engine).get_table_names():
            print(f"The app database has no leads table ({_redact(database_url)}): run `make migrate`.", file=sys.stderr)
            return 2
        result = build(app_engine, tracker_engine, options_from_args(args), label_source=source)
        report = write_report(result, args.out, sources={"app database": _redact(database_url),
                                                         "tracker": _redact(tracker_url)})
    finally:
        app_engine.dispose()
        tracker_engine.dispose()
    overall = result["business"]["overall"]
    best = result["advisor"]["best"]
    print(f"wrote {report} ({overall['conversations']} conversations, {overall['leads']} leads, "
          f"{result['model']['scores']['n']} reviewed messages"
          + (f", recommended threshold {best['threshold']:.2f}" if best else "") + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
