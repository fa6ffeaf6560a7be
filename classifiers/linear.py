"""A linear SVM whose scores become probabilities by per-class Platt scaling, predicted in NumPy.

scikit-learn's CalibratedClassifierCV does the same statistics, but its predict_proba calls
one calibrator per class through the estimator API: ~1–3 ms per call for 13 topics, which
alone breaks the 3 ms budget for one message (perf-limits §3: sklearn's per-call validation
dominates small predictions). Here prediction is one sparse product and one vectorised
sigmoid; fitting still uses scikit-learn (LinearSVC, LogisticRegression, cross_val_predict).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

Matrix = Any  # a scipy sparse matrix or a NumPy array of features


class CalibratedLinearSVC(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """LinearSVC + one sigmoid per class, calibrated on held-out or cross-validated scores."""

    def __init__(self, C: float = 0.5, balanced: bool = False, folds: int = 3) -> None:
        self.C = C
        self.balanced = balanced
        self.folds = folds

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight="balanced" if self.balanced else None)

    def fit(self, X: Matrix, y: Any) -> CalibratedLinearSVC:
        """Fit the SVM on all rows; calibrate on its `folds`-fold cross-validated scores."""
        labels = np.asarray(y)
        folds = StratifiedKFold(self.folds, shuffle=True, random_state=0)
        scores = cross_val_predict(self._svm(), X, labels, cv=folds, method="decision_function")
        svm = self._svm().fit(X, labels)
        self._keep(svm)
        self._fit_sigmoids(np.asarray(scores), labels)
        return self

    def fit_held_out(
        self, X: Matrix, y: Any, X_held_out: Matrix, y_held_out: Any
    ) -> CalibratedLinearSVC:
        """Fit the SVM on (X, y); calibrate on held-out rows it never saw (one SVM fit)."""
        svm = self._svm().fit(X, np.asarray(y))
        self._keep(svm)
        self._fit_sigmoids(self.decision_function(X_held_out), np.asarray(y_held_out))
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

    def _fit_sigmoids(self, scores: NDArray[np.float64], labels: NDArray[Any]) -> None:
        # Platt scaling: P(class k) = sigmoid(slope_k · score_k + offset_k), fitted by logistic
        # regression on each class's scores (binary: one score, for classes_[1]).
        columns = scores.reshape(len(labels), -1)
        positives = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        slopes, offsets = [], []
        for column, label in zip(columns.T, positives, strict=True):
            target = labels == label
            if target.all() or not target.any():
                slopes.append(1.0)  # no contrast to learn from: keep the raw margin
                offsets.append(0.0)
                continue
            platt = LogisticRegression(C=1e4).fit(column.reshape(-1, 1), target)
            slopes.append(float(platt.coef_[0, 0]))
            offsets.append(float(platt.intercept_[0]))
        self.slopes_: NDArray[np.float64] = np.array(slopes)
        self.offsets_: NDArray[np.float64] = np.array(offsets)

    def decision_function(self, X: Matrix) -> NDArray[np.float64]:
        """Raw SVM margins: (n, n_classes), or (n,) for two classes."""
        scores: NDArray[np.float64] = np.asarray(X @ self.weights_) + self.intercept_
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict_proba(self, X: Matrix) -> NDArray[np.float64]:
        """Calibrated probabilities, one column per class in `classes_` order."""
        scores = self.decision_function(X).reshape(X.shape[0], -1)
        calibrated: NDArray[np.float64] = expit(scores * self.slopes_ + self.offsets_)
        if len(self.classes_) == 2:
            return np.hstack([1.0 - calibrated, calibrated])
        total = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1.0 / len(self.classes_))
        # A row whose every sigmoid underflows to 0 gets the uniform distribution.
        np.divide(calibrated, total, out=uniform, where=total > 0)
        return uniform

    def predict(self, X: Matrix) -> NDArray[Any]:
        """The most probable class per row."""
        result: NDArray[Any] = self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return result
