"""Code tests: the calibrated linear SVM and the direct feature path of the predictor."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline

from classifiers.linear import CalibratedLinearSVC
from classifiers.pipelines import build_features
from classifiers.predictor import transform


def blobs(classes: int, per_class: int = 30) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = np.eye(classes, 5) * 4
    x = np.vstack([rng.normal(c, 1.0, (per_class, 5)) for c in centres])
    y = np.repeat([f"c{k}" for k in range(classes)], per_class)
    return x, y


def test_multiclass_probabilities_sum_to_one_and_agree_with_predict() -> None:
    x, y = blobs(4)
    model = CalibratedLinearSVC().fit(x, y)
    proba = model.predict_proba(x)
    assert proba.shape == (120, 4)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (model.predict(x) == model.classes_[proba.argmax(axis=1)]).all()
    assert (model.predict(x) == y).mean() > 0.9
    assert model.coef_.shape == (4, 5)


def test_binary_model_gives_two_columns() -> None:
    x, y = blobs(2)
    model = CalibratedLinearSVC(balanced=True).fit(x, y)
    proba = model.predict_proba(x[:3])
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert model.decision_function(x[:3]).shape == (3,)


def test_held_out_calibration_makes_confident_models_less_sure_when_wrong() -> None:
    x, y = blobs(3)
    rng = np.random.default_rng(1)
    noisy = y.copy()
    flip = rng.random(len(y)) < 0.3
    noisy[flip] = rng.choice(["c0", "c1", "c2"], flip.sum())
    model = CalibratedLinearSVC().fit_held_out(x, y, x, noisy)
    clean = CalibratedLinearSVC().fit_held_out(x, y, x, y)
    assert model.predict_proba(x).max(axis=1).mean() < clean.predict_proba(x).max(axis=1).mean()


def test_direct_feature_path_equals_the_pipeline() -> None:
    texts = ["Đường thôn Đông ngập", "cho hỏi sổ đỏ", "ko có nước sạch r"]
    features: Pipeline = build_features().fit(texts)
    assert (transform(features, texts) != features.transform(texts)).nnz == 0


def test_recall_weight_lowers_the_binary_threshold_to_catch_rare_positives() -> None:
    rng = np.random.default_rng(2)
    x = np.vstack([rng.normal(0, 1, (270, 3)), rng.normal(1.2, 1, (30, 3))])
    y = np.array(["calm"] * 270 + ["urgent"] * 30)
    plain = CalibratedLinearSVC().fit(x, y)
    wary = CalibratedLinearSVC(recall_weight=2.0).fit(x, y)
    assert plain.threshold_ == 0.5 and wary.threshold_ < 0.5
    caught = lambda model: (model.predict(x[270:]) == "urgent").mean()  # noqa: E731
    assert caught(wary) > caught(plain)
    proba = wary.predict_proba(x)
    assert (wary.predict(x) == wary.classes_[(proba[:, 1] >= wary.threshold_).astype(int)]).all()
