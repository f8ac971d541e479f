"""Contract of FineTunedSentenceFeaturizer and the fine-tuning it relies on: only the top layers change, the
change pulls labels apart, what is stored is what is served, and the knowledge base keeps the base encoder."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rasa")

from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.components.embedding_model import encode, load_private_encoder  # noqa: E402
from bot.components.encoder_finetuning import (  # noqa: E402
    FineTuneSettings,
    apply_tuned_state,
    fine_tune,
    tuned_parameter_names,
)
from bot.components.finetuned_featurizer import FineTunedSentenceFeaturizer  # noqa: E402
from bot.components.kb_retriever import KnowledgeBaseRetriever  # noqa: E402
from smoke_helpers import execution_context, train_and_parse  # noqa: E402

DATA = Path(__file__).parent / "data"

# Two topics a frozen MiniLM mixes up easily: both are about a person who keeps bothering you.
EXAMPLES = {
    "domestic_violence": [
        "my ex keeps showing up at my house and texting threats",
        "my husband pushed me and took my phone so i could not call anyone",
        "my boyfriend tracks my location and says he will hurt me if i leave",
        "i need a protective order against my ex wife",
        "he slapped me in front of the kids last week",
        "my partner controls all the money and locks me out",
    ],
    "employment": [
        "my boss keeps calling me on my day off and yelling",
        "my manager cut my hours after i complained about safety",
        "i was fired the day after i asked for overtime pay",
        "my supervisor makes comments about my body at work",
        "the company has not paid my last paycheck",
        "they wrote me up for taking my lunch break",
    ],
}
QUICK = FineTuneSettings(epochs=6, frozen_layers=4, batch_size=4, learning_rate=1e-4, threads=1)


def texts_and_labels():
    pairs = [(t, label) for label, texts in EXAMPLES.items() for t in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def separation(vectors: np.ndarray, labels) -> float:
    """Mean cosine to the own label's other examples minus mean cosine to the other label's examples."""
    labels = np.array(labels)
    sims = vectors @ vectors.T
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    other = labels[:, None] != labels[None, :]
    return float(sims[same].mean() - sims[other].mean())


@pytest.fixture(scope="module")
def tuned():
    encoder = load_private_encoder()
    texts, labels = texts_and_labels()
    before = {k: v.clone() for k, v in encoder[0].auto_model.state_dict().items()}
    state = fine_tune(encoder, texts, labels, QUICK)
    return encoder, state, before


def test_only_the_top_layers_change_and_only_they_are_returned(tuned):
    encoder, state, before = tuned
    after = encoder[0].auto_model.state_dict()
    changed = {k for k in before if not np.array_equal(before[k].numpy(), after[k].numpy())}
    assert changed and all(k.startswith(("encoder.layer.4.", "encoder.layer.5.")) for k in changed)
    assert set(state) == set(tuned_parameter_names(encoder, 4)) >= changed


def test_fine_tuning_pulls_the_labels_apart(tuned):
    encoder, _, _ = tuned
    texts, labels = texts_and_labels()
    base = encode(texts)
    after = encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert separation(after, labels) > separation(base, labels) + 0.1


def test_the_shared_base_encoder_is_untouched(tuned):
    texts, _ = texts_and_labels()
    fresh = load_private_encoder().encode(texts[:2], normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(encode(texts[:2]), fresh, atol=1e-5)


def test_stored_layers_rebuild_the_same_encoder(tuned):
    encoder, state, _ = tuned
    rebuilt = load_private_encoder()
    apply_tuned_state(rebuilt, state)
    texts, _ = texts_and_labels()
    assert np.allclose(rebuilt.encode(texts), encoder.encode(texts), atol=1e-5)


def test_weights_of_another_shape_are_refused(tuned):
    _, state, _ = tuned
    import torch

    name = next(iter(state))
    with pytest.raises(ValueError, match="do not fit"):
        apply_tuned_state(load_private_encoder(), {name: torch.zeros(3)})
    with pytest.raises(ValueError, match="unknown parameters"):
        apply_tuned_state(load_private_encoder(), {"decoder.weight": torch.zeros(3)})


@pytest.mark.parametrize("change, message", [
    ({"epochs": -1}, "epochs"), ({"frozen_layers": -1}, "frozen_layers"), ({"learning_rate": 0}, "learning rates"),
    ({"training_batch_size": 0}, "batch_size"), ({"batch_size": 0}, "batch_size"), ({"model_name": ""}, "model_name"),
])
def test_bad_config_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        FineTunedSentenceFeaturizer.validate_config({**FineTunedSentenceFeaturizer.get_default_config(), **change})


def test_fine_tuning_needs_two_labels_and_a_layer_to_train():
    encoder = load_private_encoder()
    with pytest.raises(ValueError, match="two labels"):
        fine_tune(encoder, ["a", "b"], ["x", "x"], QUICK)
    with pytest.raises(ValueError, match="leaves nothing to train"):
        tuned_parameter_names(encoder, 6)


def component_config(**overrides):
    return {**FineTunedSentenceFeaturizer.get_default_config(), "epochs": 6, "frozen_layers": 4,
            "training_batch_size": 4, "learning_rate": 1e-4, "training_threads": 1, **overrides}


def test_component_trains_persists_and_serves_the_tuned_features(storage):
    texts, labels = texts_and_labels()
    data = TrainingData([Message(data={TEXT: t, "intent": label}) for t, label in zip(texts, labels)])
    resource = Resource("finetuned")
    FineTunedSentenceFeaturizer.create(component_config(), storage, resource, execution_context()).train(data)
    loaded = FineTunedSentenceFeaturizer.load(component_config(), storage, resource, execution_context())
    messages = [Message(data={TEXT: t}) for t in texts] + [Message(data={TEXT: ""})]
    loaded.process(messages)
    vectors = np.vstack([m.get_dense_features(TEXT)[1].features for m in messages[:-1]])
    assert vectors.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert separation(vectors, labels) > separation(encode(texts), labels) + 0.1
    assert messages[-1].get_dense_features(TEXT) == (None, None)

    with pytest.raises(ValueError, match="train the model again"):
        FineTunedSentenceFeaturizer.load(component_config(model_name="all-MiniLM-L6-v2"), storage, resource, execution_context())


def test_component_without_stored_layers_serves_the_base_encoder(storage):
    loaded = FineTunedSentenceFeaturizer.load(component_config(), storage, Resource("missing"), execution_context())
    message = Message(data={TEXT: "my landlord kept my deposit"})
    loaded.process([message])
    assert np.allclose(message.get_dense_features(TEXT)[1].features[0], encode(["my landlord kept my deposit"])[0], atol=1e-5)


def test_the_knowledge_base_ignores_fine_tuned_features(storage):
    """The KB index was built with the base encoder; a tuned vector in its place would find the wrong article."""
    resource = Resource("kb")
    config = {**KnowledgeBaseRetriever.get_default_config(), "kb_dir": str(DATA / "kb")}
    KnowledgeBaseRetriever.create(config, storage, resource, execution_context("kb")).train(TrainingData())
    retriever = KnowledgeBaseRetriever.load(config, storage, resource, execution_context("kb"))
    text = "it's been a month and the landlord still has my deposit"
    ranking = [{"name": "housing", "confidence": 0.8}, {"name": "traffic", "confidence": 0.1}]
    plain = Message(data={TEXT: text, "intent_ranking": ranking})
    retriever.process([plain])
    with_tuned = Message(data={TEXT: text, "intent_ranking": ranking})
    # A deliberately wrong vector under the fine-tuned featurizer's name must not be used.
    from rasa.shared.nlu.training_data.features import Features

    with_tuned.add_features(Features(-encode([text]), "sentence", TEXT, "run_bot.components.finetuned_featurizer.FineTunedSentenceFeaturizer0"))
    retriever.process([with_tuned])
    assert with_tuned.get("kb") == plain.get("kb")
    assert plain.get("kb")["hits"][0]["id"] == "housing-deposit"
    # The base encoder's vector riding along with the tuned one is reused as it is (no second encoding):
    # the same deliberately wrong vector under that name does change the result.
    with_base = Message(data={TEXT: text, "intent_ranking": ranking})
    with_base.add_features(Features(-encode([text]), "sentence", TEXT, "run_FineTunedSentenceFeaturizer0:base-encoder"))
    retriever.process([with_base])
    assert with_base.get("kb")["hits"][0]["id"] != "housing-deposit"
    # So is the base embedding a featurizer leaves on the message for retrieval only.
    left = Message(data={TEXT: text, "intent_ranking": ranking, "base_embedding": -encode([text])[0]})
    retriever.process([left])
    assert left.get("kb")["hits"][0]["id"] != "housing-deposit"


def test_smoke_config_trains_and_parses_for_real(tmp_path):
    parsed = train_and_parse(DATA / "smoke_finetuned_config.yml", tmp_path / "models", "the cop gave me a speeding ticket")
    assert parsed["intent"]["name"] == "traffic"


def test_excluded_intents_are_left_out_of_fine_tuning(storage):
    texts, labels = texts_and_labels()
    data = TrainingData([Message(data={TEXT: t, "intent": label}) for t, label in zip(texts, labels)])
    resource = Resource("finetuned-excluded")
    config = component_config(exclude_intents=["employment"])  # one label left: nothing to tune on
    FineTunedSentenceFeaturizer.create(config, storage, resource, execution_context()).train(data)
    loaded = FineTunedSentenceFeaturizer.load(config, storage, resource, execution_context())
    message = Message(data={TEXT: texts[0]})
    loaded.process([message])
    assert np.allclose(message.get_dense_features(TEXT)[1].features[0], encode([texts[0]])[0], atol=1e-5)
    with pytest.raises(ValueError, match="exclude_intents"):
        FineTunedSentenceFeaturizer.validate_config(component_config(exclude_intents="emergency"))


def test_base_features_ride_along_for_the_classifier_and_the_knowledge_base(storage):
    loaded = FineTunedSentenceFeaturizer.load(component_config(add_base_features=True), storage, Resource("none"),
                                              execution_context())
    message = Message(data={TEXT: "my landlord kept my deposit"})
    loaded.process([message])
    features = [f for f in message.features if f.type == "sentence" and f.attribute == TEXT]
    assert [f.origin.endswith(":base-encoder") for f in features] == [False, True]
    _, combined = message.get_dense_features(TEXT)
    assert combined.features.shape == (1, 768)  # what the classifier sees: tuned and base side by side
    assert np.allclose(features[1].features[0], encode(["my landlord kept my deposit"])[0], atol=1e-5)


def test_one_pass_through_the_shared_layers_gives_both_encoders_embeddings(tuned):
    """Frozen states + both encoders' top layers must equal encoding twice, for short and long texts in one batch
    (padding)."""
    from bot.components.embedding_model import load_encoder
    from bot.components.encoder_finetuning import encode_from_states, frozen_states

    encoder, _, _ = tuned
    texts, _ = texts_and_labels()
    texts = texts + ["ok", "word " * 400]  # one word, and one past the 256-piece limit
    states = frozen_states(encoder, texts, 4, batch_size=5)
    tuned_vectors, base_vectors = encode_from_states((encoder, load_encoder()), states, 4, batch_size=5)
    assert np.allclose(tuned_vectors, encoder.encode(texts, normalize_embeddings=True), atol=1e-5)
    assert np.allclose(base_vectors, encode(texts), atol=1e-5)


@pytest.mark.parametrize("features", [
    {"add_base_features": True},
    {"add_frozen_features": True, "base_embedding_for_retrieval": True},  # production
])
def test_training_features_equal_the_served_ones_and_the_frozen_states_are_handed_over_once(storage, features):
    """train() computes the frozen layers' output once and process_training_data() reuses it: what the classifier
    is trained on must still be exactly what a parse produces, and the states must not stay in memory."""
    from bot.components import finetuned_featurizer

    texts, labels = texts_and_labels()
    data = TrainingData([Message(data={TEXT: t, "intent": label}) for t, label in zip(texts, labels)]
                        + [Message(data={TEXT: "a message without an intent, from a story"})])
    config, resource = component_config(**features), Resource("finetuned-handover")
    FineTunedSentenceFeaturizer.create(config, storage, resource, execution_context()).train(data)
    assert len(finetuned_featurizer._TRAINING_STATES) == 1
    loaded = FineTunedSentenceFeaturizer.load(config, storage, resource, execution_context())
    loaded.process_training_data(data)
    assert finetuned_featurizer._TRAINING_STATES == {}
    served = [Message(data={TEXT: m.get(TEXT)}) for m in data.training_examples]
    loaded.process(served)
    for trained, parsed in zip(data.training_examples, served):
        assert np.allclose(trained.get_dense_features(TEXT)[1].features, parsed.get_dense_features(TEXT)[1].features,
                           atol=1e-5)


def test_an_encoder_that_does_not_mean_pool_is_refused():
    from sentence_transformers import SentenceTransformer, models

    from bot.components.embedding_model import resolve_model_path
    from bot.components.encoder_finetuning import frozen_states

    word = models.Transformer(str(resolve_model_path("sentence-transformers/all-MiniLM-L6-v2")))
    cls_pooling = SentenceTransformer(modules=[word, models.Pooling(384, pooling_mode="cls")], device="cpu")
    with pytest.raises(ValueError, match="mean pooling"):
        frozen_states(cls_pooling, ["my landlord kept my deposit"], 3)


def test_frozen_layer_features_for_the_classifier_and_the_base_embedding_for_retrieval_only(storage):
    """Production: the classifier sees the tuned embedding and the mean of the frozen layers' output; the base
    embedding rides on the message for the knowledge base at parse time, and is not computed for training data."""
    texts, labels = texts_and_labels()
    data = TrainingData([Message(data={TEXT: t, "intent": label}) for t, label in zip(texts, labels)])
    config = component_config(add_frozen_features=True, base_embedding_for_retrieval=True)
    resource = Resource("finetuned-frozen-features")
    FineTunedSentenceFeaturizer.create(config, storage, resource, execution_context()).train(data)
    loaded = FineTunedSentenceFeaturizer.load(config, storage, resource, execution_context())
    loaded.process_training_data(data)
    assert all(m.get("base_embedding") is None for m in data.training_examples)

    message = Message(data={TEXT: "my landlord kept my deposit"})
    loaded.process([message])
    origins = [f.origin for f in message.features if f.type == "sentence" and f.attribute == TEXT]
    assert [o.endswith(":frozen-layers") for o in origins] == [False, True]
    assert message.get_dense_features(TEXT)[1].features.shape == (1, 768)
    frozen = message.features[1].features[0]
    assert np.isclose(np.linalg.norm(frozen), 1.0, atol=1e-5)
    assert not np.allclose(frozen, message.features[0].features[0], atol=1e-2)
    assert np.allclose(message.get("base_embedding"), encode(["my landlord kept my deposit"])[0], atol=1e-5)


LONG_STORY = ("so my landlord in ohio says i owe him for a new carpet after i moved out, the carpet was already "
              "old when i moved in and i have pictures from the first day, he also kept the whole deposit and never "
              "sent me any list of what he took it for, then he started texting my new job saying i was a bad tenant "
              "and my manager asked me about it, now he says he will take me to small claims if i dont pay another "
              "six hundred dollars by friday, what can i do about the deposit and the texts")


def test_training_examples_are_read_up_to_the_training_length_on_both_paths(storage):
    """A training example is read as its first `training_max_length` word pieces for the tuning and for the
    classifier's features alike, whether the frozen states were handed over from train() or computed again (a
    run whose train step came from Rasa's cache); a parse still reads the whole message."""
    from bot.components import finetuned_featurizer
    from bot.components.encoder_finetuning import encode_from_states, frozen_states

    texts, labels = texts_and_labels()
    config, resource = component_config(training_max_length=24), Resource("finetuned-training-length")

    def training_data():
        return TrainingData([Message(data={TEXT: t, "intent": label}) for t, label in zip(texts, labels)]
                            + [Message(data={TEXT: LONG_STORY, "intent": "employment"})])

    FineTunedSentenceFeaturizer.create(config, storage, resource, execution_context()).train(training_data())
    loaded = FineTunedSentenceFeaturizer.load(config, storage, resource, execution_context())
    handed_over, recomputed = training_data(), training_data()
    loaded.process_training_data(handed_over)
    assert finetuned_featurizer._TRAINING_STATES == {}
    loaded.process_training_data(recomputed)  # nothing handed over this time
    long_handed = handed_over.training_examples[-1].get_dense_features(TEXT)[1].features
    long_again = recomputed.training_examples[-1].get_dense_features(TEXT)[1].features
    assert np.allclose(long_handed, long_again, atol=1e-5)

    encoder = loaded._encoder
    truncated = encode_from_states([encoder], frozen_states(encoder, [LONG_STORY], 4, max_length=24), 4)[0][0]
    assert np.allclose(long_handed[0, :384], truncated, atol=1e-5)
    assert encoder.max_seq_length == 256  # the limit is back for parsing
    served = Message(data={TEXT: LONG_STORY})
    loaded.process([served])
    assert not np.allclose(served.get_dense_features(TEXT)[1].features, long_handed, atol=1e-3)
    # Short examples fit in the limit: trained on exactly what a parse produces.
    short = Message(data={TEXT: texts[0]})
    loaded.process([short])
    assert np.allclose(short.get_dense_features(TEXT)[1].features,
                       handed_over.training_examples[0].get_dense_features(TEXT)[1].features, atol=1e-5)


def test_the_input_limit_comes_back_when_encoding_fails():
    from bot.components.encoder_finetuning import frozen_states

    encoder = load_private_encoder()
    with pytest.raises(Exception):
        frozen_states(encoder, [None], 3, max_length=16)  # the tokenizer refuses a None text
    assert encoder.max_seq_length == 256
    states = frozen_states(encoder, [LONG_STORY, "my deposit"], 3, max_length=16)
    assert [len(s) for s in states] == [16, 4]  # [CLS] my deposit [SEP]
