"""Code tests: reading corpus and generic files, the near-duplicate-safe split, the data hash."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from classifiers.corpus import (
    CorpusRecord,
    LabeledText,
    data_hash,
    is_corpus_source,
    load_corpus,
    load_labeled,
)
from classifiers.errors import DataFormatError
from classifiers.sib200 import read_sib200
from classifiers.splits import near_duplicate_pairs, split_assignments
from classifiers.training_data import labeled_table

ROW = '{"id": "%s", "text": "%s", "topic": "%s", "kind": "%s", "urgent": false}\n'


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_corpus_folder_is_read_in_file_order(tmp_path: Path) -> None:
    write(
        tmp_path / "b.jsonl",
        ROW % ("b1", "đèn đường hỏng", "construction_infrastructure", "feedback"),
    )
    write(tmp_path / "a.jsonl", ROW % ("a1", "sổ đỏ chậm", "land", "question"), "\n")
    records = load_corpus(tmp_path)
    assert [r.id for r in records] == ["a1", "b1"]
    assert records[0] == CorpusRecord("a1", "sổ đỏ chậm", "land", "question", False)
    assert is_corpus_source(tmp_path) and is_corpus_source(tmp_path / "a.jsonl")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (ROW % ("x", "t", "weather", "feedback"), "unknown topic 'weather'"),
        (ROW % ("x", "t", "land", "rant"), "unknown kind 'rant'"),
        (
            '{"id": "x", "text": "t", "topic": "land", "kind": "feedback", "urgent": "no"}\n',
            r"a.jsonl:1: Expected `bool`",
        ),
        ("not json\n", "a.jsonl:1"),
    ],
)
def test_bad_corpus_rows_are_clear_errors(tmp_path: Path, line: str, message: str) -> None:
    write(tmp_path / "a.jsonl", line)
    with pytest.raises(DataFormatError, match=message):
        load_corpus(tmp_path)


def test_duplicate_ids_and_empty_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"no \*\.jsonl"):
        load_corpus(tmp_path)
    write(
        tmp_path / "a.jsonl",
        ROW % ("x", "a", "land", "feedback"),
        ROW % ("x", "b", "land", "feedback"),
    )
    with pytest.raises(DataFormatError, match="duplicate id"):
        load_corpus(tmp_path)


def test_generic_files_are_read_and_told_apart(tmp_path: Path) -> None:
    path = write(tmp_path / "g.jsonl", '{"text": "bóng đá", "label": "sports"}\n')
    assert load_labeled(path) == [LabeledText("bóng đá", "sports")]
    assert not is_corpus_source(path)
    write(path, '{"text": "bóng đá"}\n')
    with pytest.raises(DataFormatError, match=r"g\.jsonl:1"):
        load_labeled(path)


def test_data_hash_ignores_order_but_not_content() -> None:
    a, b = LabeledText("một", "x"), LabeledText("hai", "y")
    assert data_hash([a, b]) == data_hash([b, a])
    assert data_hash([a, b]) != data_hash([a, LabeledText("hai", "z")])


def _texts_with_near_duplicates() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for topic in ("a", "b", "c"):
        for n in range(20):
            base = f"chủ đề {topic} việc số {n} ở thôn {topic}{n} cần xử lý gấp"
            texts += [base, base.upper() + " ạ", base.replace("ở", "o")]
            labels += [topic] * 3
    return texts, labels


def test_split_is_stratified_deterministic_and_keeps_near_duplicates_together() -> None:
    texts, labels = _texts_with_near_duplicates()
    splits = split_assignments(texts, labels)
    assert splits == split_assignments(texts, labels)
    pairs = near_duplicate_pairs(texts)
    assert len(pairs) >= 60  # each base text has two near-duplicates
    assert all(splits[i] == splits[j] for i, j in pairs)
    for topic in ("a", "b", "c"):
        counts = Counter(s for s, label in zip(splits, labels, strict=True) if label == topic)
        assert counts == {"train": 42, "validation": 9, "test": 9}


def test_pinned_splits_of_generic_rows_are_kept() -> None:
    rows = [LabeledText(f"câu {n}", "x", "test" if n < 3 else "train") for n in range(10)]
    assert labeled_table(rows).split_sizes() == {"train": 7, "validation": 0, "test": 3}


def test_sib200_folder_is_converted_with_its_splits(tmp_path: Path) -> None:
    header = "index_id\tcategory\ttext\n"
    write(tmp_path / "train.tsv", header, "1\tsports\tBóng đá hay\n", "2\thealth\tThuốc tốt\n")
    write(tmp_path / "dev.tsv", header, "3\tsports\tCầu thủ\n")
    write(tmp_path / "test.tsv", header, "4\thealth\tBệnh viện\n")
    rows = read_sib200(tmp_path)
    assert [(r.label, r.split) for r in rows] == [
        ("sports", "train"),
        ("health", "train"),
        ("sports", "validation"),
        ("health", "test"),
    ]
    (tmp_path / "dev.tsv").unlink()
    with pytest.raises(DataFormatError, match=r"no dev\.tsv"):
        read_sib200(tmp_path)
