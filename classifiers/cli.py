"""Click commands for the `tiengdan` CLI: train, evaluate, evaluate-grouping, convert-sib200.

The lead attaches every command of `COMMANDS` to the `tiengdan` group. Defaults: data = the
shipped corpus (`classifiers/data/corpus/`), model = `classifiers/models/current/` inside the
package (pass `--out` / `--model` to use another directory, e.g. var/models/current).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import click
import msgspec

from classifiers.corpus import SHIPPED_CORPUS, is_corpus_source, load_corpus, load_labeled
from classifiers.errors import ClassifierError

DEFAULT_MODEL_DIR: Final = Path(__file__).parent / "models" / "current"
_DATA = click.Path(exists=True, path_type=Path)


def _fail_cleanly(error: ClassifierError) -> click.ClickException:
    return click.ClickException(str(error))


@click.command("train")
@click.option(
    "--data",
    type=_DATA,
    default=SHIPPED_CORPUS,
    show_default=True,
    help="Corpus folder/JSONL (topic, kind, urgent) or a {text, label} JSONL file.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_MODEL_DIR,
    show_default=True,
    help="Model directory to write (model.skops + card.json).",
)
def train_command(data: Path, out: Path) -> None:
    """Train the classifier(s) and save them with a model card."""
    from classifiers.train import train_labeled, train_models

    try:
        if is_corpus_source(data):
            card = train_models(load_corpus(data), out)
        else:
            card = train_labeled(load_labeled(data), out)
    except ClassifierError as error:
        raise _fail_cleanly(error) from None
    click.echo(f"model {card.version} saved in {out} ({card.training_seconds:.1f} s to fit)")
    for task, metrics in card.metrics.items():
        click.echo(
            f"  {task}: held-out macro-F1 {metrics.macro_f1:.3f}, "
            f"accuracy {metrics.accuracy:.3f} on {metrics.rows} rows"
        )


@click.command("evaluate")
@click.option(
    "--data", type=_DATA, required=True, help="Corpus folder/JSONL or a {text, label} JSONL file."
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Saved model to score. Without it a fresh model is trained on the file's "
    "train+validation split.",
)
@click.option(
    "--split",
    type=click.Choice(["test", "all"]),
    default="test",
    show_default=True,
    help="Rows to score: the held-out test split, or every row (a file new to the model).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--confusion",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the main task's confusion matrix to this PNG.",
)
def evaluate_command(
    data: Path, model_dir: Path | None, split: str, as_json: bool, confusion: Path | None
) -> None:
    """Accuracy, macro-F1 and per-label P/R/F1 (topic first for the corpus format)."""
    from classifiers.reports import evaluation_report

    try:
        report, text = evaluation_report(data, model_dir, split, confusion)
    except ClassifierError as error:
        raise _fail_cleanly(error) from None
    click.echo(_json(report) if as_json else text)


@click.command("evaluate-grouping")
@click.option(
    "--data",
    type=_DATA,
    required=True,
    help="JSONL lines with text, commune, cluster (optional channel, topic).",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_MODEL_DIR,
    show_default=True,
    help="Model that predicts each case's topic.",
)
@click.option("--gold-topics", is_flag=True, help="Use the file's topic field, not the model.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate_grouping_command(
    data: Path, model_dir: Path, gold_topics: bool, as_json: bool
) -> None:
    """B-cubed precision, recall and F1 of the production grouping replayed in line order."""
    from classifiers.reports import grouping_report

    try:
        report = grouping_report(data, None if gold_topics else model_dir)
    except ClassifierError as error:
        raise _fail_cleanly(error) from None
    if as_json:
        click.echo(_json(report))
    else:
        click.echo(
            f"B-cubed precision {report['bcubed_precision']:.3f}  recall "
            f"{report['bcubed_recall']:.3f}  F1 {report['bcubed_f1']:.3f}  "
            f"({report['cases']} cases, {report['groups']} groups, {report['clusters']} clusters)"
        )


@click.command("convert-sib200")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Folder with SIB-200's train.tsv, dev.tsv, test.tsv.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="JSONL file to write ({text, label, split} per line).",
)
def convert_sib200_command(source: Path, out: Path) -> None:
    """Convert SIB-200 (Vietnamese) TSV files to {text, label} JSONL, keeping its splits."""
    from classifiers.sib200 import read_sib200

    try:
        rows = read_sib200(source)
    except ClassifierError as error:
        raise _fail_cleanly(error) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    encoder = msgspec.json.Encoder()
    out.write_bytes(b"".join(encoder.encode(row) + b"\n" for row in rows))
    click.echo(f"{len(rows)} rows written to {out}")


def _json(report: dict[str, Any]) -> str:
    return msgspec.json.encode(report).decode()


COMMANDS: Final[list[click.Command]] = [
    train_command,
    evaluate_command,
    evaluate_grouping_command,
    convert_sib200_command,
]


@click.group()
def main() -> None:
    """The classifier commands on their own (`python -m classifiers.cli`)."""


for _command in COMMANDS:
    main.add_command(_command)

if __name__ == "__main__":
    main()
