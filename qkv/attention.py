"""The reference computation in numpy: every intermediate of multi-head attention.

Row convention throughout (the paper's): X is (T, d_model), one token per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .sources import HeadWeights, Weights

__all__ = [
    "HeadResult",
    "LayerResult",
    "attend",
    "causal_mask",
    "normalise",
    "scale_for",
    "similarity",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class HeadResult:
    Q: Array  # (T, d_k)
    K: Array  # (S, d_k)
    V: Array  # (S, d_v)
    scores: Array  # (T, S) similarity before scaling (raw Q·Kᵀ for dot products)
    scaled: Array  # (T, S) scores · scale
    weights: Array  # (T, S) after mask and normaliser
    output: Array  # (T, d_v) weights · V


@dataclass(frozen=True)
class LayerResult:
    heads: tuple[HeadResult, ...]
    mask: NDArray[np.bool_] | None  # (T, S), True = masked out
    concat: Array  # (T, h·d_v)
    output: Array  # (T, d_model) concat · W_O + b_O


def causal_mask(T: int, S: int) -> NDArray[np.bool_]:
    """True above the diagonal: token i may not look at later tokens j > i."""
    return np.triu(np.ones((T, S), dtype=bool), k=1)


def scale_for(similarity: str, d_k: int) -> float:
    """1/√d_k for scaled dot-product; the other similarities are used unscaled."""
    return 1.0 / np.sqrt(d_k) if similarity == "scaled_dot" else 1.0


def similarity(Q: Array, K: Array, kind: str, w_a: Array | None) -> Array:
    """How well each query matches each key, unscaled. (T, d_k), (S, d_k) -> (T, S)"""
    if kind in ("dot", "scaled_dot"):
        return Q @ K.T  # (T, d_k)·(d_k, S) -> (T, S)
    if kind == "cosine":
        Qn = Q / np.linalg.norm(Q, axis=1, keepdims=True)  # (T, d_k), unit rows
        Kn = K / np.linalg.norm(K, axis=1, keepdims=True)  # (S, d_k)
        return Qn @ Kn.T  # (T, S)
    # additive (Bahdanau): w_a · tanh(q_i + k_j); q and k are already W_Q- and W_K-projected
    return np.tanh(Q[:, None, :] + K[None, :, :]) @ w_a  # (T, S, d_k)·(d_k,) -> (T, S)


def normalise(scaled: Array, mask: NDArray[np.bool_] | None, kind: str) -> Array:
    """Scores to weights, row by row: softmax, or seed 001's ReLU. (T, S) -> (T, S)"""
    if kind == "relu":
        out = np.maximum(scaled, 0.0)  # seed 001's alternative: no normalisation at all
        return np.where(mask, 0.0, out) if mask is not None else out
    z = np.where(mask, -np.inf, scaled) if mask is not None else scaled
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (T, S); shift for stability, exp(-inf) = 0
    return e / e.sum(axis=1, keepdims=True)


def _head(
    X: Array,
    X_kv: Array,
    w: HeadWeights,
    kind: str,
    normaliser: str,
    mask: NDArray[np.bool_] | None,
) -> HeadResult:
    def affine(A: Array, W: Array, b: Array | None) -> Array:
        return A @ W + b if b is not None else A @ W

    Q = affine(X, w.W_Q, w.b_Q)  # (T, d_model)·(d_model, d_k) -> (T, d_k)
    K = affine(X_kv, w.W_K, w.b_K)  # (S, d_k)
    V = affine(X_kv, w.W_V, w.b_V)  # (S, d_v)
    scores = similarity(Q, K, kind, w.w_a)  # (T, S)
    scaled = scores * scale_for(kind, Q.shape[1])  # (T, S)
    weights = normalise(scaled, mask, normaliser)  # (T, S)
    return HeadResult(Q, K, V, scores, scaled, weights, weights @ V)  # output (T, d_v)


def attend(
    X: Array,
    X_kv: Array,
    w: Weights,
    *,
    similarity: str = "scaled_dot",
    normaliser: str = "softmax",
    causal: bool = False,
) -> LayerResult:
    """Multi-head attention of queries from X (T rows) over keys/values from X_kv (S rows)."""
    mask = causal_mask(X.shape[0], X_kv.shape[0]) if causal else None
    heads = tuple(_head(X, X_kv, hw, similarity, normaliser, mask) for hw in w.heads)
    concat = np.concatenate([h.output for h in heads], axis=1)  # (T, h·d_v)
    out = concat @ w.W_O  # (T, h·d_v)·(h·d_v, d_model) -> (T, d_model)
    return LayerResult(heads, mask, concat, out + w.b_O if w.b_O is not None else out)
