"""Charts of the report and the dashboard (matplotlib, Agg backend, no pyplot: safe in a web server).

Each chart function takes the result of `analytics.summary.analyse` and returns a Figure, or None
when there is nothing to draw. `to_png` / `to_svg` render a figure in memory.
"""
from __future__ import annotations

import io
import re
from typing import Callable

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from .data import NO_TOPIC  # noqa: E402

BLUE, ORANGE, GREEN, RED, GREY = "#1f6fb2", "#e07b00", "#2e8b57", "#c0392b", "#888888"


def _figure(width: float = 7.5, height: float = 3.6) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure


def _percent_axis(axis) -> None:
    axis.set_ylim(0, 1.02)
    axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))


def weekly(result: dict) -> Figure | None:
    weeks = result["business"]["by_week"]
    if not weeks:
        return None
    labels = list(weeks)
    figure = _figure()
    ax = figure.add_subplot()
    ax.bar(labels, [weeks[w]["conversations"] for w in labels], color="#cfe0f1", label="conversations")
    ax.set_ylabel("conversations")
    ax.tick_params(axis="x", labelrotation=45)
    rates = ax.twinx()
    for key, color, name in (("containment_rate", GREEN, "containment"), ("handoff_rate", ORANGE, "handoff rate"),
                             ("helpful_rate", BLUE, "helpful rate")):
        values = [weeks[w][key] for w in labels]
        rates.plot(labels, [v if v is not None else float("nan") for v in values], marker="o", color=color, label=name)
    _percent_axis(rates)
    lines = ax.get_legend_handles_labels()
    more = rates.get_legend_handles_labels()
    figure.legend(lines[0] + more[0], lines[1] + more[1], loc="outside lower center", ncols=4, fontsize=8)
    ax.set_title("Per week: conversations, containment, handoffs, helpful answers")
    return figure


