"""Fine-tuning the top layers of a sentence-transformers encoder on labelled messages.

A frozen MiniLM places "my ex keeps showing up at my job" and "my boss keeps calling me" close together;
a short supervised pass on our own training data pulls the 16 topics apart (bench/results/nlu_finetuning.md).
Only the top transformer layers are trained: it is 3-4x faster on a CPU than training the whole encoder, and the
trained part (about 21 MB for MiniLM's top 3 layers) is all that needs to be stored with the model.

Plain torch and sentence-transformers; no Rasa import, so it is testable on its own.
"""
from __future__ import annotations

import logging
import random
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence

from bot.components.embedding_model import torch_threads

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FineTuneSettings:
    epochs: float = 1.0
    frozen_layers: int = 3  # the embeddings and this many bottom layers keep their weights
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    batch_size: int = 32
    max_length: int = 128  # word pieces per training example (inference keeps the model's own limit)
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


def require_mean_pooling(encoder) -> None:
    """The layer-by-layer encoding here pools like all-MiniLM-L6-v2 (mean over the word pieces); an encoder
    configured with another pooling would silently get different sentence vectors, so it is refused."""
    pooling = [m for m in encoder if type(m).__name__ == "Pooling"]
    modes = pooling[0].get_pooling_mode_str() if pooling else "none"
    if modes != "mean":
        raise ValueError(f"the fine-tuned featurizer needs an encoder with mean pooling; this one pools by {modes!r}")


@contextmanager
def _input_limit(encoder, max_length: Optional[int]) -> Iterator[None]:
    """Tokenize at most `max_length` word pieces for the duration (sentence-transformers reads the limit from the
    model at each call); the encoder's own limit comes back afterwards, also when encoding fails."""
    if max_length is None or max_length >= encoder.max_seq_length:
        yield
        return
    own = encoder.max_seq_length
    encoder.max_seq_length = max_length
    try:
        yield
    finally:
        encoder.max_seq_length = own


def frozen_states(encoder, texts: Sequence[str], frozen_layers: int, *, batch_size: int = 64,
                  max_length: Optional[int] = None) -> list:
    """Hidden states of each text after the word embeddings and the bottom `frozen_layers` layers: one
    (tokens x hidden) float32 tensor per text, without padding, at the encoder's own input limit or, with
    `max_length`, at most that many word pieces (the tokenizer truncates, so the text is read as if it ended there).

    Fine-tuning never changes these layers, so a training run computes them once and starts every tuning epoch
    and the final encoding of the training data from them: each example passes the bottom layers once instead of
    once per epoch plus once for its features.
    """
    import torch

    require_mean_pooling(encoder)
    bert = encoder[0].auto_model
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths together, less padding
    states: list = [None] * len(texts)
    with torch.inference_mode(), _input_limit(encoder, max_length):
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            features = encoder.tokenize([texts[i] for i in chunk])
            input_ids, attention_mask = features["input_ids"], features["attention_mask"]
            hidden = bert.embeddings(input_ids=input_ids, token_type_ids=features.get("token_type_ids"))
            mask = bert.get_extended_attention_mask(attention_mask, input_ids.shape)
            for layer in bert.encoder.layer[:frozen_layers]:
                hidden = layer(hidden, attention_mask=mask)[0]
            for row, index in enumerate(chunk):
                states[index] = hidden[row, : int(attention_mask[row].sum())].clone()
    return states


def _top_layers_embedding(bert, states: Sequence, frozen_layers: int):
    """Mean-pooled output of the layers above `frozen_layers`, from per-text frozen states (padded here)."""
    import torch

    lengths = torch.tensor([len(s) for s in states])
    hidden = torch.nn.utils.rnn.pad_sequence(list(states), batch_first=True)
    attention_mask = (torch.arange(hidden.shape[1])[None, :] < lengths[:, None]).long()
    mask = bert.get_extended_attention_mask(attention_mask, attention_mask.shape)
    for layer in bert.encoder.layer[frozen_layers:]:
        hidden = layer(hidden, attention_mask=mask)[0]
    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def fine_tune(encoder, texts: Sequence[str], labels: Sequence[str], settings: FineTuneSettings,
              *, states: Optional[Sequence] = None, progress: Optional[logging.Logger] = None) -> Dict[str, object]:
    """Train the encoder's top layers (in place) with a softmax head over `labels`; returns the tuned weights.

    `states` are the texts' `frozen_states` when the caller has them already (computed here otherwise). Each
    example is tuned on its first `settings.max_length` word pieces. The head sees unit-length embeddings, like
    the classifier that is trained on them afterwards, so what the encoder learns is a direction per label
    rather than a length.
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
        if states is None:
            states = frozen_states(encoder, texts, settings.frozen_layers, max_length=settings.max_length)
        if len(states) != len(texts):
            raise ValueError("states and texts differ in length")
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
        lengths = [min(len(s), settings.max_length) for s in states]
        per_epoch = -(-len(texts) // settings.batch_size)
        total = int(round(per_epoch * settings.epochs))
        step = 0
        transformer.train()  # dropout in the layers being tuned
        try:
            while step < total:
                for batch in _batches(lengths, settings.batch_size, rng):
                    if step >= total:
                        break
                    pooled = _top_layers_embedding(
                        transformer, [states[i][: settings.max_length] for i in batch], settings.frozen_layers)
                    logits = head(torch.nn.functional.normalize(pooled, dim=-1) * 10.0)
                    loss = torch.nn.functional.cross_entropy(logits, targets[batch])
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    step += 1
                    if step % 25 == 0 or step == total:
                        log.info("fine-tuning the encoder: step %d/%d, loss %.3f", step, total, loss.item())
        finally:
            transformer.eval()
            for parameter in transformer.parameters():
                parameter.requires_grad = False
    return tuned_state(encoder, settings.frozen_layers)


def encode_from_states(encoders: Sequence, states: Sequence, frozen_layers: int, batch_size: int = 64) -> list:
    """Unit-length embeddings from `frozen_states` for each of `encoders` (which share their frozen layers):
    only the top layers run, once per encoder. Fine-tuning leaves the word embeddings and the bottom layers as they
    were, so the tuned and the base encoder compute the same states up to there: for MiniLM with 3 frozen layers
    both embeddings of a message cost 9 layer passes instead of 12 (mean pooling and normalising, as
    all-MiniLM-L6-v2's own modules do). Returns one float32 array (len(states), dim) per encoder."""
    import numpy as np
    import torch

    order = sorted(range(len(states)), key=lambda i: -len(states[i]))
    outputs = [[None] * len(states) for _ in encoders]
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            for encoder, out in zip(encoders, outputs):
                pooled = _top_layers_embedding(encoder[0].auto_model, [states[i] for i in chunk], frozen_layers)
                vectors = torch.nn.functional.normalize(pooled, dim=-1).numpy().astype("float32")
                for row, index in enumerate(chunk):
                    out[index] = vectors[row]
    return [np.vstack(out) for out in outputs]
