"""Which query a scene follows, decided once for every scene and study that needs it."""

from __future__ import annotations

import numpy as np

from .attention import HeadResult

__all__ = ["focus_query"]


def focus_query(h: HeadResult) -> int:
    """The query a scene follows: the most decided one (its largest weight is the largest).

    Under a mask, the last query, the one that may look at every key (the first sees only
    itself: it has nothing to decide). Rounding first makes a tie (seed 004's two words) go to
    the first token on every machine, whatever the last bits of the weights are."""
    if h.mask is not None:
        return int(h.weights.shape[0] - 1)
    return int(np.argmax(np.round(h.weights.max(axis=1), 9)))