def handoff_reasons(result: dict) -> Figure | None:
    overall = result["business"]["overall"]
    reasons = {k: v for k, v in overall["handoff_by_reason"].items() if v["count"]}
    if not reasons:
        return None
    figure = _figure(height=3.0)
    ax = figure.add_subplot()
    names = list(reasons)
    ax.barh(names, [reasons[r]["rate"] for r in names], color=ORANGE)
    for i, r in enumerate(names):
        ax.annotate(f"{reasons[r]['count']}", (reasons[r]["rate"], i), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.invert_yaxis()
    ax.set_xlabel("share of conversations (first handoff reason)")
    ax.set_title("Handoff rate by reason")
    return figure


def topics(result: dict) -> Figure | None:
    by_topic = {k: v for k, v in result["business"]["by_topic"].items() if v["conversations"]}
    if not by_topic:
        return None
    names = list(by_topic)
    figure = _figure(height=max(3.0, 0.32 * len(names) + 1.2))
    ax = figure.add_subplot()
    y = range(len(names))
    height = 0.27
    for offset, key, color, label in ((-height, "containment_rate", GREEN, "containment"),
                                      (0, "handoff_rate", ORANGE, "handoff rate"),
                                      (height, "helpful_rate", BLUE, "helpful rate")):
        values = [by_topic[t][key] if by_topic[t][key] is not None else 0 for t in names]
        ax.barh([i + offset for i in y], values, height=height, color=color, label=label)
    ax.set_yticks(list(y), [f"{t} ({by_topic[t]['conversations']})" for t in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    figure.legend(loc="outside lower center", ncols=3, fontsize=8)
    ax.set_title("Per topic (conversations in brackets)")
    return figure


def feedback(result: dict) -> Figure | None:
    by_topic = {k: v for k, v in result["business"]["by_topic"].items()
                if v["feedback_helpful"] + v["feedback_not_helpful"]}
    if not by_topic:
        return None
    names = list(by_topic)
    figure = _figure(height=max(2.6, 0.3 * len(names) + 1.2))
    ax = figure.add_subplot()
    helped = [by_topic[t]["feedback_helpful"] for t in names]
    not_helped = [by_topic[t]["feedback_not_helpful"] for t in names]
    ax.barh(names, helped, color=GREEN, label="helped")
    ax.barh(names, not_helped, left=helped, color=RED, label="didn't help")
    ax.invert_yaxis()
    ax.set_xlabel("feedback clicks")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Answer feedback by topic")
    return figure


def leads(result: dict) -> Figure | None:
    overall = result["business"]["overall"]
    if not overall["leads"]:
        return None
    statuses = overall["lead_statuses"]
    figure = _figure(height=3.0)
    ax = figure.add_subplot()
    names = list(statuses)
    colors = [GREEN if s == "retained" else RED if s in ("not_retained", "closed") else BLUE for s in names]
    ax.bar(names, [statuses[s] for s in names], color=colors)
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    ax.set_ylabel("leads")
    conversion = overall["conversion"]
    ax.set_title(f"Leads by current status ({overall['leads']} leads, "
                 f"retained conversion {conversion:.0%})" if conversion is not None else "Leads by current status")
    return figure


def confidence_histogram(result: dict) -> Figure | None:
    model = result["model"]
    if not model["messages_with_topic"]:
        return None
    figure = _figure(height=3.2)
    ax = figure.add_subplot()
    bins = model["histogram_all"]
    centers = [(b["lo"] + b["hi"]) / 2 for b in bins]
    width = bins[0]["hi"] - bins[0]["lo"]
    ax.bar(centers, [b["n"] for b in bins], width=width * 0.95, color="#cfe0f1", label="all messages")
    if model["items"]:
        ax.bar([c - width / 4 for c in centers], [b["n"] for b in model["histogram_correct"]], width=width / 2.2,
               color=GREEN, label="reviewed: correct")
        ax.bar([c + width / 4 for c in centers], [b["n"] for b in model["histogram_wrong"]], width=width / 2.2,
               color=RED, label="reviewed: wrong")
    if model["current_threshold"] is not None:
        ax.axvline(model["current_threshold"], color=GREY, linestyle="--", label="current threshold")
    ax.set_xlim(0, 1)
    ax.set_xlabel("confidence of the predicted topic")
    ax.set_ylabel("messages")
    ax.legend(fontsize=8)
    ax.set_title("Confidence histogram")
    return figure


def reliability(result: dict) -> Figure | None:
    calibration = result["model"]["calibration"]
    if not calibration["n"]:
        return None
    figure = _figure(width=4.8, height=4.2)
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="perfectly calibrated")
    rows = [b for b in calibration["bins"] if b["n"]]
    ax.bar([(b["lo"] + b["hi"]) / 2 for b in rows], [b["accuracy"] for b in rows], width=0.09, color=BLUE,
           alpha=0.8, label="accuracy in bin")
    ax.plot([b["confidence"] for b in rows], [b["accuracy"] for b in rows], marker="o", color=ORANGE,
            label="mean confidence vs accuracy")
    ax.set_xlim(0, 1)
    _percent_axis(ax)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"Reliability diagram (ECE {calibration['ece']:.3f}, n={calibration['n']})")
    return figure


def coverage(result: dict) -> Figure | None:
    advisor = result["advisor"]
    if not advisor["n"]:
        return None
    rows = advisor["curve"]
    figure = _figure(height=3.4)
    ax = figure.add_subplot()
    ts = [r["threshold"] for r in rows]
    ax.plot(ts, [r["coverage"] for r in rows], color=BLUE, label="coverage (share answered)")
    ax.plot(ts, [r["accuracy"] if r["accuracy"] is not None else float("nan") for r in rows], color=GREEN,
            label="accuracy of answered")
    current = result["model"]["current_threshold"]
    if current is not None:
        ax.axvline(current, color=GREY, linestyle="--", label=f"current threshold {current:.2f}")
    ax.set_xlim(0, 1)
    _percent_axis(ax)
    ax.set_xlabel("confidence threshold")
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"Coverage vs accuracy as the threshold moves (n={advisor['n']} reviewed)")
    return figure


