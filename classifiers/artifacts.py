"""Saving and loading models with skops and an explicit trusted-type list (never pickle).

A model directory holds `model.skops` (a dict task → fitted Pipeline, sharing one feature
pipeline) and `card.json`. Loading refuses any file that contains a type outside
`TRUSTED_TYPES`: skops would otherwise construct arbitrary classes named in the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Final

import msgspec
import skops.io as sio
from sklearn.pipeline import Pipeline

from classifiers.card import ModelCard
from classifiers.errors import ArtifactError, UntrustedArtifactError

MODEL_FILE: Final = "model.skops"
CARD_FILE: Final = "card.json"
# Types skops does not trust by default but that our pipelines are made of. Everything else a
# file names beyond skops' own defaults (numpy, scipy, scikit-learn estimators) is refused.
TRUSTED_TYPES: Final = (
    "classifiers.linear.CalibratedLinearSVC",
    "classifiers.hashing.SyllableHasher",
    # Models saved with earlier feature layouts still load: n-gram strings + FeatureHasher
    # (pipelines.syllable_ngrams), and before that two HashingVectorizers (normalize_texts).
    "classifiers.pipelines.syllable_ngrams",
    "classifiers.normalize.fold",
    "classifiers.pipelines.normalize_texts",
)


def save_model(pipelines: dict[str, Pipeline], card: ModelCard, directory: Path) -> None:
    """Write the pipelines and their card into `directory` (created; files replaced atomically)."""
    if set(pipelines) != set(card.labels):
        raise ArtifactError(
            f"pipelines {sorted(pipelines)} do not match card {sorted(card.labels)}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    _atomic_write(directory / MODEL_FILE, sio.dumps(pipelines))
    # The card goes last: a directory with a card always has its model.
    _atomic_write(directory / CARD_FILE, msgspec.json.format(msgspec.json.encode(card)))


def load_card(directory: Path) -> ModelCard:
    """The model card of a model directory."""
    path = directory / CARD_FILE
    try:
        return msgspec.json.decode(path.read_bytes(), type=ModelCard)
    except FileNotFoundError:
        raise ArtifactError(f"{directory}: no {CARD_FILE}; train a model first") from None
    except msgspec.DecodeError as exc:
        raise ArtifactError(f"{path}: not a valid model card ({exc})") from None


def load_model(directory: Path) -> tuple[dict[str, Pipeline], ModelCard]:
    """The pipelines and card of a model directory; untrusted content is refused."""
    card = load_card(directory)
    path = directory / MODEL_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"{directory}: no {MODEL_FILE}") from None
    try:
        untrusted = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
    except Exception as exc:  # skops raises several types for a corrupt file
        raise ArtifactError(f"{path}: not a skops file ({exc})") from None
    if untrusted:
        raise UntrustedArtifactError(f"{path} contains untrusted types, refused: {untrusted}")
    pipelines = sio.loads(data, trusted=list(TRUSTED_TYPES))
    if not isinstance(pipelines, dict) or set(pipelines) != set(card.labels):
        raise ArtifactError(f"{path}: tasks do not match the card's {sorted(card.labels)}")
    if not all(isinstance(p, Pipeline) for p in pipelines.values()):
        raise ArtifactError(f"{path}: expected scikit-learn pipelines")
    return pipelines, card


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        # mkstemp creates 0600; a model is read by server and worker processes of any user.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
