"""Whole traces set beside the lesson's, for scenes that need another sentence.

- ``pair``: cross-attention, queries from the lesson's sentence and keys and values from the
  config's ``second_sentence``, through the lesson's own weights (the trace itself if the lesson
  is already cross-attention: ``--cross`` replaces the second sentence).
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

from ..attention import AttendOptions, attend
from ..config import Config, load_config
from ..pipeline import sentence_inputs
from ..sources import HeadWeights, Weights
from ..trace import HeadTrace, Trace

__all__ = ["APPLE_CONFIG", "APPLE_SENTENCES", "COMPANIONS", "companion"]

APPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "apple.toml"
# apple's context: a fruit, then a phone (seed 004)
APPLE_SENTENCES = {"apple_fruit": "apple orange", "apple_phone": "apple phone"}


def _config(t: Trace) -> Config:
    # the lesson's own config; its cross sentence dropped, which the minilm source refuses
    data = {k: v for k, v in t.config.items() if k != "cross"}
    return Config.model_validate(data)


def _pair(t: Trace) -> Trace:
    if t.X_kv is not None:
        return t  # the lesson is cross-attention already
    cfg = _config(t)
    other = sentence_inputs(cfg.second_sentence, cfg, "second_sentence")
    # the lesson's learned weights, without what they computed on the lesson's sentence
    own = tuple(
        HeadWeights(**{f.name: getattr(h, f.name) for f in fields(HeadWeights)}) for h in t.heads
    )
    weights = Weights(heads=own, W_O=t.W_O, b_O=t.b_O)
    options = AttendOptions(
        similarity=cfg.similarity, normaliser=cfg.normaliser, causal=False
    )  # a mask has no meaning across two sentences
    result = attend(t.X, other.X, weights, **options)
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
        heads=tuple(HeadTrace.of(hw, hr) for hw, hr in zip(own, result.heads, strict=True)),
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
    **{name: _apple(name) for name in APPLE_SENTENCES},
}


@lru_cache(maxsize=32)
def companion(t: Trace, name: str) -> Trace:
    """The companion trace ``name`` of lesson trace ``t`` (computed once per trace)."""
    return COMPANIONS[name](t)
