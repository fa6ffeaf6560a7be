"""Model versions on disk: `<models_dir>/versions/<version>/` and `current` pointing at one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import msgspec

from classifiers.artifacts import load_card
from classifiers.card import ModelCard


class ModelVersion(msgspec.Struct, kw_only=True):
    version: str
    active: bool
    created_at: str
    topic_macro_f1: float | None
    data_source: str


def current_dir(models_dir: Path) -> Path:
    return models_dir / "current"


def active_card(models_dir: Path) -> ModelCard | None:
    path = current_dir(models_dir)
    return load_card(path) if (path / "card.json").exists() else None


def list_versions(models_dir: Path) -> list[ModelVersion]:
    """Every stored model, newest first, with the active one marked."""
    active = active_card(models_dir)
    cards: dict[str, ModelCard] = {}
    for card_file in (models_dir / "versions").glob("*/card.json"):
        card = load_card(card_file.parent)
        cards[card.version] = card
    if active is not None:
        cards.setdefault(active.version, active)
    return [
        ModelVersion(
            version=card.version,
            active=active is not None and card.version == active.version,
            created_at=card.created_at.isoformat(),
            topic_macro_f1=card.metrics["topic"].macro_f1 if "topic" in card.metrics else None,
            data_source=card.data_source,
        )
        for card in sorted(cards.values(), key=lambda c: c.created_at, reverse=True)
    ]


def activate(models_dir: Path, version_dir: Path) -> None:
    """Point `current` at `version_dir` atomically (a symlink swapped by rename)."""
    current = current_dir(models_dir)
    if current.exists() and not current.is_symlink():
        # The first model was trained straight into current/: keep it as a version.
        card = load_card(current)
        keep = models_dir / "versions" / card.version
        keep.parent.mkdir(parents=True, exist_ok=True)
        if not keep.exists():
            shutil.move(str(current), keep)
        else:
            shutil.rmtree(current)
    link = models_dir / ".current-new"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(version_dir.resolve(), target_is_directory=True)
    os.replace(link, current)
