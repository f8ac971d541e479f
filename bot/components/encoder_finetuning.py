"""Fine-tuning the top layers of a sentence-transformers encoder on labelled messages.

A frozen MiniLM places "my ex keeps showing up at my job" and "my boss keeps calling me" close together;
a short supervised pass on our own training data pulls the 16 topics apart (bench/results/nlu_finetuning.md).
Only the top transformer layers are trained: it is 3-4x faster on a CPU than training the whole encoder, and the
trained part (about 21 MB for MiniLM's top 3 layers) is all that needs to be stored with the model.

Plain torch and sentence-transformers; no Rasa import, so it is testable on its own.
"""
from __future__ import annotations

import contextlib
import logging
import os
import random
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FineTuneSettings:
    epochs: float = 1.0
    frozen_layers: int = 3  # the embeddings and this many bottom layers keep their weights
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    batch_size: int = 32
    max_length: int = 128  # word pieces per example while training (inference keeps the model's own limit)
    seed: int = 42
    threads: int = 0  # torch threads while training; 0 = every core of the machine

    def validate(self) -> None:
        if self.epochs < 0:
            raise ValueError("fine-tuning 'epochs' must be >= 0")
        if self.frozen_layers < 0:
            raise ValueError("fine-tuning 'frozen_layers' must be >= 0")
        if self.learning_rate <= 0 or self.head_learning_rate <= 0:
            raise ValueError("fine-tuning learning rates must be > 0")
        if self.batch_size < 1 or self.max_length < 8 or self.threads < 0:
            raise ValueError("fine-tuning 'batch_size' must be >= 1, 'max_length' >= 8 and 'threads' >= 0")


def _layers(encoder) -> list:
    return list(encoder[0].auto_model.encoder.layer)


def tuned_parameter_names(encoder, frozen_layers: int) -> List[str]:
    """Names (in the transformer's state dict) of the parameters fine-tuning changes."""
    count = len(_layers(encoder))
    if frozen_layers >= count:
        raise ValueError(f"frozen_layers={frozen_layers} leaves nothing to train: the encoder has {count} layers")
    prefixes = tuple(f"encoder.layer.{i}." for i in range(frozen_layers, count))
    return [name for name, _ in encoder[0].auto_model.named_parameters() if name.startswith(prefixes)]


def tuned_state(encoder, frozen_layers: int) -> Dict[str, object]:
    names = set(tuned_parameter_names(encoder, frozen_layers))
    return {k: v.detach().clone() for k, v in encoder[0].auto_model.state_dict().items() if k in names}


def apply_tuned_state(encoder, state: Dict[str, object]) -> None:
    """Load stored top-layer weights into a freshly loaded base encoder; refuses weights of another shape."""
    model = encoder[0].auto_model
    own = model.state_dict()
    unknown = [k for k in state if k not in own]
    if unknown:
        raise ValueError(f"fine-tuned weights do not fit this encoder (unknown parameters, e.g. {unknown[0]})")
    for name, value in state.items():
        if tuple(own[name].shape) != tuple(value.shape):
            raise ValueError(f"fine-tuned weights do not fit this encoder: {name} has shape {tuple(value.shape)}")
    model.load_state_dict(state, strict=False)


