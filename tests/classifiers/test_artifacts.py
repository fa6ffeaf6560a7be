"""Code tests: skops round trip, refusal of untrusted files, model card, predictor shapes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
import skops.io as sio
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from classifiers.artifacts import CARD_FILE, MODEL_FILE, load_card, load_model
from classifiers.card import ModelCard, is_not_worse
from classifiers.corpus import LabeledText
from classifiers.errors import ArtifactError, UntrustedArtifactError
from classifiers.labels import KINDS, TOPICS
from classifiers.normalize import SYLLABLE_PATTERN, fold
from classifiers.pipelines import normalize_texts, syllable_ngrams
from classifiers.predictor import LabelPredictor, Prediction, Predictor
from classifiers.train import train_labeled, train_models
from tests.classifiers.conftest import tiny_records


def test_round_trip_keeps_predictions_and_card(tiny_model_dir: Path) -> None:
    pipelines, card = load_model(tiny_model_dir)
    assert set(pipelines) == {"topic", "kind", "urgency"}
    assert card.labels["topic"] == list(TOPICS) and card.labels["kind"] == list(KINDS)
    texts = ["phản ánh tình trạng rác thải ở thôn 2", "cho hỏi về học phí thì làm thế nào"]
    again = Predictor.load(tiny_model_dir).predict(texts)
    assert [p.topic for p in again] == ["environment", "education"]
    assert again == Predictor.load(tiny_model_dir).predict(texts)


def test_card_records_version_hash_metrics_and_libraries(tiny_model_dir: Path) -> None:
    card = load_card(tiny_model_dir)
    assert card.version.endswith(card.data_hash[:8])
    assert len(card.data_hash) == 64
    assert {"scikit-learn", "skops", "numpy", "python"} <= set(card.library_versions)
    assert set(card.metrics) == {"topic", "kind", "urgency"}
    assert sum(card.split_rows.values()) == 312


def test_saved_files_are_readable_by_other_processes(tiny_model_dir: Path) -> None:
    for name in (MODEL_FILE, CARD_FILE):
        assert (tiny_model_dir / name).stat().st_mode & 0o777 == 0o644


def test_loading_shares_one_feature_pipeline(tiny_model_dir: Path) -> None:
    pipelines, _ = load_model(tiny_model_dir)
    assert pipelines["topic"].steps[0][1] is pipelines["kind"].steps[0][1]


def test_stacked_weights_predict_what_each_pipeline_predicts(tiny_model_dir: Path) -> None:
    """Serving multiplies once by all tasks' weights; the answers are each pipeline's own."""
    pipelines, _ = load_model(tiny_model_dir)
    texts = [
        "phản ánh tình trạng rác thải ở thôn 2",
        "tôi tố cáo sai phạm liên quan vòi tiền, khẩn cấp đang cháy lớn",
        "cho hoi ve hoc phi thi lam the nao",
    ]
    served = LabelPredictor.load(tiny_model_dir).predict_tasks(texts)
    for task, pipeline in pipelines.items():
        probabilities = pipeline.predict_proba(texts)
        classifier = pipeline[-1]
        chosen = classifier.decide(probabilities)
        assert served[task][0] == [str(label) for label in classifier.classes_[chosen]]
        expected = [float(probabilities[row, column]) for row, column in enumerate(chosen)]
        assert served[task][1] == pytest.approx(expected, abs=1e-12)


def test_untrusted_type_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    shutil.copy(tiny_model_dir / CARD_FILE, tmp_path / CARD_FILE)
    # A pipeline whose step would call os.system: exactly what a malicious file would hold.
    evil = Pipeline([("run", FunctionTransformer(os.system))])
    sio.dump({"topic": evil, "kind": evil, "urgency": evil}, tmp_path / MODEL_FILE)
    with pytest.raises(UntrustedArtifactError, match="system"):
        load_model(tmp_path)


def test_missing_card_and_corrupt_model_are_clear_errors(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(ArtifactError, match=r"no card\.json"):
        Predictor.load(tmp_path)
    shutil.copy(tiny_model_dir / CARD_FILE, tmp_path / CARD_FILE)
    (tmp_path / MODEL_FILE).write_bytes(b"not a zip")
    with pytest.raises(ArtifactError, match="not a skops file"):
        load_model(tmp_path)


def test_predictor_shapes(tiny_model_dir: Path) -> None:
    predictor = Predictor.load(tiny_model_dir)
    predictions = predictor.predict(["khẩn cấp đang cháy lớn nguy hiểm tính mạng", "xin cảm ơn"])
    assert len(predictions) == 2
    for prediction in predictions:
        assert isinstance(prediction, Prediction)
        assert prediction.topic in TOPICS and prediction.kind in KINDS
        assert isinstance(prediction.urgent, bool)
        for confidence in (
            prediction.topic_confidence,
            prediction.kind_confidence,
            prediction.urgency_confidence,
        ):
            assert 0.0 <= confidence <= 1.0
        assert prediction.model_version == predictor.version
    assert predictions[0].urgent and not predictions[1].urgent
    assert predictor.predict([]) == []
    assert (
        msgspec.json.decode(msgspec.json.encode(predictions[0]), type=Prediction) == predictions[0]
    )


def test_predict_refuses_a_bare_string(tiny_model_dir: Path) -> None:
    predictor = Predictor.load(tiny_model_dir)
    with pytest.raises(TypeError, match="sequence of texts"):
        predictor.predict("một câu")
    with pytest.raises(TypeError, match="must be a str"):
        predictor.predict(["một câu", None])  # type: ignore[list-item]


def test_single_task_model_loads_as_labels_but_not_as_predictor(tmp_path: Path) -> None:
    rows = [
        LabeledText(f"{word} số {n}", label)
        for n in range(12)
        for word, label in (("bóng đá", "sports"), ("bầu cử", "politics"))
    ]
    train_labeled(rows, tmp_path)
    labels, confidences = LabelPredictor.load(tmp_path).predict_tasks(["bóng đá hay"])["label"]
    assert labels == ["sports"] and 0.5 < confidences[0] <= 1.0
    with pytest.raises(ArtifactError, match="lacks tasks"):
        Predictor.load(tmp_path)


def _card_with_topic_f1(base: ModelCard, f1: float) -> ModelCard:
    topic = msgspec.structs.replace(base.metrics["topic"], macro_f1=f1)
    return msgspec.structs.replace(base, metrics={**base.metrics, "topic": topic})


def test_is_not_worse_compares_held_out_topic_macro_f1(tiny_model_dir: Path) -> None:
    card = load_card(tiny_model_dir)
    old = _card_with_topic_f1(card, 0.80)
    assert is_not_worse(_card_with_topic_f1(card, 0.80), old)
    assert is_not_worse(_card_with_topic_f1(card, 0.85), old)
    assert not is_not_worse(_card_with_topic_f1(card, 0.79), old)


def _two_vectorizer_features() -> Pipeline:
    """The feature layout models were saved with before the one-pass n-grams."""

    def words(preprocessor: Any) -> HashingVectorizer:
        return HashingVectorizer(
            preprocessor=preprocessor,
            token_pattern=SYLLABLE_PATTERN,
            ngram_range=(1, 2),
            n_features=2**16,
            alternate_sign=False,
            norm=None,
        )

    return Pipeline(
        [
            ("normalize", FunctionTransformer(normalize_texts)),
            ("ngrams", FeatureUnion([("words", words(None)), ("folded_words", words(fold))])),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ]
    )


def _ngram_string_features() -> Pipeline:
    """The feature layout models were saved with before SyllableHasher."""
    return Pipeline(
        [
            ("ngrams", FunctionTransformer(syllable_ngrams)),
            (
                "hashing",
                FeatureHasher(n_features=2**17, input_type="string", alternate_sign=False),
            ),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ]
    )


@pytest.mark.parametrize("layout", [_two_vectorizer_features, _ngram_string_features])
def test_models_saved_with_an_earlier_feature_layout_still_load_and_predict(
    layout: Callable[[], Pipeline], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployment's models volume keeps the model it had until it retrains."""
    monkeypatch.setattr("classifiers.train.build_features", layout)
    train_models(tiny_records(), tmp_path)
    pipelines, _ = load_model(tmp_path)
    assert [name for name, _ in pipelines["topic"].steps[:-1]] == [
        name for name, _ in layout().steps
    ]
    texts = ["phản ánh tình trạng rác thải ở thôn 2", "cho hoi ve hoc phi thi lam the nao"]
    served = Predictor.load(tmp_path).predict(texts)
    assert [p.topic for p in served] == [str(t) for t in pipelines["topic"].predict(texts)]
    assert [p.topic_confidence for p in served] == pytest.approx(
        pipelines["topic"].predict_proba(texts).max(axis=1).tolist()
    )
