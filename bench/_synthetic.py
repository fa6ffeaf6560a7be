"""Synthetic citizen messages made by perturbing the shipped corpus, for scale benchmarks.

Each synthetic message is a random corpus record (labels kept) with random edits a Zalo user
makes: diacritics dropped, "không"/"được" abbreviated, one word dropped, two neighbours
swapped, a greeting in front, a hamlet number at the end. Seeded, so every run is the same.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from classifiers.corpus import CorpusRecord
from classifiers.normalize import fold

_GREETINGS = ("", "", "dạ cho em hỏi ", "kính gửi ubnd xã, ", "ad ơi ", "xin chào, ", "mn ơi ")
_PLACES = ("", "", " ở thôn {n}", " tổ dân phố {n}", " xóm {n}", " ấp {n}")
_SHORT = {"không": "ko", "được": "dc", "gì": "j", "rồi": "r", "với": "vs"}


def perturb(text: str, rng: random.Random) -> str:
    """One random variant of `text`."""
    words = text.split()
    if len(words) > 4 and rng.random() < 0.3:
        del words[rng.randrange(len(words))]
    if len(words) > 4 and rng.random() < 0.3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    if rng.random() < 0.3:
        words = [_SHORT.get(w, w) for w in words]
    text = (
        rng.choice(_GREETINGS) + " ".join(words) + rng.choice(_PLACES).format(n=rng.randint(1, 30))
    )
    return fold(text) if rng.random() < 0.4 else text


def synthesise(records: Sequence[CorpusRecord], count: int, seed: int = 7) -> list[CorpusRecord]:
    """`count` perturbed copies of random records, with unique ids and the same labels."""
    rng = random.Random(seed)
    out: list[CorpusRecord] = []
    for n in range(count):
        base = rng.choice(records)
        out.append(
            CorpusRecord(
                f"synthetic-{n}",
                perturb(base.text, rng),
                base.topic,
                base.kind,
                base.urgent,
                base.style,
                base.province,
            )
        )
    return out
