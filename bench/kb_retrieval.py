"""Knowledge-base retrieval: accuracy on the team's paraphrase set, and speed at 60,000 pairs.

Accuracy: every paraphrase in nlu_data/kb_paraphrases/ is embedded and searched (a) over the
whole KB and (b) restricted to its topic, as the bot does once the NLU has the topic; top-1 and
top-3 are reported. Scale: 60,000 synthetic question vectors (real KB embeddings plus noise,
so that the score distribution is realistic) in the exact index the bot uses, against hnswlib
when it is installed; build time, memory and query latency beyond the query encoding.
Run: .venv-bot/bin/python bench/kb_retrieval.py  → bench/results/kb_retrieval.md
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

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


def scale(base_vectors, base_topics, n=60000, queries=300, seed=7):
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base_vectors), size=n)
    noisy = base_vectors[picks] + rng.normal(scale=0.08, size=(n, base_vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    ids = [f"a{i // 4}" for i in range(n)]
    topics = [base_topics[p] for p in picks]
    query_vectors = noisy[rng.integers(0, n, size=queries)]
    report = {}

    tracemalloc.start()
    started = time.perf_counter()
    index = VectorIndex(noisy, ids, topics)
    build = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    timings = {"whole": [], "topic": []}
    for q, topic in zip(query_vectors, topics[:queries]):
        t = time.perf_counter(); index.search(q, k=5); timings["whole"].append(time.perf_counter() - t)
        t = time.perf_counter(); index.search(q, k=3, topic=topic); timings["topic"].append(time.perf_counter() - t)
    report["exact (numpy)"] = {"build_s": build, "memory_mib": memory, **{k: v for k, v in _stats(timings).items()}}

    try:
        import hnswlib
    except ImportError:
        report["hnswlib"] = None
    else:
        started = time.perf_counter()
        ann = hnswlib.Index(space="ip", dim=noisy.shape[1])
        ann.init_index(max_elements=n, ef_construction=100, M=16)
        ann.add_items(noisy, np.arange(n))
        build = time.perf_counter() - started
        ann.set_ef(50)
        times = []
        for q in query_vectors:
            t = time.perf_counter(); ann.knn_query(q, k=20); times.append(time.perf_counter() - t)
        report["hnswlib"] = {"build_s": build, "memory_mib": float("nan"), **_stats({"whole": times, "topic": times})}
    return report


def _stats(timings):
    out = {}
    for name, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        out[f"{name}_p50_ms"] = statistics.median(ms)
        out[f"{name}_p95_ms"] = ms[int(0.95 * (len(ms) - 1))]
    return out


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
    speed = scale(kb_vectors, topics)

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
    lines += ["", "The bot searches with the NLU's topic (topic-restricted, plus a boost in the whole-KB list).", ""]
    lines += ["## Scale: 60,000 question variants", "", "| index | build (s) | peak memory (MiB) | query p50 / p95 (ms), whole KB | query p50 / p95 (ms), one topic |", "|---|---|---|---|---|"]
    for name, r in speed.items():
        if r is None:
            lines.append(f"| {name} | not installed | | | |")
            continue
        lines.append(
            f"| {name} | {r['build_s']:.3f} | {r['memory_mib']:.1f} | {r['whole_p50_ms']:.2f} / {r['whole_p95_ms']:.2f} | {r['topic_p50_ms']:.2f} / {r['topic_p95_ms']:.2f} |"
        )
    lines += ["", "Query times exclude the query encoding, which the featurizer already did for the classifier.", ""]
    if misses:
        lines += ["## Topic-restricted misses (top-3)", "", "| expected | paraphrase | got |", "|---|---|---|"]
        lines += [f"| {a} | {t[:90]} | {g} |" for a, t, g in misses[:40]]
    out = REPO / "bench" / "results" / "kb_retrieval.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:20]))


if __name__ == "__main__":
    main()
