"""Where the input vectors and the learned weights come from: ``seeded`` or ``explicit``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .config import Config, ExplicitHead
from .errors import BadInput
from .positions import sinusoidal

__all__ = [
    "Weights",
    "HeadWeights",
    "additive_vector",
    "embed",
    "positions",
    "random_rows",
    "weights",
]

Array = NDArray[np.float64]


# eq=False: a head is itself (arrays have no single truth value to compare by), and HeadTrace,
# which inherits from this class, keeps identity equality and hashing.
@dataclass(frozen=True, eq=False)
class HeadWeights:
    """The learned parameters of one head (row convention: Q = X·W_Q + b_Q)."""

    W_Q: Array  # (d_model, d_k)
    W_K: Array  # (d_model, d_k)
    W_V: Array  # (d_model, d_v)
    b_Q: Array | None  # (d_k,)
    b_K: Array | None  # (d_k,)
    b_V: Array | None  # (d_v,)
    w_a: Array | None  # (d_k,) additive similarity's scoring vector, else None


@dataclass(frozen=True)
class Weights:
    """All learned parameters of the layer: per-head projections, then W_O."""

    heads: tuple[HeadWeights, ...]
    W_O: Array  # (h·d_v, d_model)
    b_O: Array | None  # (d_model,)


def _rng(seed: int, *names: str) -> np.random.Generator:
    # A name hashed to integers: the same token gets the same vector in every sentence,
    # on every machine (PCG64 from explicit seed words, no global state).
    words = [int.from_bytes(hashlib.sha256(n.encode()).digest()[:8], "little") for n in names]
    return np.random.default_rng([seed, *words])


def random_rows(seed: int, name: str, shape: tuple[int, ...]) -> Array:
    """Standard normal draws named by ``name``: the same on every machine for the same seed."""
    return _rng(seed, name, "x".join(map(str, shape))).standard_normal(shape)


def positions(T: int, cfg: Config) -> Array | None:
    """P, the position vectors added to the token vectors (T, d_model); None if the config
    adds none."""
    return sinusoidal(T, cfg.d_model) if cfg.position_kind == "sinusoidal" else None


def embed(tokens: tuple[str, ...], cfg: Config) -> Array:
    """E: each token's own vector, whatever its position, stacked (T, d_model)."""
    if cfg.source == "seeded":
        return np.stack([_rng(cfg.seed, "token", t).standard_normal(cfg.d_model) for t in tokens])
    assert cfg.explicit is not None  # Config requires the [explicit] table for this source
    vectors = cfg.explicit.vectors
    rows: list[list[float]] = []
    for t in tokens:
        if t not in vectors:
            known = ", ".join(sorted(vectors)) or "none"
            raise BadInput(
                f"token '{t}' has no vector in the config's [explicit.vectors] (known: {known}); "
                'add one or use source = "seeded"'
            )
        v = vectors[t]
        if len(v) != cfg.d_model:
            raise BadInput(
                f"explicit vector for '{t}' has length {len(v)} but d_model is {cfg.d_model}; "
                "make them agree"
            )
        rows.append(v)
    return np.asarray(rows, dtype=np.float64)


def additive_vector(seed: int, head: int, d_k: int) -> Array:
    """w_a, additive similarity's scoring vector, for one head. (d_k,)"""
    return _rng(seed, "w_a", str(head), str(d_k)).standard_normal(d_k)


def _seeded_weights(cfg: Config) -> Weights:
    d, dk, dv, h = cfg.d_model, cfg.head_dim, cfg.value_dim, cfg.heads
    # X's entries have variance x2: 1 for E's draws, plus ½ (the mean square of a sine) with
    # sinusoidal positions. W_V: std 1/√(x2·d_model) keeps V entries near unit size.
    # W_Q, W_K: std √2/√(x2·d_model) gives Q, K entries of variance 2, so the scaled scores have
    # variance 4 whatever d_k is: attention patterns that are decided but not one-hot.
    x2 = 1.5 if cfg.position_kind == "sinusoidal" else 1.0
    scales: dict[str, float] = {
        "W_Q": np.sqrt(2.0 / (x2 * d)),
        "W_K": np.sqrt(2.0 / (x2 * d)),
        "W_V": np.sqrt(1.0 / (x2 * d)),
    }

    def mat(name: str, head: int, rows: int, cols: int) -> Array:
        draw = _rng(cfg.seed, name, str(head), f"{rows}x{cols}").standard_normal((rows, cols))
        return draw * scales[name]

    def vec(name: str, head: int, n: int) -> Array | None:
        if not cfg.bias:
            return None
        return _rng(cfg.seed, name, str(head), str(n)).standard_normal(n) * 0.1

    heads = tuple(
        HeadWeights(
            W_Q=mat("W_Q", i, d, dk),
            W_K=mat("W_K", i, d, dk),
            W_V=mat("W_V", i, d, dv),
            b_Q=vec("b_Q", i, dk),
            b_K=vec("b_K", i, dk),
            b_V=vec("b_V", i, dv),
            w_a=additive_vector(cfg.seed, i, dk) if cfg.similarity == "additive" else None,
        )
        for i in range(h)
    )
    W_O = _rng(cfg.seed, "W_O", f"{h * dv}x{d}").standard_normal((h * dv, d)) / np.sqrt(h * dv)
    return Weights(heads=heads, W_O=W_O, b_O=vec("b_O", 0, d))


def _matrix(given: list[list[float]] | None, rows: int, cols: int, what: str) -> Array:
    if given is None:
        if rows != cols:
            raise BadInput(
                f"{what} is omitted, which means the identity, but it must be {rows}x{cols}; "
                "write it out in the config"
            )
        return np.eye(rows)
    m = np.asarray(given, dtype=np.float64) if all(len(r) == cols for r in given) else None
    if m is None or m.shape != (rows, cols):
        raise BadInput(f"{what} must be {rows}x{cols} (rows x columns); fix it in the config")
    return m


def _explicit_weights(cfg: Config) -> Weights:
    ex = cfg.explicit
    assert ex is not None
    d, dk, dv, h = cfg.d_model, cfg.head_dim, cfg.value_dim, cfg.heads
    if ex.heads and len(ex.heads) != h:
        raise BadInput(
            f"[[explicit.heads]] lists {len(ex.heads)} heads but heads is {h}; make them agree"
        )
    if cfg.bias or cfg.similarity == "additive":
        raise BadInput(
            "the explicit source has no biases or additive weights; set bias = false "
            'and pick another similarity, or use source = "seeded"'
        )
    # no [[explicit.heads]]: every head's W_Q, W_K and W_V are the identity
    given: list[ExplicitHead | None] = [*ex.heads] or [None] * h
    heads = tuple(
        HeadWeights(
            W_Q=_matrix(g.W_Q if g else None, d, dk, f"explicit W_Q of head {i}"),
            W_K=_matrix(g.W_K if g else None, d, dk, f"explicit W_K of head {i}"),
            W_V=_matrix(g.W_V if g else None, d, dv, f"explicit W_V of head {i}"),
            b_Q=None,
            b_K=None,
            b_V=None,
            w_a=None,
        )
        for i, g in enumerate(given)
    )
    return Weights(heads=heads, W_O=_matrix(ex.W_O, h * dv, d, "explicit W_O"), b_O=None)


def weights(cfg: Config) -> Weights:
    """The layer's learned parameters for ``cfg``."""
    return _seeded_weights(cfg) if cfg.source == "seeded" else _explicit_weights(cfg)
