"""Fine-tuning settings of FineTunedSentenceFeaturizer, outside Rasa: accuracy against training time.

Runs the production code path (bot/components/encoder_finetuning.py: frozen states computed once, top layers
tuned on the topic and conversation intents, then the tuned and base embeddings of every training message) and
fits the same classifier as LinearTopicClassifier (logistic regression, C=4, balanced, on tuned + base
features, all intents). Scores the team's held-out set (nlu_data/test/) and, for reporting only, the shared
evaluation sample; times each phase. Rasa's own start-up, validation and packaging come on top (about 20 s,
see bench/results/nlu_speed.md). Run with the bot environment:
    .venv-bot/bin/python bench/finetune_experiment.py --epochs 1 --frozen-layers 3 --max-len 64
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.nlu_experiments import read_eval, read_rasa_yaml  # noqa: E402
from bot.policy.decision import TOPICS  # noqa: E402
from scripts.nlu_metrics import coverage_curve  # noqa: E402

TRAINING_FILES = sorted((REPO / "nlu_data" / "topics").glob("*.yml")) + [
    REPO / "nlu_data" / "conversation.yml", REPO / "nlu_data" / "safety" / "emergency.yml"]


def topic_scores(probs, classes, gold):
    """Top-1 topic among the 16 (as make eval-nlu reports it), its probability as the confidence."""
    topic_columns = [classes.index(t) for t in TOPICS]
    topic_probs = probs[:, topic_columns]
    predicted = np.array(TOPICS)[topic_probs.argmax(axis=1)]
    correct = predicted == np.array(gold)
    confidence = topic_probs.max(axis=1)
    confusions = Counter(f"{g}->{p}" for g, p in zip(gold, predicted) if g != p)
    # Coverage is scored by the same function as `make eval-nlu`, so the numbers compare.
    items = [{"gold": g, "predicted": p, "confidence": float(c)} for g, p, c in zip(gold, predicted, confidence)]
    at = {point["coverage"]: point["accuracy"] for point in coverage_curve(items, (0.5, 0.7))}
    return {"acc": float(correct.mean()), "acc@70": at[0.7], "acc@50": at[0.5],
            "top confusions": confusions.most_common(8)}


def head_and_tail(text: str, words: int) -> str:
    """The first and last `words` words of a longer text (Sun et al. 2019 found head+tail the best cut of
    long texts for BERT classifiers)."""
    tokens = text.split()
    if len(tokens) <= 2 * words:
        return text
    return " ".join(tokens[:words] + tokens[-words:])


CONNECTORS = (". Also, ", " and also ", ". On top of that, ", ". Another thing: ", ". And ", ". Separate question, ")


def two_problem_examples(texts, labels, count: int, *, seed: int):
    """`count` texts raising two problems: two short training examples (up to 25 words) of different topics,
    joined the way people add a second problem to a message."""
    import random

    rng = random.Random(seed)
    short = [(t, label) for t, label in zip(texts, labels) if label in TOPICS and len(t.split()) <= 25]
    made, pairs = [], []
    while len(made) < count:
        (first, a), (second, b) = rng.sample(short, 2)
        if a == b:
            continue
        made.append(first.rstrip(" .?!") + rng.choice(CONNECTORS) + second[:1].lower() + second[1:])
        pairs.append((a, b))
    return made, pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--frozen-layers", type=int, default=3)
    parser.add_argument("--max-len", type=int, default=64)
    parser.add_argument("--read-len", type=int, default=None,
                        help="word pieces read of each training example for its features (default: --max-len, as the "
                             "featurizer does; 256 reproduces the third session's production)")
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--no-base", action="store_true", help="classifier on the tuned embedding only")
    parser.add_argument("--mid", action="store_true",
                        help="second feature: the mean-pooled output of the frozen layers instead of the base encoder's")
    parser.add_argument("--head-tail-words", type=int, default=None,
                        help="read a long training example as its first N and last N words (the question of a "
                             "forum post is often at its end) instead of its first word pieces")
    parser.add_argument("--seed", type=int, default=42, help="the tuning's seed (batch order, head initialisation)")
    parser.add_argument("--label", default="")
    parser.add_argument("--parse-lens", default="",
                        help="also score the held-out sets read up to each of these word-piece counts at parse time "
                             "(comma-separated; production reads up to the encoder's limit, 256)")
    parser.add_argument("--pair-examples", type=int, default=0,
                        help="also encode N two-problem examples (two short training examples of different topics "
                             "joined) and fit the classifier on them with half weight for each topic")
    parser.add_argument("--save-features", type=Path, default=None,
                        help="write the classifier's features of the training data, the held-out sets and "
                             "nlu_data/several_topics.yml (.npz), to try classifiers without tuning again")
    parser.add_argument("--save-probs", type=Path, default=None,
                        help="write the class probabilities of the team test set and the shared sample (.npz), "
                             "to score ensembles of several runs with bench/ensemble_runs.py")
    args = parser.parse_args()

    import torch
    from sklearn.linear_model import LogisticRegression

    from bot.components.embedding_model import load_encoder, load_private_encoder
    from bot.components.encoder_finetuning import FineTuneSettings, encode_from_states, fine_tune, frozen_states

    texts, labels = read_rasa_yaml(TRAINING_FILES)
    if args.head_tail_words:
        texts = [head_and_tail(t, args.head_tail_words) for t in texts]
    test_texts, test_labels = read_rasa_yaml(sorted((REPO / "nlu_data" / "test").glob("*.yml")))
    kept = [(t, label) for t, label in zip(test_texts, test_labels) if label in TOPICS]
    test_texts, test_labels = [k[0] for k in kept], [k[1] for k in kept]
    eval_texts, eval_labels = read_eval()
    encoder, base = load_private_encoder(), load_encoder()
    torch.set_num_threads(2)  # after loading: load_encoder sets the serving process's single thread
    settings = FineTuneSettings(epochs=args.epochs, frozen_layers=args.frozen_layers, max_length=args.max_len,
                                learning_rate=args.lr, batch_size=args.batch, threads=2, seed=args.seed)
    times = {}
    started = time.monotonic()
    # As the featurizer does: each training example is read up to the tuning's length, for its features too.
    states = frozen_states(encoder, texts, settings.frozen_layers, max_length=args.read_len or settings.max_length)
    times["frozen states"] = time.monotonic() - started
    started = time.monotonic()
    tuned_idx = [i for i, label in enumerate(labels) if label != "emergency"]
    fine_tune(encoder, [texts[i] for i in tuned_idx], [labels[i] for i in tuned_idx], settings,
              states=[states[i] for i in tuned_idx])
    times["tuning"] = time.monotonic() - started
    encoders = (encoder,) if args.no_base else (encoder, base)

    if args.mid:
        encoders = (encoder,)

    def features(items, item_states=None, max_length=None):
        item_states = item_states or frozen_states(encoder, items, settings.frozen_layers, max_length=max_length)
        parts = encode_from_states(encoders, item_states, settings.frozen_layers)
        if args.mid:
            pooled = np.vstack([s.mean(dim=0).numpy() for s in item_states])
            parts.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.hstack(parts)

    started = time.monotonic()
    X = features(texts, states)
    times["encode training data"] = time.monotonic() - started
    pair_X, pair_labels = np.zeros((0, X.shape[1])), []
    if args.pair_examples:
        started = time.monotonic()
        pair_texts, pair_labels = two_problem_examples(texts, labels, args.pair_examples, seed=args.seed)
        pair_X = features(pair_texts, max_length=2 * settings.max_length)
        times["encode pairs"] = time.monotonic() - started
    started = time.monotonic()
    fit_X = np.vstack([X, pair_X, pair_X])
    fit_labels = list(labels) + [a for a, _ in pair_labels] + [b for _, b in pair_labels]
    weights = np.r_[np.ones(len(X)), np.full(2 * len(pair_labels), 0.5)]
    clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000).fit(fit_X, fit_labels, sample_weight=weights)
    times["classifier"] = time.monotonic() - started
    classes = list(clf.classes_)
    safety = {}
    for name in ("danger", "abuse", "ordinary"):  # never trained on; how often P(emergency) reaches the cut-off
        lines = (REPO / "tests" / "data" / "safety" / f"{name}_messages.txt").read_text().splitlines()
        items = [line.split("\t")[0].strip() for line in lines if line.strip() and not line.startswith("#")]
        emergency = clf.predict_proba(features(items))[:, classes.index("emergency")]
        safety[name] = {str(cut): round(float((emergency >= cut).mean()), 3) for cut in (0.7, 0.8, 0.85)}
    test_X, eval_X = features(test_texts), features(eval_texts)
    test_probs, eval_probs = clf.predict_proba(test_X), clf.predict_proba(eval_X)
    if args.save_features:
        import yaml
        several = yaml.safe_load((REPO / "nlu_data" / "several_topics.yml").read_text())["messages"]
        np.savez(args.save_features, train=X, train_labels=np.array(labels), pairs=pair_X,
                 pair_labels=np.array(pair_labels).reshape(-1, 2),
                 test=test_X, test_labels=np.array(test_labels),
                 shared=eval_X, shared_labels=np.array(eval_labels),
                 several=features([m["text"] for m in several]),
                 several_topics=np.array([m["topics"] for m in several]),
                 test_words=np.array([len(t.split()) for t in test_texts]),
                 shared_words=np.array([len(t.split()) for t in eval_texts]),
                 several_words=np.array([len(m["text"].split()) for m in several]))
    if args.save_probs:
        np.savez(args.save_probs, classes=np.array(classes), test=test_probs, test_gold=np.array(test_labels),
                 shared=eval_probs, shared_gold=np.array(eval_labels))
    parse_lengths = {}
    for length in [int(n) for n in args.parse_lens.split(",") if n.strip()]:
        parse_lengths[length] = {
            "team test": topic_scores(clf.predict_proba(features(test_texts, max_length=length)), classes, test_labels),
            "shared eval": topic_scores(clf.predict_proba(features(eval_texts, max_length=length)), classes,
                                        eval_labels)}
    result = {"label": args.label, "parse lengths": parse_lengths,
              "settings": {k: str(v) for k, v in vars(args).items()}, "examples": len(texts),
              "team test": topic_scores(test_probs, classes, test_labels),
              "shared eval": topic_scores(eval_probs, classes, eval_labels),
              "emergency flagged": safety, "seconds": {k: round(v, 1) for k, v in times.items()}, "total seconds": round(sum(times.values()), 1)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
