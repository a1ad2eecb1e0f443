"""Config -> tokens -> vectors and weights -> attention (numpy, checked by torch) -> Trace."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import minilm
from .attention import AttendOptions, LayerResult, attend
from .config import Config
from .errors import BadInput
from .sources import Weights, embed, positions, weights
from .tokens import tokenize
from .trace import HeadTrace, Trace

__all__ = ["Sentence", "build_trace", "from_tokens", "sentence_inputs"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Sentence:
    """One sentence as the layer receives it: its tokens, E, P and X."""

    tokens: tuple[str, ...]
    E: Array  # (T, d_model) the tokens' own vectors
    P: Array | None  # (T, d_model) their positions' vectors, None if none are added
    X: Array  # (T, d_model) what enters the layer


def sentence_inputs(text: str, cfg: Config, what: str = "sentence") -> Sentence:
    """``text`` tokenised and turned into vectors the way ``cfg``'s source does it."""
    if cfg.source == "minilm":  # the model's word pieces, its hidden state entering the layer
        assert cfg.layer is not None  # Config fills in layer 0 for the minilm source
        tokens, ids = minilm.tokenize(text, what)
        words, learned = minilm.embedding_parts(ids)
        return Sentence(tokens, words, learned, minilm.hidden_state(ids, cfg.layer))
    return from_tokens(tokenize(text, what), cfg)


def from_tokens(tokens: tuple[str, ...], cfg: Config) -> Sentence:
    """Tokens of a seeded or explicit source turned into E, P and X = E + P."""
    E = embed(tokens, cfg)  # (T, d_model)
    P = positions(len(tokens), cfg)  # (T, d_model) or None
    return Sentence(tokens, E, P, E + P if P is not None else E)


def _weights(cfg: Config) -> Weights:
    if cfg.source == "minilm":
        assert cfg.layer is not None
        return minilm.layer_weights(cfg.layer)
    return weights(cfg)


def _refuse_undefined(
    result: LayerResult, cfg: Config, queries: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    """Numbers the config makes undefined are the config's to fix, not a bug of the core."""
    for h, head in enumerate(result.heads if cfg.similarity == "cosine" else ()):
        for side, rows, tokens in (("query", head.Q, queries), ("key", head.K, keys)):
            zero = np.flatnonzero(~np.any(rows, axis=1))
            if zero.size:
                raise BadInput(
                    f"cosine similarity divides by each vector's length, but head {h}'s "
                    f"{side} of {tokens[zero[0]]!r} is all zeros; change its vector or weights"
                )
    parts = [result.concat, result.output, *(a for h in result.heads for a in (h.Q, h.K, h.V))]
    if not all(np.isfinite(a).all() for a in parts):
        raise BadInput("the config's numbers overflow (a product is too large); use smaller ones")


def _check_in_torch(
    cfg: Config, sentences: tuple[Sentence, Sentence | None], w: Weights, result: LayerResult
) -> None:
    from .torch_twin import check_against_torch, check_positions  # torch: ~1 s to import

    for s in sentences:
        if s is not None and cfg.source != "minilm":
            check_positions(s.E, s.P, s.X, cfg.position_kind)
    query, other = sentences
    keys = other if other is not None else query
    options = AttendOptions(similarity=cfg.similarity, normaliser=cfg.normaliser, causal=cfg.causal)
    check_against_torch(query.X, keys.X, w, result, **options)


def build_trace(cfg: Config, *, check: bool = True, apart: bool = False) -> Trace:
    """Compute the whole lesson's numbers for ``cfg``; ``check`` cross-computes them in torch.

    ``apart`` runs that check in a child process, so this one never holds torch (about 180 MB
    that a long render would carry to its end for a check of a second)."""
    query = sentence_inputs(cfg.sentence, cfg)
    other = sentence_inputs(cfg.cross, cfg, "--cross sentence") if cfg.cross is not None else None
    keys = other if other is not None else query
    if other is None:  # the Cross scene's study reads it later: refuse a bad one now
        sentence_inputs(cfg.second_sentence, cfg, "second_sentence")
    w = _weights(cfg)
    options = AttendOptions(similarity=cfg.similarity, normaliser=cfg.normaliser, causal=cfg.causal)
    result = attend(query.X, keys.X, w, **options)
    _refuse_undefined(result, cfg, query.tokens, keys.tokens)
    if check and apart:
        context = multiprocessing.get_context("spawn")  # a clean process: torch's own threads
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
            child.submit(_check_in_torch, cfg, (query, other), w, result).result()
    elif check:
        _check_in_torch(cfg, (query, other), w, result)
    heads = tuple(HeadTrace.of(hw, hr) for hw, hr in zip(w.heads, result.heads, strict=True))
    return Trace(
        sentence=cfg.sentence,
        tokens=query.tokens,
        config=cfg.resolved(),
        E=query.E,
        P=query.P,
        X=query.X,
        kv_sentence=cfg.cross,
        kv_tokens=other.tokens if other else None,
        E_kv=other.E if other else None,
        P_kv=other.P if other else None,
        X_kv=other.X if other else None,
        heads=heads,
        concat=result.concat,
        W_O=w.W_O,
        b_O=w.b_O,
        output=result.output,
    )
