"""The classifiers package's own error root (CONVENTIONS habit 3); the backend maps it once."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base of every error raised on purpose by `classifiers`."""


class DataFormatError(ClassifierError):
    """A data file (corpus, labelled JSONL, SIB-200 TSV, grouping set) is malformed."""


class ArtifactError(ClassifierError):
    """A model directory is missing, incomplete or does not match what the caller needs."""


class UntrustedArtifactError(ArtifactError):
    """A skops file holds types outside the trusted list; it is refused, never loaded."""