def advisor(result: dict) -> Figure | None:
    data = result["advisor"]
    if not data["n"]:
        return None
    rows = data["curve"]
    figure = _figure(height=3.6)
    ax = figure.add_subplot()
    ax.plot([r["threshold"] for r in rows], [r["ev_per_item"] for r in rows], color=BLUE, label="expected value per message")
    best = data["best"]
    ax.axvline(best["threshold"], color=GREEN, label=f"recommended {best['threshold']:.2f} ({best['ev_per_item']:+.2f})")
    if data["current"] is not None:
        current = data["current"]
        ax.axvline(current["threshold"], color=GREY, linestyle="--",
                   label=f"current {current['threshold']:.2f} ({current['ev_per_item']:+.2f})")
    if data["break_even_confidence"] is not None and data["break_even_confidence"] <= 1:
        ax.axvline(data["break_even_confidence"], color=ORANGE, linestyle=":",
                   label=f"break-even if calibrated {data['break_even_confidence']:.2f}")
    ax.axhline(0, color="#cccccc", linewidth=0.8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("confidence threshold (answer at or above, refer below)")
    ax.set_ylabel("value per message")
    ax.legend(fontsize=8)
    ax.set_title("Threshold advisor: expected value of each threshold")
    return figure


def per_topic_scores(result: dict) -> Figure | None:
    per_topic = {k: v for k, v in result["model"]["scores"]["per_topic"].items() if v["support"]}
    if not per_topic:
        return None
    names = list(per_topic)
    figure = _figure(height=max(3.0, 0.3 * len(names) + 1.2))
    ax = figure.add_subplot()
    y = list(range(len(names)))
    ax.barh([i - 0.2 for i in y], [per_topic[t]["precision"] for t in names], height=0.4, color=BLUE, label="precision")
    ax.barh([i + 0.2 for i in y], [per_topic[t]["recall"] for t in names], height=0.4, color=ORANGE, label="recall")
    ax.set_yticks(y, [f"{t} ({per_topic[t]['support']})" for t in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    figure.legend(loc="outside lower center", ncols=2, fontsize=8)
    ax.set_title("Per-topic precision and recall on reviewed labels (support in brackets)")
    return figure


def drift_chart(result: dict) -> Figure | None:
    data = result["drift"]
    if not data["weeks"]:
        return None
    weeks = data["weeks"]
    labels = [w["week"] for w in weeks]
    figure = _figure(height=3.8)
    top, bottom = figure.subplots(2, 1, sharex=True)
    top.bar(labels, [w["tvd"] for w in weeks], color=[RED if "topic_mix" in w["flags"] else BLUE for w in weeks])
    top.axhline(data["config"]["tvd_bound"], color=RED, linestyle="--", linewidth=1)
    top.set_ylabel("TVD of topic mix", fontsize=8)
    top.set_ylim(0, 1)
    bottom.bar(labels, [w["confidence_change"] for w in weeks],
               color=[RED if "confidence" in w["flags"] else BLUE for w in weeks])
    bound = data["config"]["confidence_bound"]
    for value in (bound, -bound):
        bottom.axhline(value, color=RED, linestyle="--", linewidth=1)
    bottom.axhline(0, color="#cccccc", linewidth=0.8)
    bottom.set_ylabel("Δ mean confidence", fontsize=8)
    bottom.tick_params(axis="x", labelrotation=45)
    top.set_title(f"Drift against baseline {', '.join(data['baseline_weeks'])} (red: beyond bound)")
    return figure


CHARTS: dict[str, tuple[str, Callable[[dict], Figure | None]]] = {
    "weekly": ("Per week", weekly),
    "handoff_reasons": ("Handoff rate by reason", handoff_reasons),
    "topics": ("Per topic", topics),
    "feedback": ("Answer feedback by topic", feedback),
    "leads": ("Leads by status", leads),
    "confidence_histogram": ("Confidence histogram", confidence_histogram),
    "reliability": ("Reliability diagram", reliability),
    "coverage": ("Coverage vs accuracy", coverage),
    "per_topic_scores": ("Per-topic precision and recall", per_topic_scores),
    "advisor": ("Threshold advisor", advisor),
    "drift": ("Drift", drift_chart),
}


def to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


_SVG_ID = re.compile(r'(id="|url\(#|href="#)([A-Za-z_][\w.-]*)')


_SVG_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


def to_svg(figure: Figure, *, prefix: str = "", title: str = "") -> str:
    """An inline-able, responsive <svg> element: text kept as text, ids prefixed (several charts share a
    page), scaled to its container up to its natural size, with role="img" and `title` as its label."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": prefix or "chart"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    if prefix:
        svg = _SVG_ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return _SVG_SIZE.sub(
        lambda m: f'<svg{m.group(1)} width="100%" style="max-width:{float(m.group(2)) * 4 / 3:.0f}px;height:auto" '
        f'role="img" aria-label="{label}"',
        svg, count=1,
    )


def render_all(result: dict) -> dict[str, Figure]:
    """name -> figure of every chart that has data."""
    figures = {}
    for name, (_title, make) in CHARTS.items():
        figure = make(result)
        if figure is not None:
            figures[name] = figure
    return figures
