"""A linear SVM whose margins become probabilities by a calibrated softmax, predicted in NumPy.

Calibration learns one temperature and one offset per class, P = softmax(β·margins + b),
by minimising log-loss on scores the SVM did not train on (cross-validated or held out).
On the corpus this is better calibrated than per-class Platt sigmoids renormalised (topic
expected calibration error 0.046 vs 0.085; accuracy alike), and it is one coherent
distribution. Prediction is one sparse product and a softmax: scikit-learn's
CalibratedClassifierCV.predict_proba calls one calibrator per class through the estimator API,
~1–3 ms per message for 13 topics, which alone breaks the 3 ms budget (perf-limits §3).
Fitting still uses scikit-learn (LinearSVC, cross_val_predict) and SciPy (L-BFGS).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

Matrix = Any  # a scipy sparse matrix or a NumPy array of features
# A little L2 on the offsets keeps them finite when a class is absent from calibration rows.
_OFFSET_PENALTY: Final = 1e-3


class CalibratedLinearSVC(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """LinearSVC with softmax-calibrated probabilities (temperature + per-class offsets)."""

    def __init__(
        self, C: float = 0.5, balanced: bool = False, folds: int = 3, recall_weight: float = 1.0
    ) -> None:
        self.C = C
        self.balanced = balanced
        self.folds = folds
        # For two classes: β of the F-score whose best threshold on P(classes_[1]) is kept
        # (β > 1 favours recall of classes_[1], e.g. not missing an urgent message).
        self.recall_weight = recall_weight

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight="balanced" if self.balanced else None)

    def fit(self, X: Matrix, y: Any) -> CalibratedLinearSVC:
        """Fit the SVM on all rows; calibrate on its `folds`-fold cross-validated margins."""
        labels = np.asarray(y)
        folds = StratifiedKFold(self.folds, shuffle=True, random_state=0)
        margins = cross_val_predict(self._svm(), X, labels, cv=folds, method="decision_function")
        self._keep(self._svm().fit(X, labels))
        self._calibrate(np.asarray(margins), labels)
        return self

    def fit_held_out(
        self, X: Matrix, y: Any, X_held_out: Matrix, y_held_out: Any
    ) -> CalibratedLinearSVC:
        """Fit the SVM on (X, y); calibrate on held-out rows it never saw (one SVM fit)."""
        self._keep(self._svm().fit(X, np.asarray(y)))
        self._calibrate(self.decision_function(X_held_out), np.asarray(y_held_out))
        return self

    def _keep(self, svm: LinearSVC) -> None:
        self.classes_: NDArray[Any] = svm.classes_
        # Stored (n_features, n_classes) and C-contiguous: a sparse row times it needs no copy
        # (scipy copies a transposed view, 13 MB per call for 2^17 features × 13 topics).
        self.weights_: NDArray[np.float64] = np.ascontiguousarray(svm.coef_.T)
        self.intercept_: NDArray[np.float64] = np.asarray(svm.intercept_)

    @property
    def coef_(self) -> NDArray[np.float64]:
        """The SVM's coefficients, (n_classes or 1, n_features) as in scikit-learn."""
        return self.weights_.T

    def _calibrate(self, margins: NDArray[np.float64], labels: NDArray[Any]) -> None:
        scores = self._as_columns(margins)
        truth = np.eye(len(self.classes_))[np.searchsorted(self.classes_, labels)]

        def loss(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            beta, offsets = np.exp(theta[0]), theta[1:]
            log_p = log_softmax(scores * beta + offsets, axis=1)
            error = np.exp(log_p) - truth
            value = -(log_p * truth).sum(axis=1).mean() + _OFFSET_PENALTY * offsets @ offsets
            gradient = np.concatenate(
                [
                    [(error * scores).sum(axis=1).mean() * beta],
                    error.mean(axis=0) + 2 * _OFFSET_PENALTY * offsets,
                ]
            )
            return float(value), gradient

        start = np.zeros(len(self.classes_) + 1)
        theta = minimize(loss, start, jac=True, method="L-BFGS-B").x
        self.temperature_: float = float(np.exp(theta[0]))
        self.offsets_: NDArray[np.float64] = theta[1:]
        self.threshold_: float = 0.5
        if len(self.classes_) == 2 and self.recall_weight != 1.0:
            positive = self._softmax(scores)[:, 1]
            self.threshold_ = _best_threshold(positive, truth[:, 1] == 1, self.recall_weight)

    def _as_columns(self, margins: NDArray[np.float64]) -> NDArray[np.float64]:
        # Binary SVMs give one margin (for classes_[1]); class 0 then has margin 0.
        if len(self.classes_) == 2:
            flat = margins.reshape(-1)
            return np.stack([np.zeros_like(flat), flat], axis=1)
        return margins

    def decision_function(self, X: Matrix) -> NDArray[np.float64]:
        """Raw SVM margins: (n, n_classes), or (n,) for two classes."""
        scores = self.margins_from_products(np.asarray(X @ self.weights_))
        return scores.ravel() if len(self.classes_) == 2 else scores

    def margins_from_products(self, products: NDArray[np.float64]) -> NDArray[np.float64]:
        """Margins from `X @ weights_` computed elsewhere (several models sharing features)."""
        margins: NDArray[np.float64] = products + self.intercept_
        return margins

    def predict_proba(self, X: Matrix) -> NDArray[np.float64]:
        """Calibrated probabilities, one column per class in `classes_` order."""
        return self.proba_from_margins(self.decision_function(X))

    def proba_from_margins(self, margins: NDArray[np.float64]) -> NDArray[np.float64]:
        """`predict_proba` for margins already computed (`decision_function`'s output)."""
        return self._softmax(self._as_columns(margins))

    def _softmax(self, scores: NDArray[np.float64]) -> NDArray[np.float64]:
        probabilities: NDArray[np.float64] = softmax(
            scores * self.temperature_ + self.offsets_, axis=1
        )
        return probabilities

    def decide(self, probabilities: NDArray[np.float64]) -> NDArray[np.intp]:
        """Index into `classes_` of the decision for each row of `predict_proba`'s output."""
        if len(self.classes_) == 2:
            return (probabilities[:, 1] >= self.threshold_).astype(np.intp)
        best: NDArray[np.intp] = np.argmax(probabilities, axis=1)
        return best

    def predict(self, X: Matrix) -> NDArray[Any]:
        """The decided class per row (the most probable, or past the threshold for two)."""
        result: NDArray[Any] = self.classes_[self.decide(self.predict_proba(X))]
        return result


def _best_threshold(
    probability: NDArray[np.float64], positive: NDArray[np.bool_], beta: float
) -> float:
    """The cut on P(positive) with the best F-beta on calibration rows, never above 0.5.

    The cut sits midway between the lowest probability it accepts and the highest it
    rejects: the next urgent message will not score exactly like a calibration row.
    """
    if not positive.any():
        return 0.5
    order = np.argsort(-probability, kind="stable")
    ranked, hits = probability[order], positive[order]
    true_positives = np.cumsum(hits)
    precision = true_positives / np.arange(1, len(ranked) + 1)
    recall = true_positives / hits.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        f_beta = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
    # Only cut where the probability changes: equal scores are accepted together.
    f_beta[np.append(ranked[1:] == ranked[:-1], False)] = -1.0
    best = int(np.argmax(np.nan_to_num(f_beta, nan=-1.0)))
    rejected = ranked[best + 1] if best + 1 < len(ranked) else 0.0
    return float(min(0.5, (ranked[best] + rejected) / 2))
