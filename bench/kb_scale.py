"""Knowledge-base search at 60,000 question–answer pairs: exact numpy search (what the bot uses)
against an HNSW index (hnswlib), by build time, memory and query latency beyond the encoding.

The 60,000 vectors are the real KB embeddings (saved by bench/kb_retrieval.py in
var/cache/kb_vectors.npz) plus noise, so scores are distributed like real questions.
Run with the app environment (hnswlib is installed there only for this benchmark):
.venv-app/bin/python bench/kb_scale.py → bench/results/kb_retrieval_scale.md
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

# As in the Rasa process (scripts/stack.py): one BLAS thread for these small products.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.knowledge.index import VectorIndex  # noqa: E402

N, QUERIES, K = 60000, 500, 5


def stats(values_ms):
    ordered = sorted(values_ms)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def main():
    saved = np.load(REPO / "var" / "cache" / "kb_vectors.npz")
    base, base_topics = saved["vectors"], list(saved["topics"])
    rng = np.random.default_rng(7)
    picks = rng.integers(0, len(base), size=N)
    vectors = base[picks] + rng.normal(scale=0.08, size=(N, base.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"a{i // 4}" for i in range(N)]  # 15,000 articles of 4 variants
    topics = [base_topics[p] for p in picks]
    queries = vectors[rng.integers(0, N, size=QUERIES)] + rng.normal(scale=0.05, size=(QUERIES, base.shape[1])).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    rows = []

    tracemalloc.start()
    started = time.perf_counter()
    index = VectorIndex(vectors, ids, topics)
    build = time.perf_counter() - started
    memory = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    exact_top = []
    whole, topic_only = [], []
    for q, t in zip(queries, topics):
        s = time.perf_counter(); hits = index.search(q, k=K, boosts={t: 0.1}); whole.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter(); index.search(q, k=3, topic=t); topic_only.append((time.perf_counter() - s) * 1000)
        exact_top.append({h.article_id for h in hits})
    rows.append(("exact (numpy, the bot's index)", build, memory, stats(whole), stats(topic_only), 1.0))

    try:
        import hnswlib
    except ImportError:
        rows.append(("hnswlib", None, None, None, None, None))
    else:
        tracemalloc.start()
        started = time.perf_counter()
        ann = hnswlib.Index(space="ip", dim=vectors.shape[1])
        ann.init_index(max_elements=N, ef_construction=200, M=16)
        ann.set_num_threads(1)
        ann.add_items(vectors, np.arange(N))
        ann.set_ef(64)
        build = time.perf_counter() - started
        tracemalloc.stop()
        memory = N * (vectors.shape[1] * 4 + 16 * 2 * 4) / 2**20  # vectors + links (hnswlib allocates natively)
        times, recall = [], []
        id_array = np.asarray(ids)
        for q, truth in zip(queries, exact_top):
            s = time.perf_counter()
            labels, _ = ann.knn_query(q, k=K * 8)
            found = []
            for label in labels[0]:
                if id_array[label] not in found:
                    found.append(id_array[label])
                if len(found) == K:
                    break
            times.append((time.perf_counter() - s) * 1000)
            recall.append(len(truth & set(found)) / len(truth))
        rows.append(("hnswlib (M=16, ef=64)", build, memory, stats(times), None, float(np.mean(recall))))

    lines = [
        "# Knowledge-base search at 60,000 question–answer pairs",
        "",
        f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}; 1-minute load average: {os.getloadavg()[0]:.1f} "
        "(other jobs were running: medians are the figure to read)",
        f"- {N} vectors of dimension {vectors.shape[1]} ({N // 4} articles × 4 variants), {QUERIES} queries, top-{K} articles; "
        "times exclude the query encoding (done once by the featurizer for the classifier too)",
        "",
        "| index | build (s) | memory (MiB) | whole KB p50 / p95 (ms) | one topic p50 / p95 (ms) | recall of exact top-5 |",
        "|---|---|---|---|---|---|",
    ]
    for name, build, memory, whole_s, topic_s, recall in rows:
        if build is None:
            lines.append(f"| {name} | not installed | | | | |")
            continue
        topic_cell = f"{topic_s[0]:.2f} / {topic_s[1]:.2f}" if topic_s else "n/a (one index)"
        lines.append(f"| {name} | {build:.2f} | {memory:.0f} | {whole_s[0]:.2f} / {whole_s[1]:.2f} | {topic_cell} | {recall:.3f} |")
    lines += ["", "Decision: see the paragraph below the table in the committed copy."]
    out = REPO / "bench" / "results" / "kb_retrieval_scale.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
