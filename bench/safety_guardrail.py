"""Measure the safety guardrail (bot/safety/detector.py) on the team's safety data and write a report.

Stdlib only; runs in either environment:
    .venv-bot/bin/python bench/safety_guardrail.py            # writes bench/results/safety_guardrail.md
    python3 bench/safety_guardrail.py --out /tmp/report.md

Data: tests/data/safety/*.txt (written by the team for the tests, not the shared evaluation set).
The rules were tuned on these files, so the rates here are the guardrail's rates on known phrasing;
the held-out checks below (messages written after a round of tuning, scored before fixing) are the
better guide to how it does on new phrasing.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.safety.detector import EMERGENCY_CATEGORIES, HIGH_STAKES_CATEGORIES, assess, explain  # noqa: E402

DATA = REPO / "tests" / "data" / "safety"
OUT = REPO / "bench" / "results" / "safety_guardrail.md"
# Same fixed date as the tests, so weekday / calendar deadlines are reproducible.
TODAY = date(2025, 3, 5)

# Held-out checks done while building the rules: a fresh batch was written after a round of tuning and
# scored before any rule was changed for it; its misses were then fixed and the batch was added to the
# data files. (batch, danger found, abuse found, ordinary false alarms, high-stakes found, high-stakes false positives)
HELD_OUT_HISTORY = [
    ("round 1 (after tuning on the first files)", (26, 38), (18, 20), (1, 30), (16, 20), (2, 20)),
    ("round 2 (after fixing round 1)", (22, 39), (12, 14), (2, 26), (9, 15), (2, 13)),
    ("round 3 (after fixing round 2)", (26, 40), (17, 20), (0, 30), (17, 20), (4, 20)),
]


def load(name: str, labelled: bool):
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _, label = line.partition("\t")
        rows.append((text.strip(), label.strip() if labelled else None))
    return rows


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f}% ({n}/{d})" if d else "n/a"


def short(text: str, width: int = 110) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= width else text[: width - 1] + "…"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at start (shared machine: wall times are noisy)"
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}{load}"


def latency(texts):
    for text in texts:
        assess(text, today=TODAY)  # warm the regex cache
    wall, cpu = [], []
    for _ in range(3):
        for text in texts:
            w, c = time.perf_counter(), time.process_time()
            assess(text, today=TODAY)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
    wall.sort()
    return statistics.median(wall) * 1e6, wall[int(0.95 * len(wall))] * 1e6, statistics.median(cpu) * 1e6


def long_message_ms() -> float:
    story = ("We were married for nine years. He was controlling about money and he hit me twice during the marriage, "
             "once in 2019 and once last year. I moved out and filed for divorce, and the court gave us a schedule. ")
    text = (story * 40)[:4950] + " he's outside my door right now threatening me"
    assess(text)
    start = time.process_time()
    for _ in range(5):
        assess(text)
    return (time.process_time() - start) / 5 * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    danger = load("danger_messages.txt", True)
    abuse = load("abuse_messages.txt", False)
    ordinary = load("ordinary_messages.txt", False)
    high = load("high_stakes_messages.txt", True)
    not_high = load("not_high_stakes_messages.txt", False)

    lines = ["# Safety guardrail: rule-based danger, abuse and high-stakes detection", ""]
    lines += [f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
              f"- Machine: {machine()}",
              "- Detector: `bot/safety/detector.py` "
              f"({len(explain())} rules); data: `tests/data/safety/*.txt` (team-written, not the shared evaluation set)",
              f"- Command: `python bench/safety_guardrail.py` (court dates relative to {TODAY.isoformat()})", ""]

    # --- danger
    results = [(t, c, assess(t, today=TODAY)) for t, c in danger]
    found = [r for r in results if r[2].level == "emergency" and r[1] in r[2].categories]
    per_cat = defaultdict(lambda: [0, 0])
    for t, c, a in results:
        per_cat[c][1] += 1
        per_cat[c][0] += a.level == "emergency" and c in a.categories
    lines += ["## Immediate danger (must be 100%)", "",
              f"Emergency with the expected category: **{pct(len(found), len(results))}**; "
              f"emergency at all: {pct(sum(a.level == 'emergency' for _, _, a in results), len(results))}.", "",
              "| category | found |", "|---|---|"]
    lines += [f"| {c} | {pct(*per_cat[c])} |" for c in EMERGENCY_CATEGORIES if per_cat[c][1]]
    missed = [r for r in results if r not in found]
    lines += ["", "Missed:" if missed else "Missed: none.", ""]
    lines += [f"- `{c}` — {short(t)} → {a.as_dict()}" for t, c, a in missed]

    # --- abuse
    results = [(t, assess(t, today=TODAY)) for t, _ in abuse]
    levels = Counter(a.level for _, a in results)
    cats = Counter(c for _, a in results for c in a.categories)
    lines += ["", "## Abuse that is not immediate (target ≥ 90% abuse or emergency)", "",
              f"Recognised: **{pct(levels['abuse'] + levels['emergency'], len(results))}** "
              f"(abuse {levels['abuse']}, emergency {levels['emergency']}, none {levels['none']}). "
              f"Categories: {', '.join(f'{c} {n}' for c, n in cats.most_common())}.", ""]
    lines += [f"- missed: {short(t)}" for t, a in results if a.level == "none"]
    lines += [f"- raised to emergency: {short(t)} → {a.categories}" for t, a in results if a.level == "emergency"]

    # --- ordinary
    results = [(t, assess(t, today=TODAY)) for t, _ in ordinary]
    emerg = [(t, a) for t, a in results if a.level == "emergency"]
    abu = [(t, a) for t, a in results if a.level == "abuse"]
    lines += ["", "## Ordinary messages full of alarming words (limit 5% each, target 0)", "",
              f"Emergency: **{pct(len(emerg), len(results))}**; abuse: **{pct(len(abu), len(results))}**.", ""]
    fps = emerg + abu
    lines += ["False positives:" if fps else "False positives: none.", ""]
    lines += [f"- {a.level} {a.categories} — {short(t)} (rules: {', '.join(a.rules)})" for t, a in fps]

    # --- high stakes
    results = [(t, c, assess(t, today=TODAY)) for t, c in high]
    hit = [r for r in results if r[1] in r[2].high_stakes]
    per = defaultdict(lambda: [0, 0])
    for t, c, a in results:
        per[c][1] += 1
        per[c][0] += c in a.high_stakes
    lines += ["", "## High-stakes routing (recall ≥ 90%, false positives ≤ 10%)", "",
              f"Recall: **{pct(len(hit), len(results))}**.", "", "| category | recall |", "|---|---|"]
    lines += [f"| {c} | {pct(*per[c])} |" for c in HIGH_STAKES_CATEGORIES]
    lines += [""] + [f"- missed `{c}`: {short(t)} → {a.high_stakes}" for t, c, a in results if (t, c, a) not in hit]
    nh = [(t, assess(t, today=TODAY)) for t, _ in not_high]
    fp = [(t, a) for t, a in nh if a.high_stakes]
    lines += ["", f"False positives on not-high-stakes messages: **{pct(len(fp), len(nh))}**.", ""]
    lines += [f"- {a.high_stakes} — {short(t)}" for t, a in fp]
    extra = [(t, a) for t, a in [(t, assess(t, today=TODAY)) for t, _ in ordinary] if a.high_stakes]
    lines += ["", f"High-stakes flags on the ordinary messages (informative; many are real legal matters): "
              f"{pct(len(extra), len(ordinary))}."]

    # --- held-out history
    lines += ["", "## Held-out checks (new phrasing)", "",
              "Each batch was written after a round of tuning and scored before any rule was changed for it, then "
              "fixed and added to the data files. These rates are the honest estimate for unseen phrasing.", "",
              "| batch | danger found | abuse found | ordinary false alarms | high-stakes found | high-stakes false positives |",
              "|---|---|---|---|---|---|"]
    for name, *cols in HELD_OUT_HISTORY:
        lines.append(f"| {name} | " + " | ".join(pct(*c) for c in cols) + " |")

    # --- latency
    texts = [t for t, _ in danger] + [t for t, _ in abuse] + [t for t, _ in ordinary] + [t for t, _ in high] + [t for t, _ in not_high]
    wall_median, wall_p95, cpu_median = latency(texts)
    lines += ["", "## Speed", "",
              f"- {len(texts)} messages (median {statistics.median(len(t) for t in texts):.0f} characters), 3 passes: "
              f"median **{wall_median:.0f} µs** per message wall clock (p95 {wall_p95:.0f} µs), median CPU {cpu_median:.0f} µs.",
              f"- A 5000-character message: {long_message_ms():.1f} ms CPU.", ""]

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
