"""The reference computation in numpy: every intermediate of multi-head attention, and the
LayerNorm of the encoder layer around it.

Row convention throughout (the paper's): X is (T, d_model), one token per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np
from numpy.typing import NDArray

from .config import Normaliser, Similarity
from .sources import HeadWeights, Weights

__all__ = [
    "AttendOptions",
    "HeadResult",
    "LayerResult",
    "Mask",
    "attend",
    "causal_mask",
    "layer_norm",
    "normalise",
    "row_moments",
    "scale_for",
    "similarity",
]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]  # (T, S), True = masked out


# eq=False: a head is itself (arrays have no single truth value to compare by), and HeadTrace,
# which inherits from this class, keeps identity equality and hashing.
@dataclass(frozen=True, eq=False)
class HeadResult:
    """What one head computes from its weights, step by step."""

    Q: Array  # (T, d_k) = X·W_Q + b_Q
    K: Array  # (S, d_k) = X_kv·W_K + b_K
    V: Array  # (S, d_v) = X_kv·W_V + b_V
    scores: Array  # (T, S) similarity before scaling (raw Q·Kᵀ for dot products)
    scaled: Array  # (T, S) scores · scale: / √d_k for scaled_dot, else = scores
    mask: Mask | None  # (T, S) True = masked out; the same for every head of a layer
    weights: Array  # (T, S) normaliser(scaled, mask)
    output: Array  # (T, d_v) weights · V


@dataclass(frozen=True, eq=False)
class LayerResult:
    heads: tuple[HeadResult, ...]
    concat: Array  # (T, h·d_v)
    output: Array  # (T, d_model) concat · W_O + b_O


class AttendOptions(TypedDict):
    """The choices that shape a layer's attention: ``attend(X, X_kv, w, **options)``."""

    similarity: Similarity
    normaliser: Normaliser
    causal: bool


def causal_mask(T: int, S: int) -> Mask:
    """True above the diagonal: token i may not look at later tokens j > i."""
    return np.triu(np.ones((T, S), dtype=np.bool_), k=1)


def scale_for(similarity: Similarity, d_k: int) -> float:
    """1/√d_k for scaled dot-product; the other similarities are used unscaled."""
    return 1.0 / float(np.sqrt(d_k)) if similarity == "scaled_dot" else 1.0


def similarity(Q: Array, K: Array, kind: Similarity, w_a: Array | None) -> Array:
    """How well each query matches each key, unscaled. (T, d_k), (S, d_k) -> (T, S)"""
    if kind in ("dot", "scaled_dot"):
        return Q @ K.T  # (T, d_k)·(d_k, S) -> (T, S)
    if kind == "cosine":
        # a zero row has no direction: its NaNs are refused by the pipeline, naming the token
        with np.errstate(invalid="ignore", divide="ignore"):
            Qn: Array = Q / np.linalg.norm(Q, axis=1, keepdims=True)  # (T, d_k), unit rows
            Kn: Array = K / np.linalg.norm(K, axis=1, keepdims=True)  # (S, d_k)
        return Qn @ Kn.T  # (T, S)
    # additive (Bahdanau): w_a · tanh(q_i + k_j); q and k are already W_Q- and W_K-projected
    if w_a is None:
        raise ValueError("additive similarity needs the head's scoring vector w_a")
    return np.tanh(Q[:, None, :] + K[None, :, :]) @ w_a  # (T, S, d_k)·(d_k,) -> (T, S)


def normalise(scaled: Array, mask: Mask | None, kind: Normaliser) -> Array:
    """Scores to weights, row by row: softmax, or seed 001's ReLU. (T, S) -> (T, S)"""
    if kind == "relu":
        out = np.maximum(scaled, 0.0)  # seed 001's alternative: no normalisation at all
        return np.where(mask, 0.0, out) if mask is not None else out
    z = np.where(mask, -np.inf, scaled) if mask is not None else scaled
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (T, S); shift for stability, exp(-inf) = 0
    weights: Array = e / e.sum(axis=1, keepdims=True)
    return weights


def _affine(A: Array, W: Array, b: Array | None) -> Array:
    return A @ W + b if b is not None else A @ W


def _head(
    X: Array,
    X_kv: Array,
    w: HeadWeights,
    kind: Similarity,
    normaliser: Normaliser,
    mask: Mask | None,
) -> HeadResult:
    Q = _affine(X, w.W_Q, w.b_Q)  # (T, d_model)·(d_model, d_k) -> (T, d_k)
    K = _affine(X_kv, w.W_K, w.b_K)  # (S, d_k)
    V = _affine(X_kv, w.W_V, w.b_V)  # (S, d_v)
    scores = similarity(Q, K, kind, w.w_a)  # (T, S)
    scaled = scores * scale_for(kind, Q.shape[1])  # (T, S)
    weights = normalise(scaled, mask, normaliser)  # (T, S)
    return HeadResult(Q, K, V, scores, scaled, mask, weights, weights @ V)  # output (T, d_v)


def attend(
    X: Array,
    X_kv: Array,
    w: Weights,
    *,
    similarity: Similarity = "scaled_dot",
    normaliser: Normaliser = "softmax",
    causal: bool = False,
) -> LayerResult:
    """Multi-head attention of queries from X (T rows) over keys/values from X_kv (S rows)."""
    mask = causal_mask(X.shape[0], X_kv.shape[0]) if causal else None
    heads = tuple(_head(X, X_kv, hw, similarity, normaliser, mask) for hw in w.heads)
    concat = np.concatenate([h.output for h in heads], axis=1)  # (T, h·d_v)
    out = concat @ w.W_O  # (T, h·d_v)·(h·d_v, d_model) -> (T, d_model)
    return LayerResult(heads, concat, out + w.b_O if w.b_O is not None else out)


# ---- the Norm of Add & Norm, for the encoder layer around the attention ----


def row_moments(A: Array, eps: float) -> tuple[Array, Array]:
    """Each row's mean and its standard deviation with LayerNorm's ``eps`` under the root
    (the biased variance, as LayerNorm takes it). (T, d) -> (T,), (T,)"""
    mean: Array = A.mean(axis=1)
    std: Array = np.sqrt(A.var(axis=1) + eps)
    return mean, std


def layer_norm(
    A: Array, eps: float, gain: Array | None = None, shift: Array | None = None
) -> Array:
    """Each row to mean 0 and variance 1, then times ``gain`` and plus ``shift`` (d,) if given:
    without them, a freshly initialised LayerNorm (gain 1, shift 0). (T, d) -> (T, d)

    ``eps`` is the model's own: 1e-5 in torch's default, 1e-12 in BERT's."""
    mean, std = row_moments(A, eps)
    normed = (A - mean[:, None]) / std[:, None]
    if gain is not None:
        normed = normed * gain
    if shift is not None:
        normed = normed + shift
    return normed
