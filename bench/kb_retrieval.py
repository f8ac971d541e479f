"""Knowledge-base retrieval: accuracy on the team's paraphrase set, and speed at 60,000 pairs.

Accuracy: every paraphrase in nlu_data/kb_paraphrases/ is embedded and searched (a) over the
whole KB and (b) restricted to its topic, as the bot does once the NLU has the topic; top-1 and
top-3 are reported. Then the long, forum-style posts of nlu_data/kb_long_posts.yml, searched within
their topic: how often the best article is one that answers them, and whether the best score clears
the triage's answer threshold (the bot answers) or not (it offers a lawyer instead). The speed at
60,000 pairs is bench/kb_scale.py's job.
Run: .venv-bot/bin/python bench/kb_retrieval.py  → bench/results/kb_retrieval.md
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analytics.bot_config import TRIAGE_COMPONENT, pipeline_setting  # noqa: E402
from bot.components.embedding_model import encode  # noqa: E402
from bot.knowledge.index import VectorIndex  # noqa: E402
from bot.knowledge.kb import load_knowledge_base, retrieval_texts  # noqa: E402


def paraphrases():
    items = []
    for path in sorted((REPO / "nlu_data" / "kb_paraphrases").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        for item in data.get("paraphrases", []):
            items.append((item["article_id"], item["text"]))
    return items


def accuracy(index, articles, items, vectors):
    results = {"whole KB": [0, 0], "topic-restricted": [0, 0]}
    misses = []
    for (article_id, text), vector in zip(items, vectors):
        topic = articles[article_id].topic
        for mode, kwargs in (("whole KB", {}), ("topic-restricted", {"topic": topic})):
            hits = [h.article_id for h in index.search(vector, k=3, **kwargs)]
            results[mode][0] += hits[:1] == [article_id]
            results[mode][1] += article_id in hits
            if mode == "topic-restricted" and article_id not in hits:
                misses.append((article_id, text, hits[0] if hits else None))
    n = len(items)
    return {mode: (top1 / n, top3 / n) for mode, (top1, top3) in results.items()}, misses


def long_posts():
    data = yaml.safe_load((REPO / "nlu_data" / "kb_long_posts.yml").read_text())
    return [(post["topic"], post["text"], list(post["articles"])) for post in data["posts"]]


def answer_threshold() -> float:
    threshold = pipeline_setting(TRIAGE_COMPONENT, "answer_threshold")
    if threshold is None:
        raise SystemExit("bot/config.yml sets no TriageDecision answer_threshold")
    return threshold


def long_post_accuracy(index, posts, vectors, threshold):
    """Topic-restricted search of each long post: (top-1, top-3, answered, answered right) over the posts an
    article answers, (share held back, number) over the posts none answers, and the misses."""
    answerable, unanswerable, misses = [], [], []
    for (topic, text, expected), vector in zip(posts, vectors):
        hits = index.search(vector, k=3, topic=topic)
        best = hits[0] if hits else None
        answered = best is not None and best.score >= threshold
        if expected:
            right = best is not None and best.article_id in expected
            answerable.append((right, any(h.article_id in expected for h in hits), answered, answered and right))
            if not right:
                misses.append((expected[0], text, best.article_id if best else None))
        else:
            unanswerable.append(not answered)
    n = max(1, len(answerable))
    summary = tuple(sum(row[i] for row in answerable) / n for i in range(4))
    return summary, (sum(unanswerable) / max(1, len(unanswerable)), len(unanswerable)), len(answerable), misses


def main():
    articles = load_knowledge_base(REPO / "nlu_data" / "kb")
    pairs = retrieval_texts(articles.values())
    started = time.perf_counter()
    kb_vectors = encode([t for _, t in pairs])
    encode_s = time.perf_counter() - started
    ids = [a for a, _ in pairs]
    topics = [articles[a].topic for a in ids]
    index = VectorIndex(kb_vectors, ids, topics)
    items = paraphrases()
    started = time.perf_counter()
    query_vectors = encode([t for _, t in items])
    per_query_encode_ms = (time.perf_counter() - started) * 1000 / max(1, len(items))
    acc, misses = accuracy(index, articles, items, query_vectors)
    posts, threshold = long_posts(), answer_threshold()
    (top1, top3, answered, answered_right), (held_back, n_none), n_some, long_misses = long_post_accuracy(
        index, posts, encode([text for _, text, _ in posts]), threshold)
    # The scale benchmark (bench/kb_scale.py, app env with hnswlib) starts from these real vectors.
    (REPO / "var" / "cache").mkdir(parents=True, exist_ok=True)
    np.savez(REPO / "var" / "cache" / "kb_vectors.npz", vectors=kb_vectors, topics=np.array(topics))

    lines = [
        "# Knowledge-base retrieval",
        "",
        f"- date: {dt.date.today().isoformat()}; machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        f"- knowledge base: {len(articles)} articles, {len(pairs)} embedded variants (titles + questions), encoded in {encode_s:.1f}s",
        f"- paraphrase test set: {len(items)} paraphrases written by the team (nlu_data/kb_paraphrases/)",
        f"- query encoding (MiniLM, CPU, batched): {per_query_encode_ms:.1f} ms per query on average",
        "",
        "## Accuracy",
        "",
        "| search | top-1 | top-3 |",
        "|---|---|---|",
    ]
    lines += [f"| {mode} | {t1:.3f} | {t3:.3f} |" for mode, (t1, t3) in acc.items()]
    lines += ["", "The bot searches with the NLU's topic (topic-restricted, plus a boost in the whole-KB list).",
              "Speed at 60,000 question variants: bench/results/kb_retrieval_scale.md.", ""]
    lines += [
        "## Long posts",
        "",
        f"{len(posts)} forum-style posts of 50+ words from the held-out set, labelled with the articles that answer "
        "them (nlu_data/kb_long_posts.yml), searched within their topic:",
        "",
        f"- {n_some} posts some article answers: top-1 {top1:.3f}, top-3 {top3:.3f}; the best score clears the answer "
        f"threshold ({threshold}) for {answered:.0%}, and is a right article for {answered_right:.0%}",
        f"- {n_none} posts no article answers: the best score stays under the threshold (the bot offers a lawyer "
        f"instead of a wrong article) for {held_back:.0%}",
        "",
        "| expected | post | got |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {t[:90]} | {g} |" for a, t, g in long_misses]
    lines += [""]
    if misses:
        lines += ["## Topic-restricted misses (top-3)", "", "| expected | paraphrase | got |", "|---|---|---|"]
        lines += [f"| {a} | {t[:90]} | {g} |" for a, t, g in misses[:40]]
    out = REPO / "bench" / "results" / "kb_retrieval.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:20]))


if __name__ == "__main__":
    main()
