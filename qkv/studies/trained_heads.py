"""What trained heads do with the lesson's sentence: all-MiniLM-L6-v2's 6 layers × 12 heads.

A seeded layer's pattern is noise; a trained model's heads have habits a class can see. Each
habit is measured on this sentence, per head, as a number between 0 and 1:

- ``previous``: the mean weight a word piece puts on the one just before it;
- ``next``: the mean weight on the one just after it;
- ``ends``: the mean weight on [CLS] and [SEP], the pieces the model adds at both ends;
- ``broad``: the mean entropy of a row over its largest possible, log T (1: spread evenly).

``best`` names, for each habit, the head that shows it most: (layer, head, measure).
A sentence of more word pieces than a lesson shows is cut to its first ``MAX_TOKENS``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .. import minilm
from ..focus import ENDS
from ..tokens import MAX_TOKENS
from ..trace import Trace

__all__ = ["HABITS", "ENDS", "habits", "pieces", "trained"]

Array = NDArray[np.float64]

HABITS = ("previous", "next", "ends", "broad")


@lru_cache(maxsize=8)
def _cut(sentence: str) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    # the sentence's word pieces, the first MAX_TOKENS of them, and how many there were
    tokens, ids = minilm.word_pieces(sentence)
    return tokens[:MAX_TOKENS], ids[:MAX_TOKENS], len(tokens)


def pieces(t: Trace) -> tuple[str, ...]:
    """The word pieces the study shows (at most MAX_TOKENS)."""
    return _cut(t.sentence)[0]


def habits(a: Array, tokens: tuple[str, ...]) -> dict[str, float]:
    """One head's habits on one sentence, from its weights a (T, T)."""
    T = a.shape[0]
    ends = [j for j, tok in enumerate(tokens) if tok in ENDS]
    rows = np.arange(T)
    entropy = -(a * np.log(np.where(a > 0, a, 1.0))).sum(axis=1)  # (T,) 0·log 0 = 0
    return {
        "previous": float(a[rows[1:], rows[1:] - 1].mean()) if T > 1 else 0.0,
        "next": float(a[rows[:-1], rows[:-1] + 1].mean()) if T > 1 else 0.0,
        "ends": float(a[:, ends].sum(axis=1).mean()) if ends else 0.0,
        "broad": float(entropy.mean() / np.log(T)) if T > 1 else 0.0,
    }


@lru_cache(maxsize=8)
def _study(sentence: str) -> dict[str, Array]:
    tokens, ids, total = _cut(sentence)
    weights = minilm.attention_patterns(ids)  # (layers, heads, T, T)
    L, H = weights.shape[:2]
    measured = np.array(
        [[[habits(weights[i, h], tokens)[k] for k in HABITS] for h in range(H)] for i in range(L)]
    )  # (layers, heads, habits)
    best = []
    for k in range(len(HABITS)):
        # the strongest head (ties to the earliest: rounded first, the same on every machine)
        layer, h = np.unravel_index(np.argmax(np.round(measured[:, :, k], 9)), (L, H))
        best.append([float(layer), float(h), measured[layer, h, k]])
    return {
        "weights": weights,
        **{name: measured[:, :, k] for k, name in enumerate(HABITS)},  # (layers, heads)
        "best": np.asarray(best),  # (habits, 3): layer, head, measure
        "pieces": np.asarray(float(total)),  # () word pieces of the whole sentence
        "shown": np.asarray(float(len(tokens))),  # () how many of them the study shows
    }


def trained(t: Trace) -> dict[str, Array]:
    """The layer study ``trained``: the lesson's sentence through the pretrained model."""
    return _study(t.sentence)
