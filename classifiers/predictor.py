"""Serving: load a model directory once, predict many. Imports nothing from training."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import sklearn
from scipy import sparse
from sklearn.pipeline import FeatureUnion, Pipeline

from classifiers.artifacts import load_model
from classifiers.card import ModelCard
from classifiers.errors import ArtifactError
from classifiers.labels import CORPUS_TASKS, KIND_TASK, TOPIC_TASK, URGENCY, URGENCY_TASK
from classifiers.linear import CalibratedLinearSVC


class Prediction(msgspec.Struct, frozen=True):
    """Topic, kind and urgency of one text, each with the model's confidence in it."""

    topic: str
    topic_confidence: float
    kind: str
    kind_confidence: float
    urgent: bool
    urgency_confidence: float
    model_version: str


class LabelPredictor:
    """Any saved model (one or more tasks): labels and confidences per task."""

    def __init__(self, pipelines: dict[str, Pipeline], card: ModelCard) -> None:
        self.card = card
        self.version = card.version
        self.labels = {task: list(labels) for task, labels in card.labels.items()}
        self._pipelines = pipelines
        first = next(iter(pipelines.values()))
        # All tasks share one feature pipeline (train.fit_pipelines); compute features once.
        self._features = first[:-1]
        self._shared = all(
            len(p.steps) == len(first.steps)
            and all(a is b for (_, a), (_, b) in zip(p.steps[:-1], first.steps[:-1], strict=True))
            for p in pipelines.values()
        )
        self._stacked = _stack(pipelines) if self._shared else None

    @classmethod
    def load(cls, model_dir: Path) -> LabelPredictor:
        """Load the model in `model_dir` (skops, trusted types only)."""
        return cls(*load_model(model_dir))

    def predict_tasks(self, texts: Sequence[str]) -> dict[str, tuple[list[str], list[float]]]:
        """For each task: the predicted label and its probability, per text."""
        if isinstance(texts, str):
            raise TypeError("predict takes a sequence of texts, not one string")
        if not all(isinstance(text, str) for text in texts):
            raise TypeError("every text must be a str")
        if not texts:
            return {task: ([], []) for task in self._pipelines}
        # The inputs are our own matrices: skip scikit-learn's per-call validation (~1 ms).
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            if self._stacked is not None:
                return self._stacked.predict(transform(self._features, texts))
            shared = transform(self._features, texts) if self._shared else None
            results = {}
            for task, pipeline in self._pipelines.items():
                features = shared if shared is not None else transform(pipeline[:-1], texts)
                results[task] = _decide(pipeline[-1], pipeline[-1].predict_proba(features))
            return results


class _StackedLinear:
    """Every task's linear model over the shared features as one weight matrix.

    One sparse-dense product reads each feature's weights for all tasks at once; three
    separate products would fetch the same rows from memory three times (the matrices are
    several MB, so the product is bound by memory, not arithmetic).
    """

    def __init__(self, models: dict[str, CalibratedLinearSVC]) -> None:
        self._models = models
        self._columns: dict[str, slice] = {}
        start = 0
        for task, model in models.items():
            width = model.weights_.shape[1]
            self._columns[task] = slice(start, start + width)
            start += width
        self._weights = np.ascontiguousarray(np.hstack([m.weights_ for m in models.values()]))

    def predict(self, features: Any) -> dict[str, tuple[list[str], list[float]]]:
        products = np.asarray(features @ self._weights)
        return {
            task: _decide(
                model,
                model.proba_from_margins(
                    model.margins_from_products(products[:, self._columns[task]])
                ),
            )
            for task, model in self._models.items()
        }


def _stack(pipelines: dict[str, Pipeline]) -> _StackedLinear | None:
    models = {task: pipeline[-1] for task, pipeline in pipelines.items()}
    if all(isinstance(model, CalibratedLinearSVC) for model in models.values()):
        return _StackedLinear(models)
    return None


def _decide(classifier: Any, probabilities: Any) -> tuple[list[str], list[float]]:
    chosen = classifier.decide(probabilities)
    labels = [str(label) for label in classifier.classes_[chosen]]
    # Confidence = the calibrated probability of the decided label.
    return labels, probabilities[np.arange(len(chosen)), chosen].tolist()


def transform(features: Pipeline, texts: Sequence[str]) -> Any:
    """`features.transform(texts)` without Pipeline/FeatureUnion's per-call machinery.

    FeatureUnion goes through joblib even when sequential (~1 ms per call); for one message
    that is most of the budget, so its parts are called directly and stacked here.
    """
    data: Any = list(texts)
    for _, step in features.steps:
        if isinstance(step, FeatureUnion) and step.transformer_weights is None:
            parts = [part.transform(data) for _, part in step.transformer_list if part != "drop"]
            data = sparse.hstack(parts, format="csr")
        else:
            data = step.transform(data)
    return data


class Predictor:
    """The three-task model the backend calls: topic, kind and urgency per text."""

    def __init__(self, model: LabelPredictor) -> None:
        missing = [task for task in CORPUS_TASKS if task not in model.labels]
        if missing:
            raise ArtifactError(f"model {model.version} lacks tasks {missing}")
        self._model = model
        self.version: str = model.version
        self.labels: dict[str, list[str]] = model.labels

    @classmethod
    def load(cls, model_dir: Path) -> Predictor:
        """Load the model in `model_dir`; refuses single-task or untrusted models."""
        return cls(LabelPredictor.load(model_dir))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One Prediction per text, in order."""
        tasks = self._model.predict_tasks(texts)
        topics, topic_confidences = tasks[TOPIC_TASK]
        kinds, kind_confidences = tasks[KIND_TASK]
        urgency, urgency_confidences = tasks[URGENCY_TASK]
        return [
            Prediction(topic, tc, kind, kc, level == URGENCY[1], uc, self.version)
            for topic, tc, kind, kc, level, uc in zip(
                topics,
                topic_confidences,
                kinds,
                kind_confidences,
                urgency,
                urgency_confidences,
                strict=True,
            )
        ]
