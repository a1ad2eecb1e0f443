"""Quantities a lesson shows between the trace's steps, and the one lookup that names them.

A scene never computes: an exponential, a row sum or a running partial sum of a dot product is
computed here, from the trace, and addressed by a key like the trace's own values.

Keys: a trace field (``X``, ``output``, ``W_O`` ...), a head's field (``heads.0.weights``), a
derived quantity (``heads.0.exp``, ``heads.0.scores_partial`` ...), a dimension (``dims.T``), or
a study set beside the trace (``heads.0.causal_weights``, ``spread.std``: qkv/studies.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .focus import focus_query
from .model_sizes import MODEL_NAME
from .studies import HEAD_STUDIES, LAYER_STUDIES, HeadStudy, study
from .studies.companions import COMPANIONS, companion
from .trace import HeadTrace, Trace

__all__ = [
    "DERIVED",
    "affine_partial_sums",
    "dims",
    "lookup",
    "lookup_array",
    "lookup_text",
    "model_name",
    "partial_sums",
    "products",
]

Array = NDArray[np.float64]


def products(A: Array, B: Array) -> Array:
    """terms[i, j, m] = A[i, m]·B[m, j]: the products summed into (A·B)[i, j]. (I, J, M)"""
    terms: Array = np.einsum("im,mj->ijm", A, B)
    return terms


def partial_sums(A: Array, B: Array) -> Array:
    """partial[i, j, n] = Σ_{m≤n} A[i, m]·B[m, j]: a dot product counted up term by term."""
    return np.cumsum(products(A, B), axis=2)


def affine_partial_sums(A: Array, B: Array, b: Array | None) -> Array:
    """partial_sums(A, B), then the bias added as one more step: the last step is (A·B + b)."""
    partial = partial_sums(A, B)  # (I, J, M)
    if b is None:
        return partial
    return np.concatenate([partial, (partial[:, :, -1] + b)[:, :, None]], axis=2)  # (I, J, M+1)


def _x_kv(t: Trace) -> Array:
    return t.X_kv if t.X_kv is not None else t.X


# Scaled scores above this (a real model's reach 20 and more, e^20 ≈ 5·10⁸) are shifted by
# their row's largest before the exponential, as every softmax implementation does: the weights
# are the same, and the exponentials stay numbers a frame can show.
EXP_SHIFT_ABOVE = 9.0  # e^9 ≈ 8103.08: seven characters still fit a cell


def _exp_shift(t: Trace, h: HeadTrace) -> Array:
    # m_i: the row's largest visible scaled score if the trace's scores need the shift, else 0 (T,)
    visible = np.where(h.mask, -np.inf, h.scaled) if h.mask is not None else h.scaled
    if visible.max() <= EXP_SHIFT_ABOVE:
        return np.zeros(visible.shape[0])
    shift: Array = visible.max(axis=1)
    return shift


def _exp(t: Trace, h: HeadTrace) -> Array:
    # e^(scaled score − m_i); a masked cell is e^(−∞) = 0. (T, S)
    e = np.exp(h.scaled - _exp_shift(t, h)[:, None])
    return np.where(h.mask, 0.0, e) if h.mask is not None else e


def _masked(t: Trace, h: HeadTrace) -> Array:
    # The scaled scores with −∞ where the mask forbids looking. (T, S)
    return np.where(h.mask, -np.inf, h.scaled) if h.mask is not None else h.scaled


# name -> f(trace, head) for per-head quantities
DERIVED: dict[str, HeadStudy] = {
    "masked": _masked,
    "exp_shift": _exp_shift,  # (T,)
    "exp_shifted": lambda t, h: np.asarray(float(_exp_shift(t, h).any())),  # () 1 if shifted
    "exp": _exp,
    "exp_sum": lambda t, h: _exp(t, h).sum(axis=1),  # (T,)
    "weights_sum": lambda t, h: h.weights.sum(axis=1),  # (T,) 1 for softmax
    "index": lambda t, h: np.asarray(float(t.heads.index(h))),  # () the head's number, from 0
    # (T,) the key each query weights most, as floats
    "top_key": lambda t, h: np.argmax(h.weights, axis=1).astype(np.float64),
    "focus_query": lambda t, h: np.asarray(
        float(focus_query(h, t.tokens))
    ),  # () a float, like index
    "Q_terms": lambda t, h: products(t.X, h.W_Q),  # (T, d_k, d_model)
    # a projection's partial sums end with its bias added, at the trace's Q (K, V) itself
    "Q_partial": lambda t, h: affine_partial_sums(t.X, h.W_Q, h.b_Q),
    "K_terms": lambda t, h: products(_x_kv(t), h.W_K),  # (S, d_k, d_model)
    "K_partial": lambda t, h: affine_partial_sums(_x_kv(t), h.W_K, h.b_K),
    "V_terms": lambda t, h: products(_x_kv(t), h.W_V),  # (S, d_v, d_model)
    "V_partial": lambda t, h: affine_partial_sums(_x_kv(t), h.W_V, h.b_V),
    "scores_terms": lambda t, h: products(h.Q, h.K.T),  # (T, S, d_k)
    "scores_partial": lambda t, h: partial_sums(h.Q, h.K.T),
    "output_terms": lambda t, h: products(h.weights, h.V),  # (T, d_v, S)
    "output_partial": lambda t, h: partial_sums(h.weights, h.V),
    **HEAD_STUDIES,  # the same head masked, normalised or compared another way (qkv/studies.py)
}


def dims(t: Trace) -> dict[str, float]:
    """The sizes a lesson labels: T, S, d_model, d_k, d_v, h, and √d_k; the head the lesson
    follows (numbered from 0, as --head counts) and, for a pretrained model, its layer."""
    head = t.heads[0]
    sizes = {
        "T": len(t.tokens),
        "S": len(t.key_tokens),
        "d_model": t.X.shape[1],
        "d_k": head.W_Q.shape[1],
        "d_v": head.W_V.shape[1],
        "h": len(t.heads),
        "hd_v": t.concat.shape[1],
        "sqrt_d_k": float(np.sqrt(head.W_Q.shape[1])),
        "head": int(t.config.get("head", 0)),
    }
    if t.config.get("layer") is not None:
        sizes["layer"] = int(t.config["layer"])
    return sizes


def model_name(t: Trace) -> str | None:
    """The pretrained model whose numbers the trace holds, or None for made-up ones."""
    return MODEL_NAME if t.config.get("source") == "minilm" else None


def lookup_array(t: Trace, key: str) -> Array:
    """The whole array a key names (see the module docstring for the key forms)."""
    parts = key.split(".")
    if parts[0] in COMPANIONS and len(parts) > 1:  # pair.heads.0.weights: the pair's own
        return lookup_array(companion(t, parts[0]), ".".join(parts[1:]))
    if parts[0] == "dims" and len(parts) == 2:
        return np.asarray(dims(t)[parts[1]])
    if parts[0] in LAYER_STUDIES and len(parts) == 2:
        return study(t, *parts)
    if parts[0] == "heads" and len(parts) == 3:
        head = t.heads[int(parts[1])]
        if parts[2] in DERIVED:
            return DERIVED[parts[2]](t, head)
        value = getattr(head, parts[2])
    elif len(parts) == 1 and parts[0] in _LAYER_FIELDS:
        value = getattr(t, parts[0])
    elif key == "output_terms":  # (T, d_model, h·d_v): concat[i, m]·W_O[m, j]
        return products(t.concat, t.W_O)
    elif key == "output_partial":  # ... and b_O as the last step
        return affine_partial_sums(t.concat, t.W_O, t.b_O)
    else:
        raise KeyError(f"no quantity named {key!r}")
    if value is None:
        raise KeyError(f"{key!r} is absent from this trace")
    return np.asarray(value)


_LAYER_FIELDS = ("E", "P", "X", "E_kv", "P_kv", "X_kv", "concat", "W_O", "b_O", "output")


def lookup_text(t: Trace, key: str, index: tuple[int, ...] = ()) -> str:
    """A string of the trace: ``tokens`` or ``key_tokens`` (index: which), ``sentence``,
    ``kv_sentence``, ``model``, or a companion's (``pair.key_tokens``)."""
    parts = key.split(".")
    if parts[0] in COMPANIONS and len(parts) > 1:
        return lookup_text(companion(t, parts[0]), ".".join(parts[1:]), index)
    if key in ("tokens", "key_tokens"):
        return str(getattr(t, key)[index[0]])
    if key == "sentence" or (key == "kv_sentence" and t.kv_sentence is not None):
        return str(getattr(t, key))
    if key == "model" and model_name(t) is not None:
        return str(model_name(t))
    if key.startswith("trained.tokens"):
        from .studies.trained_heads import pieces

        return pieces(t)[index[0]]
    raise KeyError(f"no text named {key!r}")


def lookup(t: Trace, key: str, index: tuple[int, ...] = ()) -> float:
    """One value of the trace or of a quantity derived from it."""
    return float(lookup_array(t, key)[index])
