"""The Context scene's pictures: one head's vectors in a plane, for the sentence and its swap.

Each output is Σ_j a_ij·v_j, a weighted mean of the values, so in any plane it lies among them,
pulled toward the tokens it attends to. The same word in another context (the ``swap``
companion: one other word replaced) gets other weights and lands elsewhere. Both sentences are
drawn in one plane so the two landings can be compared; queries and keys get their own plane.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..focus import focus_query
from ..trace import Trace
from .companions import companion, swapped_position

__all__ = ["contrast", "plane_of"]

Array = NDArray[np.float64]


def plane_of(vectors: Array) -> Array:
    """The two directions that hold most of ``vectors`` (n, width), as (2, width); the vectors
    themselves if already 2-wide. SVD, not centred (arrows start at the origin); each direction's
    sign fixed so its largest entry is positive, the same on every machine."""
    width = vectors.shape[1]
    if width <= 2:
        return np.eye(2, width)
    _, _, Vt = np.linalg.svd(vectors, full_matrices=False)
    axes = Vt[:2]  # (2, width)
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
    flat: Array = axes * signs[:, None]
    return flat


def contrast(t: Trace) -> dict[str, Array]:
    """Followed head: values and outputs of the sentence and of its swap in one plane (T, 2);
    its queries and keys in another; which query is followed and which token was swapped."""
    h = int(t.config.get("head", 0))
    head, other = t.heads[h], companion(t, "swap").heads[h]
    values = np.concatenate([head.V, head.output, other.V, other.output])  # (2S + 2T, d_v)
    axes = plane_of(values)  # (2, d_v)
    qk_axes = plane_of(np.concatenate([head.Q, head.K]))  # (2, d_k)
    S, T = head.V.shape[0], head.output.shape[0]
    flat = values @ axes.T  # (2S + 2T, 2)
    swapped = swapped_position(t)
    return {
        "V": flat[:S],  # (S, 2)
        "output": flat[S : S + T],  # (T, 2)
        "V_swap": flat[S + T : 2 * S + T],
        "output_swap": flat[2 * S + T :],
        "reach": np.asarray(np.abs(flat).max()),
        "Q": head.Q @ qk_axes.T,  # (T, 2)
        "K": head.K @ qk_axes.T,  # (S, 2)
        "qk_reach": np.asarray(np.abs(np.concatenate([head.Q, head.K]) @ qk_axes.T).max()),
        "projected": np.asarray(float(values.shape[1] > 2)),  # 1: a plane through wider vectors
        "query": np.asarray(float(focus_query(head, t.tokens))),
        "swapped": np.asarray(float(-1 if swapped is None else swapped)),  # -1: nothing swapped
        "swap_weights": other.weights,  # (T, T) the swapped sentence's weights
    }
