"""Converting the SIB-200 Vietnamese TSV files (index_id, category, text) to {text, label} rows."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

from classifiers.corpus import LabeledText, SplitName
from classifiers.errors import DataFormatError

# SIB-200's dev split is our validation split.
_FILES: Final[dict[str, SplitName]] = {"train": "train", "dev": "validation", "test": "test"}
_COLUMNS: Final = ("index_id", "category", "text")


def read_sib200(directory: Path) -> list[LabeledText]:
    """All rows of train.tsv, dev.tsv and test.tsv, each pinned to its split."""
    rows: list[LabeledText] = []
    for name, split in _FILES.items():
        path = directory / f"{name}.tsv"
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                if tuple(reader.fieldnames or ()) != _COLUMNS:
                    raise DataFormatError(f"{path}: expected columns {_COLUMNS}")
                for line, row in enumerate(reader, start=2):
                    if not row["text"] or not row["category"]:
                        raise DataFormatError(f"{path}:{line}: empty text or category")
                    rows.append(LabeledText(row["text"], row["category"], split))
        except FileNotFoundError:
            raise DataFormatError(
                f"{directory}: no {name}.tsv (is this a SIB-200 folder?)"
            ) from None
    return rows
