"""Config -> tokens -> vectors and weights -> attention (numpy, checked by torch) -> Trace."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from . import minilm
from .attention import AttendOptions, attend
from .config import Config
from .sources import Weights, embed, weights
from .tokens import tokenize
from .trace import HeadTrace, Trace

__all__ = ["build_trace"]


def build_trace(cfg: Config, *, check: bool = True) -> Trace:
    """Compute the whole lesson's numbers for ``cfg``; ``check`` cross-computes them in torch."""
    tokens, X, X_kv, kv_tokens, w = _inputs(cfg)
    options = AttendOptions(similarity=cfg.similarity, normaliser=cfg.normaliser, causal=cfg.causal)
    result = attend(X, X_kv if X_kv is not None else X, w, **options)
    if check:
        from .torch_twin import check_against_torch  # torch costs ~1 s to import: only here

        check_against_torch(X, X_kv if X_kv is not None else X, w, result, **options)
    heads = tuple(HeadTrace.of(hw, hr) for hw, hr in zip(w.heads, result.heads, strict=True))
    return Trace(
        sentence=cfg.sentence,
        tokens=tokens,
        config=cfg.resolved(),
        X=X,
        kv_sentence=cfg.cross,
        kv_tokens=kv_tokens,
        X_kv=X_kv,
        heads=heads,
        concat=result.concat,
        W_O=w.W_O,
        b_O=w.b_O,
        output=result.output,
    )


def _inputs(
    cfg: Config,
) -> tuple[
    tuple[str, ...],
    NDArray[np.float64],
    NDArray[np.float64] | None,
    tuple[str, ...] | None,
    Weights,
]:
    """Tokens, X (T, d_model), the key/value side (S, d_model) if another sentence, weights."""
    if cfg.source == "minilm":  # the model's word pieces, its hidden state entering the layer
        assert cfg.layer is not None  # Config fills in layer 0 for the minilm source
        tokens, ids = minilm.tokenize(cfg.sentence)
        return (
            tokens,
            minilm.hidden_state(ids, cfg.layer),
            None,
            None,
            minilm.layer_weights(cfg.layer),
        )
    tokens = tokenize(cfg.sentence)
    kv_tokens = tokenize(cfg.cross, "--cross sentence") if cfg.cross is not None else None
    X = embed(tokens, cfg)  # (T, d_model)
    X_kv = embed(kv_tokens, cfg) if kv_tokens is not None else None  # (S, d_model)
    return tokens, X, X_kv, kv_tokens, weights(cfg)
