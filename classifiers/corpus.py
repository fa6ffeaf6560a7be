"""Reading labelled data: the shipped corpus (a folder of JSONL) and generic {text, label} files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Final, Literal, TypeVar

import msgspec

from classifiers.errors import DataFormatError
from classifiers.labels import KINDS, TOPICS

T = TypeVar("T")
SplitName = Literal["train", "validation", "test"]
SHIPPED_CORPUS: Final = Path(__file__).parent / "data" / "corpus"


class CorpusRecord(msgspec.Struct, frozen=True):
    """One message of the shipped corpus, labelled for the three tasks."""

    id: str
    text: str
    topic: str
    kind: str
    urgent: bool
    style: str = ""
    province: str = ""


class LabeledText(msgspec.Struct, frozen=True):
    """One row of a generic single-task file; `split` pins it to a split when the source has one."""

    text: str
    label: str
    split: SplitName | None = None


def load_corpus(source: Path) -> list[CorpusRecord]:
    """Every record of a corpus folder (all *.jsonl, in name order) or of one corpus JSONL file."""
    files = sorted(source.glob("*.jsonl")) if source.is_dir() else [source]
    if not files:
        raise DataFormatError(f"{source}: no *.jsonl files")
    records = [row for path in files for row in _read_jsonl(path, CorpusRecord)]
    seen: set[str] = set()
    for record in records:
        if record.topic not in TOPICS:
            raise DataFormatError(f"{record.id}: unknown topic {record.topic!r}")
        if record.kind not in KINDS:
            raise DataFormatError(f"{record.id}: unknown kind {record.kind!r}")
        if record.id in seen:
            raise DataFormatError(f"{record.id}: duplicate id")
        seen.add(record.id)
    return records


def load_labeled(path: Path) -> list[LabeledText]:
    """Every row of a generic {"text", "label"} JSONL file."""
    return _read_jsonl(path, LabeledText)


def is_corpus_source(source: Path) -> bool:
    """True for the corpus format (a folder, or a JSONL whose first row has a "topic" field)."""
    if source.is_dir():
        return True
    with source.open(encoding="utf-8") as lines:
        first = next((line for line in lines if line.strip()), "")
    try:
        row = msgspec.json.decode(first)
    except msgspec.DecodeError as exc:
        raise DataFormatError(f"{source}:1: not JSON ({exc})") from None
    return isinstance(row, dict) and "topic" in row


def data_hash(rows: Iterable[msgspec.Struct]) -> str:
    """A SHA-256 of the rows, independent of their order, for the model card."""
    digests = sorted(hashlib.sha256(msgspec.json.encode(row)).hexdigest() for row in rows)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _read_jsonl(path: Path, row_type: type[T]) -> list[T]:
    decoder = msgspec.json.Decoder(row_type)
    rows: list[T] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path}: cannot read ({exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(decoder.decode(line))
        except msgspec.DecodeError as exc:
            raise DataFormatError(f"{path}:{number}: {exc}") from None
    if not rows:
        raise DataFormatError(f"{path}: no rows")
    return rows
