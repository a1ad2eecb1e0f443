"""Which query a scene follows, decided once for every scene and study that needs it."""

from __future__ import annotations

import numpy as np

from .attention import HeadResult

__all__ = ["ENDS", "focus_query"]

ENDS = ("[CLS]", "[SEP]")  # the pieces a BERT-style model adds at both ends of a sentence


def focus_query(h: HeadResult, tokens: tuple[str, ...]) -> int:
    """The query a scene follows: the most decided word (its largest weight is the largest).

    Under a mask, the last query, the one that may look at every key (the first sees only
    itself: it has nothing to decide). [CLS] and [SEP] are passed over while a word is left:
    a trained model's [SEP] puts nearly all its weight on [CLS], decided but not a word.
    Rounding first makes a tie (seed 004's two words) go to the first token on every machine,
    whatever the last bits of the weights are."""
    if h.mask is not None:
        return int(h.weights.shape[0] - 1)
    decided = np.round(h.weights.max(axis=1), 9)  # (T,)
    words = [i for i, tok in enumerate(tokens) if tok not in ENDS] or list(range(len(tokens)))
    return max(words, key=lambda i: (decided[i], -i))
