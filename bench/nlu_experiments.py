"""Compare topic classifiers on the same features, outside Rasa, for a fast first cut.

Trains on nlu_data/ (topics + conversation) and scores on the team's held-out set
(nlu_data/test/) and, when present, the shared evaluation set (../shared/eval, evaluation only).
Candidates: logistic regression on MiniLM sentence embeddings, with and without TF-IDF word
n-grams, and with long messages encoded in chunks. The winner is then confirmed inside Rasa
(`rasa test nlu` cross-validation and scripts/eval_nlu.py), see bench/results/nlu_pipeline_comparison.md.
Run with the bot environment: .venv-bot/bin/python bench/nlu_experiments.py
"""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.components.embedding_model import encode  # noqa: E402
from bot.policy.decision import TOPICS  # noqa: E402

SHARED_EVAL = REPO.parent / "shared" / "eval" / "learned_hands_sample.tsv"


def read_rasa_yaml(paths):
    texts, labels = [], []
    for path in paths:
        data = yaml.safe_load(Path(path).read_text()) or {}
        for block in data.get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(line[2:].strip())
                    labels.append(block["intent"])
    return texts, labels


def read_eval():
    with SHARED_EVAL.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["category"] for r in rows]


CACHE = REPO / "var" / "cache"


def cached_encode(texts, *, chunked=False):
    """Embeddings cached by content hash under var/cache, so repeated experiments skip encoding."""
    import hashlib

    key = hashlib.sha256(("chunked" if chunked else "plain").encode() + "\x00".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = chunked_encode(texts) if chunked else encode(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def chunked_encode(texts, words=60):
    """Average of chunk embeddings for long texts (MiniLM truncates at 256 word pieces)."""
    out = []
    for text in texts:
        tokens = text.split()
        chunks = [" ".join(tokens[i : i + words]) for i in range(0, max(1, len(tokens)), words)] or [text]
        vectors = encode(chunks)
        mean = vectors.mean(axis=0)
        out.append(mean / (np.linalg.norm(mean) or 1.0))
    return np.vstack(out)


def score(model, X, y, topics_only=True):
    probs = model.predict_proba(X)
    classes = model.classes_
    topic_idx = [i for i, c in enumerate(classes) if c in TOPICS]
    preds, confs = [], []
    for row in probs:
        i = max(topic_idx, key=lambda j: row[j])
        preds.append(classes[i])
        confs.append(row[i])
    preds, confs, y = np.array(preds), np.array(confs), np.array(y)
    acc = float((preds == y).mean())
    order = np.argsort(-confs)
    cov = {}
    for c in (0.5, 0.7, 0.8):
        n = int(round(c * len(y)))
        cov[c] = float((preds[order[:n]] == y[order[:n]]).mean())
    return acc, cov


def main():
    from scipy.sparse import hstack, csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train_files = sorted((REPO / "nlu_data" / "topics").glob("*.yml")) + [REPO / "nlu_data" / "conversation.yml"]
    train_x, train_y = read_rasa_yaml([p for p in train_files if p.exists()])
    test_x, test_y = read_rasa_yaml(sorted((REPO / "nlu_data" / "test").glob("*.yml")))
    sets = {"team test set": (test_x, test_y)}
    if SHARED_EVAL.exists():
        sets["shared eval"] = read_eval()
    print(f"train {len(train_x)} examples, {len(set(train_y))} intents")
    t = time.time()
    E_train = cached_encode(train_x)
    print(f"encoded train in {time.time() - t:.1f}s")
    E = {name: cached_encode(x) for name, (x, _) in sets.items()}
    E_chunk = {name: cached_encode(x, chunked=True) for name, (x, _) in sets.items()}
    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(train_x)
    T_train = tfidf.transform(train_x)
    T = {name: tfidf.transform(x) for name, (x, _) in sets.items()}

    rows = []
    for C in (1.0, 4.0, 16.0):
        lr = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(E_train, train_y)
        for name, (_, y) in sets.items():
            rows.append((f"LR(emb) C={C}", name, *score(lr, E[name], y)))
            rows.append((f"LR(emb, chunked) C={C}", name, *score(lr, E_chunk[name], y)))
        for w in (0.5, 1.0):
            Xtr = hstack([csr_matrix(E_train), T_train * w]).tocsr()
            lr2 = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(Xtr, train_y)
            for name, (_, y) in sets.items():
                rows.append((f"LR(emb+tfidf*{w}) C={C}", name, *score(lr2, hstack([csr_matrix(E[name]), T[name] * w]).tocsr(), y)))
    print(f"| model | data | accuracy | acc@50% | acc@70% | acc@80% |")
    print("|---|---|---|---|---|---|")
    for model, data, acc, cov in rows:
        print(f"| {model} | {data} | {acc:.3f} | {cov[0.5]:.3f} | {cov[0.7]:.3f} | {cov[0.8]:.3f} |")


if __name__ == "__main__":
    main()
