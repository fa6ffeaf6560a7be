"""Code tests: the click commands on tiny files (train, evaluate, evaluate-grouping, convert)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec
from click.testing import CliRunner

from classifiers.cli import COMMANDS, main
from classifiers.corpus import LabeledText

from .conftest import tiny_records


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_jsonl(path: Path, rows: list[msgspec.Struct]) -> Path:
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in rows))
    return path


def test_commands_are_exported_for_the_tiengdan_cli() -> None:
    assert [c.name for c in COMMANDS] == [
        "train",
        "evaluate",
        "evaluate-grouping",
        "convert-sib200",
    ]
    assert all(isinstance(c, click.Command) for c in COMMANDS)


def test_train_then_evaluate_a_corpus_file(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "corpus.jsonl", list(tiny_records()))
    trained = run("train", "--data", str(data), "--out", str(tmp_path / "model"))
    assert trained.exit_code == 0 and "topic: held-out macro-F1" in trained.output
    png = tmp_path / "confusion.png"
    result = run(
        "evaluate",
        "--data",
        str(data),
        "--model",
        str(tmp_path / "model"),
        "--json",
        "--confusion",
        str(png),
    )
    report = json.loads(result.output)
    assert report["task"] == "topic" and set(report["tasks"]) == {"topic", "kind", "urgency"}
    assert 0.9 <= report["macro_f1"] <= 1.0 and 0.0 <= report["accuracy"] <= 1.0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_evaluate_a_generic_file_without_a_model_trains_on_its_train_split(tmp_path: Path) -> None:
    rows = [
        LabeledText(f"{w} lần {n}", label)
        for n in range(30)
        for w, label in (("trận bóng đá", "sports"), ("bầu cử quốc hội", "politics"))
    ]
    data = write_jsonl(tmp_path / "g.jsonl", list(rows))
    result = run("evaluate", "--data", str(data))
    assert result.exit_code == 0
    assert "label: accuracy 1.000  macro-F1 1.000" in result.output


def test_evaluate_with_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "g.jsonl", [LabeledText("x", "y")])
    result = CliRunner().invoke(
        main,
        ["evaluate", "--data", str(data), "--model", str(tmp_path / "absent"), "--split", "all"],
    )
    assert result.exit_code == 1 and "no card.json" in result.output


def test_convert_sib200_writes_text_label_rows(tmp_path: Path) -> None:
    source = tmp_path / "sib"
    source.mkdir()
    for name, row in (
        ("train", "1\tsports\tBóng đá"),
        ("dev", "2\ttravel\tDu lịch"),
        ("test", "3\thealth\tY tế"),
    ):
        (source / f"{name}.tsv").write_text(f"index_id\tcategory\ttext\n{row}\n", encoding="utf-8")
    out = tmp_path / "sib.jsonl"
    assert run("convert-sib200", "--source", str(source), "--out", str(out)).exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"text": "Bóng đá", "label": "sports", "split": "train"}
    assert [line["split"] for line in lines] == ["train", "validation", "test"]


def test_evaluate_grouping_prints_bcubed(tmp_path: Path, tiny_model_dir: Path) -> None:
    cases = [
        {
            "text": "Đường thôn Đông ngập sâu, cống tắc",
            "commune": "1",
            "cluster": "flood",
            "topic": "construction_infrastructure",
        },
        {
            "text": "duong thon dong ngap sau, cong tac qua",
            "commune": "1",
            "cluster": "flood",
            "topic": "construction_infrastructure",
        },
        {
            "text": "Đèn đường xóm 5 hỏng cả tháng",
            "commune": "1",
            "cluster": "light",
            "topic": "construction_infrastructure",
            "channel": "zalo",
        },
    ]
    data = tmp_path / "grouping.jsonl"
    data.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), encoding="utf-8")
    result = run("evaluate-grouping", "--data", str(data), "--gold-topics", "--json")
    report = json.loads(result.output)
    assert report["bcubed_f1"] == 1.0 and report["groups"] == 2
    with_model = run("evaluate-grouping", "--data", str(data), "--model", str(tiny_model_dir))
    assert "B-cubed precision" in with_model.output