@contextlib.contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Use `threads` torch threads (0 = all cores) inside the block, then restore the process setting
    (the serving process keeps one thread; see embedding_model.load_encoder)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads or os.cpu_count() or 1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> List[List[int]]:
    """Shuffled batches of similar length: a CPU spends its time on words, not on padding."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches: List[List[int]] = []
    for start in range(0, len(order), window):
        part = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def fine_tune(encoder, texts: Sequence[str], labels: Sequence[str], settings: FineTuneSettings,
              *, progress: Optional[logging.Logger] = None) -> Dict[str, object]:
    """Train the encoder's top layers (in place) with a softmax head over `labels`; returns the tuned weights.

    The head sees unit-length embeddings, like the classifier that is trained on them afterwards, so what the
    encoder learns is a direction per label rather than a length.
    """
    import torch

    settings.validate()
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError("fine-tuning needs examples of at least two labels")
    log = progress or logger
    tuned_names = set(tuned_parameter_names(encoder, settings.frozen_layers))
    transformer = encoder[0].auto_model
    for name, parameter in transformer.named_parameters():
        parameter.requires_grad = name in tuned_names
    trainable = [p for n, p in transformer.named_parameters() if n in tuned_names]

    with torch_threads(settings.threads):
        torch.manual_seed(settings.seed)
        rng = random.Random(settings.seed)
        head = torch.nn.Linear(transformer.config.hidden_size, len(classes))
        optimizer = torch.optim.AdamW(
            [{"params": trainable, "lr": settings.learning_rate},
             {"params": head.parameters(), "lr": settings.head_learning_rate}],
            weight_decay=0.01,
        )
        index = {label: i for i, label in enumerate(classes)}
        targets = torch.tensor([index[label] for label in labels])
        previous_length = encoder.max_seq_length
        encoder.max_seq_length = min(settings.max_length, previous_length or settings.max_length)
        lengths = [len(encoder.tokenizer.tokenize(text)) for text in texts]
        per_epoch = -(-len(texts) // settings.batch_size)
        total = int(round(per_epoch * settings.epochs))
        step = 0
        encoder.train()
        try:
            while step < total:
                for batch in _batches(lengths, settings.batch_size, rng):
                    if step >= total:
                        break
                    features = encoder.tokenize([texts[i] for i in batch])
                    embedding = encoder(features)["sentence_embedding"]
                    logits = head(torch.nn.functional.normalize(embedding, dim=-1) * 10.0)
                    loss = torch.nn.functional.cross_entropy(logits, targets[batch])
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    step += 1
                    if step % 25 == 0 or step == total:
                        log.info("fine-tuning the encoder: step %d/%d, loss %.3f", step, total, loss.item())
        finally:
            encoder.eval()
            encoder.max_seq_length = previous_length
            for parameter in transformer.parameters():
                parameter.requires_grad = False
    return tuned_state(encoder, settings.frozen_layers)


def encode_tuned_and_base(tuned, base, texts: Sequence[str], frozen_layers: int, batch_size: int = 64):
    """Unit-length embeddings of `texts` from the tuned encoder and from the base encoder, in one pass through
    the layers they share.

    Fine-tuning leaves the word embeddings and the bottom `frozen_layers` layers as they were, so both encoders
    compute the same hidden states up to there; only the top layers run twice. For MiniLM with 3 frozen layers
    that is 9 layer passes instead of 12 per message (mean pooling and normalising, as all-MiniLM-L6-v2's own
    modules do). Returns two float32 arrays of shape (len(texts), dim).
    """
    import numpy as np
    import torch

    tuned_bert, base_bert = tuned[0].auto_model, base[0].auto_model
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths together, less padding
    out_tuned, out_base = [None] * len(texts), [None] * len(texts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            features = tuned.tokenize([texts[i] for i in chunk])
            input_ids, attention_mask = features["input_ids"], features["attention_mask"]
            hidden = tuned_bert.embeddings(input_ids=input_ids, token_type_ids=features.get("token_type_ids"))
            mask = tuned_bert.get_extended_attention_mask(attention_mask, input_ids.shape)
            for layer in tuned_bert.encoder.layer[:frozen_layers]:
                hidden = layer(hidden, attention_mask=mask)[0]
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            for bert, out in ((tuned_bert, out_tuned), (base_bert, out_base)):
                top = hidden
                for layer in bert.encoder.layer[frozen_layers:]:
                    top = layer(top, attention_mask=mask)[0]
                pooled = (top * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
                vectors = torch.nn.functional.normalize(pooled, dim=-1).numpy().astype("float32")
                for row, index in enumerate(chunk):
                    out[index] = vectors[row]
    return np.vstack(out_tuned), np.vstack(out_base)
