"""Whole traces set beside the lesson's, for scenes that need another sentence.

- ``pair``: cross-attention, queries from the lesson's sentence and keys and values from the
  config's ``second_sentence``, through the lesson's own weights (the trace itself if the lesson
  is already cross-attention: ``--cross`` replaces the second sentence).
- ``swap``: the lesson's sentence with one word swapped (the one the followed query weights
  most, after itself), through the same weights: the followed word in another context.
- ``apple_fruit``, ``apple_phone``: seed 004's example (config/apple.toml), "apple" beside a
  fruit and beside a phone, for the lesson's opening.

A scene addresses them by prefix, ``pair.heads.0.weights`` or ``apple_fruit.output``, and the
lookup (qkv/derived.py) reads the companion trace as it reads the lesson's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import minilm
from ..attention import AttendOptions, LayerResult, attend
from ..config import Config, load_config
from ..focus import ENDS, focus_query
from ..pipeline import Sentence, from_tokens, sentence_inputs
from ..sources import HeadWeights, Weights
from ..trace import HeadTrace, Trace

__all__ = [
    "APPLE_CONFIG",
    "APPLE_SENTENCES",
    "COMPANIONS",
    "REPLACEMENT",
    "companion",
    "swapped_position",
]

APPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "apple.toml"
# apple's context: a fruit, then a phone (seed 004)
APPLE_SENTENCES = {"apple_fruit": "apple orange", "apple_phone": "apple phone"}


def _config(t: Trace) -> Config:
    # the lesson's own config; its cross sentence dropped, which the minilm source refuses
    data = {k: v for k, v in t.config.items() if k != "cross"}
    return Config.model_validate(data)


def _own_weights(t: Trace) -> Weights:
    # the lesson's learned weights, without what they computed on the lesson's sentence
    own = tuple(
        HeadWeights(**{f.name: getattr(h, f.name) for f in fields(HeadWeights)}) for h in t.heads
    )
    return Weights(heads=own, W_O=t.W_O, b_O=t.b_O)


def _options(cfg: Config, causal: bool | None = None) -> AttendOptions:
    return AttendOptions(
        similarity=cfg.similarity,
        normaliser=cfg.normaliser,
        causal=cfg.causal if causal is None else causal,
    )


def _heads(weights: Weights, result: LayerResult) -> tuple[HeadTrace, ...]:
    return tuple(HeadTrace.of(hw, hr) for hw, hr in zip(weights.heads, result.heads, strict=True))


def _pair(t: Trace) -> Trace:
    if t.X_kv is not None:
        return t  # the lesson is cross-attention already
    cfg = _config(t)
    other = sentence_inputs(cfg.second_sentence, cfg, "second_sentence")
    weights = _own_weights(t)
    # a mask has no meaning across two sentences
    result = attend(t.X, other.X, weights, **_options(cfg, causal=False))
    return Trace(
        sentence=t.sentence,
        tokens=t.tokens,
        config={**t.config, "cross": cfg.second_sentence, "causal": False},
        E=t.E,
        P=t.P,
        X=t.X,
        kv_sentence=cfg.second_sentence,
        kv_tokens=other.tokens,
        E_kv=other.E,
        P_kv=other.P,
        X_kv=other.X,
        heads=_heads(weights, result),
        concat=result.concat,
        W_O=t.W_O,
        b_O=t.b_O,
        output=result.output,
    )


# The word put in the swapped place, in the lesson's language; the minilm source's vocabulary
# is English (and CJK characters), so a Russian lesson through it swaps in "dog" too.
REPLACEMENT = {"en": "dog", "zh": "狗", "ru": "пёс"}


def swapped_position(t: Trace) -> int | None:
    """The token the swap replaces: the one the followed query weights most, itself and
    [CLS]/[SEP] aside; None if there is no other token."""
    head = t.heads[int(t.config.get("head", 0))]
    query = focus_query(head, t.tokens)
    weights = np.round(head.weights[query], 9)  # rounded: a tie goes to the first everywhere
    candidates = [j for j, tok in enumerate(t.key_tokens) if j != query and tok not in ENDS]
    if t.X_kv is not None or not candidates:
        return None  # cross-attention has no word of the query's own context to swap
    return max(candidates, key=lambda j: (weights[j], -j))


def _replacement(t: Trace, cfg: Config) -> str:
    if cfg.source == "explicit":  # a word with a typed vector, not already in the sentence
        assert cfg.explicit is not None
        unused = sorted(set(cfg.explicit.vectors) - set(t.tokens))
        return unused[0] if unused else sorted(cfg.explicit.vectors)[0]
    return REPLACEMENT["en" if cfg.source == "minilm" else cfg.language]


def _swap(t: Trace) -> Trace:
    j = swapped_position(t)
    if j is None:
        return t
    cfg = _config(t)
    word = _replacement(t, cfg)
    tokens = t.tokens[:j] + (word,) + t.tokens[j + 1 :]
    if cfg.source == "minilm":
        assert cfg.layer is not None
        ids = list(minilm.word_pieces(t.sentence)[1])
        ids[j] = minilm.piece_id(word)
        E, P = minilm.embedding_parts(tuple(ids))
        swapped = Sentence(tokens, E, P, minilm.hidden_state(tuple(ids), cfg.layer))
    else:
        swapped = from_tokens(tokens, cfg)
    weights = _own_weights(t)
    result = attend(swapped.X, swapped.X, weights, **_options(cfg))
    joiner = "" if cfg.language == "zh" and cfg.source != "minilm" else " "
    return Trace(
        sentence=joiner.join(tok for tok in tokens if tok not in ENDS),
        tokens=tokens,
        config=t.config,
        E=swapped.E,
        P=swapped.P,
        X=swapped.X,
        kv_sentence=None,
        kv_tokens=None,
        E_kv=None,
        P_kv=None,
        X_kv=None,
        heads=_heads(weights, result),
        concat=result.concat,
        W_O=t.W_O,
        b_O=t.b_O,
        output=result.output,
    )


def _apple(name: str) -> Callable[[Trace], Trace]:
    def build(t: Trace) -> Trace:
        from ..pipeline import build_trace

        cfg = load_config(APPLE_CONFIG).with_overrides(sentence=APPLE_SENTENCES[name])
        return build_trace(cfg, check=False)  # tests/test_core.py checks these against torch

    return build


COMPANIONS: dict[str, Callable[[Trace], Trace]] = {
    "pair": _pair,
    "swap": _swap,
    **{name: _apple(name) for name in APPLE_SENTENCES},
}


@lru_cache(maxsize=32)
def companion(t: Trace, name: str) -> Trace:
    """The companion trace ``name`` of lesson trace ``t`` (computed once per trace)."""
    return COMPANIONS[name](t)
