"""Contract tests of the custom NLU components: each one alone, then all of them in a tiny
pipeline trained and loaded for real (the smoke config in tests/bot/data/smoke_config.yml)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rasa")

from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.components.embedding_model import EncoderNotFound, load_encoder, resolve_model_path  # noqa: E402
from bot.components.kb_retriever import KnowledgeBaseRetriever  # noqa: E402
from bot.components.linear_topic_classifier import LinearTopicClassifier  # noqa: E402
from bot.components.safety_guardrail import SafetyGuardrail  # noqa: E402
from bot.components.sentence_featurizer import SentenceTransformerFeaturizer  # noqa: E402
from bot.components.triage_decision import TriageDecision  # noqa: E402
from bot.knowledge.kb import KnowledgeBaseError  # noqa: E402
from smoke_helpers import execution_context, train_and_parse  # noqa: E402

DATA = Path(__file__).parent / "data"


def featurizer():
    return SentenceTransformerFeaturizer.create(
        {**SentenceTransformerFeaturizer.get_default_config()}, None, None, execution_context("featurizer")
    )


def training_data():
    examples = []
    for intent, texts in {
        "housing": ["my landlord kept my deposit", "there is mold in my apartment", "I got an eviction notice"],
        "traffic": ["I got a speeding ticket", "my license was suspended", "red light camera ticket"],
        "greet": ["hi", "hello", "good morning"],
    }.items():
        examples += [Message(data={TEXT: t, "intent": intent}) for t in texts]
    return TrainingData(examples)


def test_encoder_loads_offline_from_the_package_once():
    path = resolve_model_path("sentence-transformers/all-MiniLM-L6-v2")
    assert (path / "model.safetensors").exists()
    assert load_encoder() is load_encoder()  # cached: one model per process


def test_unknown_model_name_fails_with_a_clear_message():
    with pytest.raises(EncoderNotFound, match="model_path"):
        resolve_model_path("some-org/unknown-model")


def test_featurizer_adds_one_unit_norm_sentence_feature():
    messages = [Message(data={TEXT: "my landlord kept my deposit"}), Message(data={TEXT: ""})]
    featurizer().process(messages)
    _, dense = messages[0].get_dense_features(TEXT)
    assert dense.features.shape == (1, 384)
    assert np.isclose(np.linalg.norm(dense.features), 1.0, atol=1e-4)
    assert messages[1].get_dense_features(TEXT) == (None, None)


def test_featurizer_rejects_bad_config():
    with pytest.raises(ValueError, match="batch_size"):
        SentenceTransformerFeaturizer.validate_config({"model_name": "x", "batch_size": 0})


def test_classifier_trains_persists_loads_and_ranks(storage):
    data = featurizer().process_training_data(training_data())
    resource = Resource("classifier")
    classifier = LinearTopicClassifier.create(LinearTopicClassifier.get_default_config(), storage, resource, execution_context())
    classifier.train(data)
    loaded = LinearTopicClassifier.load(LinearTopicClassifier.get_default_config(), storage, resource, execution_context())
    message = Message(data={TEXT: "the landlord will not give my deposit back"})
    featurizer().process([message])
    loaded.process([message])
    assert message.get("intent")["name"] == "housing"
    ranking = message.get("intent_ranking")
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_classifier_without_a_model_predicts_nothing(storage):
    classifier = LinearTopicClassifier.load({}, storage, Resource("missing"), execution_context())
    message = Message(data={TEXT: "hello"})
    classifier.process([message])
    assert message.get("intent") is None


def test_safety_guardrail_overrides_the_intent_and_keeps_the_ranking():
    message = Message(data={TEXT: "he is hitting me right now", "intent": {"name": "family", "confidence": 0.9},
                            "intent_ranking": [{"name": "family", "confidence": 0.9}]})
    SafetyGuardrail.create({}, None, None, execution_context()).process([message])
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert message.get("safety")["level"] == "emergency"
    assert message.get("intent_ranking")[0]["name"] == "family"


def test_retriever_indexes_at_training_and_answers_from_the_stored_index(storage):
    resource = Resource("kb")
    config = {**KnowledgeBaseRetriever.get_default_config(), "kb_dir": str(DATA / "kb")}
    KnowledgeBaseRetriever.create(config, storage, resource, execution_context()).train(TrainingData())
    loaded = KnowledgeBaseRetriever.load(config, storage, resource, execution_context())
    message = Message(data={TEXT: "it's been a month and the landlord still has my deposit",
                            "intent_ranking": [{"name": "housing", "confidence": 0.8}, {"name": "traffic", "confidence": 0.1}]})
    featurizer().process([message])
    loaded.process([message])
    kb = message.get("kb")
    assert kb["hits"][0]["id"] == "housing-deposit"
    assert [h["id"] for h in kb["by_topic"]["housing"]][0] == "housing-deposit"
    assert all(h["topic"] == "traffic" for h in kb["by_topic"]["traffic"])


def test_retriever_training_stops_on_a_broken_kb_file(storage, tmp_path):
    broken = tmp_path / "kb"
    broken.mkdir()
    shutil.copy(DATA / "kb" / "housing.yml", broken / "housing.yml")
    text = (broken / "housing.yml").read_text().replace("    topic: housing\n    title: Getting repairs", "    topic: rent\n    title: Getting repairs")
    (broken / "housing.yml").write_text(text)
    config = {**KnowledgeBaseRetriever.get_default_config(), "kb_dir": str(broken)}
    with pytest.raises(KnowledgeBaseError, match=r"housing\.yml.*housing-repairs\.topic.*unknown topic 'rent'"):
        KnowledgeBaseRetriever.create(config, storage, Resource("kb"), execution_context()).train(TrainingData())


def test_triage_decision_component_outputs_a_decision():
    message = Message(data={TEXT: "I got a ticket", "intent": {"name": "traffic", "confidence": 0.9},
                            "intent_ranking": [{"name": "traffic", "confidence": 0.9}, {"name": "housing", "confidence": 0.05}],
                            "kb": {"by_topic": {"traffic": [{"id": "traffic-ticket", "topic": "traffic", "score": 0.8}]}}})
    TriageDecision.create(TriageDecision.get_default_config(), None, None, execution_context()).process([message])
    assert message.get("triage")["decision"] == "answer"
    assert message.get("triage")["article_id"] == "traffic-ticket"


def test_triage_decision_rejects_thresholds_outside_zero_one():
    with pytest.raises(ValueError, match="answer_threshold"):
        TriageDecision.validate_config({"answer_threshold": 1.5})


def test_smoke_pipeline_trains_and_parses_for_real(tmp_path):
    """All custom components together in Rasa's own training and inference graph."""
    parsed = train_and_parse(DATA / "smoke_config.yml", tmp_path / "models", "my landlord is keeping my deposit")
    assert parsed["intent_ranking"][0]["name"] in {"housing", "nlu_fallback"}
    assert parsed["triage"]["topic"] == "housing"
    assert parsed["safety"]["level"] == "none"
    assert parsed["kb"]["by_topic"]["housing"][0]["id"] == "housing-deposit"
