"""The same computation written again in torch, so every run is checked by a second engine."""

from __future__ import annotations

from typing import TypedDict, overload

import numpy as np
import torch
from numpy.typing import NDArray

from .attention import LayerResult
from .config import Normaliser, Positions, Similarity
from .errors import CoreMismatch
from .sources import Weights

__all__ = [
    "TOLERANCE",
    "TwinLayer",
    "attend_torch",
    "check_against_torch",
    "check_positions",
    "sinusoidal_torch",
]

# numpy and torch both compute in float64; 1e-6 leaves room only for summation order.
TOLERANCE = 1e-6

Array = NDArray[np.float64]


class TwinLayer(TypedDict):
    """``attend_torch``'s intermediates: per head Q, K, V, scores, scaled, weights, output."""

    heads: list[dict[str, torch.Tensor]]
    concat: torch.Tensor  # (T, h·d_v)
    output: torch.Tensor  # (T, d_model)


@overload
def _t(a: Array) -> torch.Tensor: ...
@overload
def _t(a: Array | None) -> torch.Tensor | None: ...
def _t(a: Array | None) -> torch.Tensor | None:
    return None if a is None else torch.from_numpy(np.ascontiguousarray(a))


def attend_torch(
    X: Array,
    X_kv: Array,
    w: Weights,
    *,
    similarity: Similarity,
    normaliser: Normaliser,
    causal: bool,
) -> TwinLayer:
    """Multi-head attention with torch ops; returns the same intermediates as ``attend``."""
    x, x_kv = _t(X), _t(X_kv)
    T, S = x.shape[0], x_kv.shape[0]
    mask = torch.ones(T, S, dtype=torch.bool).triu(1) if causal else None
    heads = []
    for hw in w.heads:
        q = torch.nn.functional.linear(x, _t(hw.W_Q).T, _t(hw.b_Q))  # (T, d_k)
        k = torch.nn.functional.linear(x_kv, _t(hw.W_K).T, _t(hw.b_K))  # (S, d_k)
        v = torch.nn.functional.linear(x_kv, _t(hw.W_V).T, _t(hw.b_V))  # (S, d_v)
        if similarity == "cosine":
            scores = torch.nn.functional.cosine_similarity(q[:, None, :], k[None, :, :], dim=-1)
        elif similarity == "additive":
            if hw.w_a is None:
                raise ValueError("additive similarity needs the head's scoring vector w_a")
            scores = torch.tanh(q[:, None, :] + k[None, :, :]) @ _t(hw.w_a)  # (T, S)
        else:
            scores = q @ k.transpose(0, 1)  # (T, S)
        scaled = scores / q.shape[1] ** 0.5 if similarity == "scaled_dot" else scores
        if normaliser == "relu":
            weights = torch.relu(scaled)
            if mask is not None:
                weights = weights.masked_fill(mask, 0.0)
        else:
            z = scaled.masked_fill(mask, float("-inf")) if mask is not None else scaled
            weights = torch.softmax(z, dim=-1)  # (T, S)
        heads.append(
            dict(Q=q, K=k, V=v, scores=scores, scaled=scaled, weights=weights, output=weights @ v)
        )
    concat = torch.cat([h["output"] for h in heads], dim=1)  # (T, h·d_v)
    output = torch.nn.functional.linear(concat, _t(w.W_O).T, _t(w.b_O))  # (T, d_model)
    return TwinLayer(heads=heads, concat=concat, output=output)


def sinusoidal_torch(T: int, d_model: int) -> torch.Tensor:
    """The paper's positions written the other common way: frequencies as exp(−2i·ln 10000/d),
    sines and cosines interleaved by stacking. (T, d_model)"""
    pos = torch.arange(T, dtype=torch.float64)[:, None]  # (T, 1)
    i2 = torch.arange(0, d_model, 2, dtype=torch.float64)  # (ceil(d/2),)
    angle = pos * torch.exp(-i2 * np.log(10000.0) / d_model)  # (T, ceil(d/2))
    pairs = torch.stack([torch.sin(angle), torch.cos(angle)], dim=2)  # (T, ceil(d/2), 2)
    return pairs.reshape(T, -1)[:, :d_model]


def check_positions(E: Array, P: Array | None, X: Array, kind: Positions) -> float:
    """Raise ``CoreMismatch`` unless torch's positions and E + P reproduce P and X."""
    if kind == "none":
        twin_P, twin_X = None, _t(E)
    else:
        twin_P = sinusoidal_torch(E.shape[0], E.shape[1])
        twin_X = _t(E) + twin_P
    if (P is None) != (twin_P is None):
        raise CoreMismatch(f"positions '{kind}': P is {'missing' if P is None else 'unexpected'}")
    pairs = [("X", X, twin_X)] + (
        [("P", P, twin_P)] if P is not None and twin_P is not None else []
    )
    worst = 0.0
    for name, a, b in pairs:
        diff = float(np.max(np.abs(a - b.numpy()), initial=0.0))
        if not diff <= TOLERANCE:
            raise CoreMismatch(f"numpy and torch disagree on {name} by {diff:.3g} (> {TOLERANCE})")
        worst = max(worst, diff)
    return worst


def check_against_torch(
    X: Array,
    X_kv: Array,
    w: Weights,
    result: LayerResult,
    *,
    similarity: Similarity,
    normaliser: Normaliser,
    causal: bool,
) -> float:
    """Raise ``CoreMismatch`` unless torch reproduces ``result``; return the largest difference."""
    twin = attend_torch(X, X_kv, w, similarity=similarity, normaliser=normaliser, causal=causal)
    pairs = [("concat", result.concat, twin["concat"]), ("output", result.output, twin["output"])]
    for i, (ours, theirs) in enumerate(zip(result.heads, twin["heads"], strict=True)):
        for name in ("Q", "K", "V", "scores", "scaled", "weights", "output"):
            pairs.append((f"heads[{i}].{name}", getattr(ours, name), theirs[name]))
    worst = 0.0
    for name, a, b in pairs:
        diff = float(np.max(np.abs(a - b.numpy()), initial=0.0))
        if not diff <= TOLERANCE:  # also catches NaN
            raise CoreMismatch(f"numpy and torch disagree on {name} by {diff:.3g} (> {TOLERANCE})")
        worst = max(worst, diff)
    return worst
