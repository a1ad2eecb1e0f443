"""What-ifs the lesson sets beside its trace, computed by the core, never by a scene.

The same sentence masked and unmasked, normalised by ReLU instead of softmax, compared by another
similarity; random queries and keys of growing width (why √d_k); the sentence through heads far
wider than its own; one head's values and outputs drawn in a plane; and the encoder layer around
the attention (Add & Norm, a feed-forward network, Add & Norm: seeded, or the pretrained model's
own). Each is addressed by a key like the trace's own values (qkv/derived.py): per head
``heads.0.causal_weights``; for the layer ``spread.std``, ``wide.raw_weights``, ``plane.X``.
Random draws are named by the config's seed, so every machine shows the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .. import minilm
from ..attention import Mask, causal_mask, layer_norm, normalise, row_moments, scale_for, similarity
from ..config import Similarity
from ..model_sizes import LAYER_NORM_EPS as LAYER_NORM_EPS_BERT
from ..sources import additive_vector, random_rows
from ..trace import HeadTrace, Trace
from .contrast import contrast
from .trained_heads import trained

__all__ = [
    "FFN_GROWTH",
    "HEAD_STUDIES",
    "HeadStudy",
    "LAYER_STUDIES",
    "LOOKS_AHEAD",
    "LayerStudy",
    "ONE_HOT",
    "SPREAD_D_K",
    "SPREAD_SAMPLES",
    "WIDE_D_K",
    "study",
]

Array = NDArray[np.float64]
HeadStudy = Callable[[Trace, HeadTrace], Array]  # one head's quantity
LayerStudy = Callable[[Trace], dict[str, Array]]  # a layer study's quantities, by field

SPREAD_D_K = (4, 16, 64, 256)  # widths whose q·k spread is sampled
SPREAD_SAMPLES = 120  # q, k pairs per width: enough to see the spread, few enough to draw as dots
WIDE_D_K = 256  # the width the sentence's own scores are recomputed at
ONE_HOT = 0.9  # a softmax row whose largest weight reaches this is called almost one-hot
LOOKS_AHEAD = 0.05  # a query with this much weight on later tokens is one a causal mask changes


def _seed(t: Trace) -> int:
    return int(t.config.get("seed", 0))


# ---- per head: the trace's scaled scores under another mask, normaliser or similarity ----


def _causal(t: Trace) -> Mask:
    return causal_mask(len(t.tokens), len(t.key_tokens))  # (T, S) True above the diagonal


def _w_a(t: Trace, h: HeadTrace) -> Array:
    # the head's own scoring vector if it was trained with one, else a seeded one (d_k,)
    if h.w_a is not None:
        return h.w_a
    return additive_vector(_seed(t), t.heads.index(h), h.W_Q.shape[1])


def _similarity_as(kind: Similarity) -> HeadStudy:
    def compute(t: Trace, h: HeadTrace) -> Array:
        # (T, S): the same queries and keys compared another way, scaled as that kind is
        return similarity(h.Q, h.K, kind, _w_a(t, h)) * scale_for(kind, h.Q.shape[1])

    return compute


SIMILARITIES: tuple[Similarity, ...] = ("dot", "scaled_dot", "cosine", "additive")


HEAD_STUDIES: dict[str, HeadStudy] = {
    # masking: the scaled scores with and without the causal mask (T, S)
    "causal_mask": lambda t, h: _causal(t).astype(np.float64),  # 1 = masked out
    "causal_scaled": lambda t, h: np.where(_causal(t), -np.inf, h.scaled),
    "causal_weights": lambda t, h: normalise(h.scaled, _causal(t), t.config["normaliser"]),
    "unmasked_weights": lambda t, h: normalise(h.scaled, None, t.config["normaliser"]),
    # normalisers on the trace's own scaled scores and mask (T, S)
    "softmax_weights": lambda t, h: normalise(h.scaled, h.mask, "softmax"),
    "relu_weights": lambda t, h: normalise(h.scaled, h.mask, "relu"),
    # similarities of the trace's own queries and keys (T, S)
    **{f"sim_{kind}": _similarity_as(kind) for kind in SIMILARITIES},
    "w_a": lambda t, h: _w_a(t, h),  # (d_k,)
}


def _ahead(t: Trace, h: HeadTrace) -> Array:
    # (T,) how much of each query's unmasked weight falls on the tokens after it
    unmasked = normalise(h.scaled, None, t.config["normaliser"])  # (T, S)
    ahead: Array = np.where(_causal(t), unmasked, 0.0).sum(axis=1)
    return ahead


HEAD_STUDIES.update(
    {
        "ahead_weight": _ahead,
        # () the query that looks ahead most (ties to the first: rounded first, as focus_query)
        "ahead_query": lambda t, h: np.asarray(float(np.argmax(np.round(_ahead(t, h), 9)))),
        # () 1 if some query puts at least LOOKS_AHEAD of its weight after itself: the mask matters
        "looks_ahead": lambda t, h: np.asarray(float(_ahead(t, h).max() >= LOOKS_AHEAD)),
    }
)
# each weights study's row sums (T,): one for softmax, whatever they are for ReLU
HEAD_STUDIES.update(
    {
        f"{name}_sum": (lambda f: lambda t, h: f(t, h).sum(axis=1))(HEAD_STUDIES[name])
        for name in ("causal_weights", "unmasked_weights", "softmax_weights", "relu_weights")
    }
)


# ---- why √d_k: random queries and keys of growing width ----


def _spread(t: Trace) -> dict[str, Array]:
    samples = []
    for d_k in SPREAD_D_K:
        q = random_rows(_seed(t), "spread q", (SPREAD_SAMPLES, d_k))  # (N, d_k), entries N(0, 1)
        k = random_rows(_seed(t), "spread k", (SPREAD_SAMPLES, d_k))
        samples.append((q * k).sum(axis=1))  # (N,) q·k: variance d_k
    raw = np.stack(samples)  # (widths, N)
    roots = np.sqrt(np.asarray(SPREAD_D_K, dtype=np.float64))  # (widths,)
    scaled = raw / roots[:, None]
    # the unscaled axis: the widest sample rounded up to a multiple of ten
    reach = 10.0 * np.ceil(np.abs(raw).max() / 10.0)
    scaled_reach = np.ceil(np.abs(scaled).max())  # the scaled samples' own axis, zoomed in
    return {
        "d_k": np.asarray(SPREAD_D_K, dtype=np.float64),
        "sqrt_d_k": roots,
        "samples": raw,
        "std": raw.std(axis=1),
        "scaled": scaled,
        "scaled_std": scaled.std(axis=1),
        "axis": np.array([-reach, 0.0, reach]),
        "scaled_axis": np.array([-scaled_reach, 0.0, scaled_reach]),
    }


# ---- why √d_k on this sentence: its own tokens through heads WIDE_D_K wide ----


def _slope(p: Array) -> Array:
    # The largest ∂p_j/∂s_j = p_j(1 − p_j) of each row: how much a score can still move its
    # weight. A one-hot row has slope ~0: no gradient flows back. (T, S) -> (T,)
    slope: Array = (p * (1.0 - p)).max(axis=1)
    return slope


def _wide(t: Trace) -> dict[str, Array]:
    d_model = t.X.shape[1]
    X_kv = t.X_kv if t.X_kv is not None else t.X
    # std 1/√d_model: queries and keys with entries of about the tokens' own size
    W_Q = random_rows(_seed(t), "wide W_Q", (d_model, WIDE_D_K)) / np.sqrt(d_model)
    W_K = random_rows(_seed(t), "wide W_K", (d_model, WIDE_D_K)) / np.sqrt(d_model)
    scores = (t.X @ W_Q) @ (X_kv @ W_K).T  # (T, 256)·(256, S) -> (T, S)
    scaled = scores / np.sqrt(WIDE_D_K)
    mask = t.heads[0].mask  # the trace's own masking, if any
    raw_p = normalise(scores, mask, "softmax")
    scaled_p = normalise(scaled, mask, "softmax")
    # the query the contrast shows best: most decided unscaled, least decided scaled
    focus = np.argmax(raw_p.max(axis=1) - scaled_p.max(axis=1))
    return {
        "d_k": np.asarray(float(WIDE_D_K)),
        "sqrt_d_k": np.asarray(np.sqrt(WIDE_D_K)),
        "focus": np.asarray(float(focus)),
        "scores": scores,
        "scaled": scaled,
        "raw_weights": raw_p,
        "scaled_weights": scaled_p,
        "raw_slope": _slope(raw_p),
        "scaled_slope": _slope(scaled_p),
        "raw_onehot": (raw_p.max(axis=1) >= ONE_HOT).astype(np.float64),  # (T,) 1 = yes
    }


# ---- a plane to draw vectors in: the values one head mixes, and what it mixes them into ----


def _plane(t: Trace) -> dict[str, Array]:
    # Self-attention: the followed head's values and outputs. Each output is Σ_j a_ij·v_j, a
    # weighted mean of the values, so in any plane it lies among them, pulled toward the
    # tokens it attends to (for seed 004, W_V = W_O = I: the word vectors themselves).
    # Cross-attention has no value of the query's own: its inputs and the layer's outputs.
    values = t.X_kv is None
    if values:
        head = t.heads[int(t.config.get("head", 0))]
        inputs, outputs = head.V, head.output  # (T, d_v), (T, d_v)
    else:
        inputs, outputs = t.X, t.output  # (T, d_model), (T, d_model)
    T, width = inputs.shape
    both = np.concatenate([inputs, outputs])  # (2T, width)
    if width == 2:  # already a plane: the vectors themselves
        flat, projected = both, 0.0
    else:
        # the two directions that hold most of the vectors (SVD, not centred: arrows start at
        # the origin); each direction's sign fixed so its largest entry is positive
        _, _, Vt = np.linalg.svd(both, full_matrices=False)
        axes = Vt[:2]  # (2, width)
        signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
        flat, projected = both @ (axes * signs[:, None]).T, 1.0  # (2T, 2)
    reach = np.abs(flat).max()
    return {
        "X": flat[:T],
        "output": flat[T:],
        "projected": np.asarray(projected),
        "reach": np.asarray(reach),
        "values": np.asarray(float(values)),
    }


# ---- where attention sits: one encoder layer around this trace's attention ----

FFN_GROWTH = 4  # the feed-forward network's hidden width, in multiples of d_model (the paper's)
LAYER_NORM_EPS = 1e-5  # a seeded layer's LayerNorm: torch's default epsilon


def _seeded_layer(t: Trace) -> dict[str, Array]:
    d_model = t.X.shape[1]
    d_ff = FFN_GROWTH * d_model
    # seeded feed-forward weights, std 1/√fan-in like the attention's own seeded weights
    W_1 = random_rows(_seed(t), "ffn W_1", (d_model, d_ff)) / np.sqrt(d_model)
    W_2 = random_rows(_seed(t), "ffn W_2", (d_ff, d_model)) / np.sqrt(d_ff)
    residual = t.X + t.output  # (T, d_model): Add, the input plus what attention brought
    # Norm: gain 1 and shift 0, a freshly initialised LayerNorm (T, d_model)
    normed = layer_norm(residual, LAYER_NORM_EPS)
    hidden = np.maximum(normed @ W_1, 0.0)  # (T, d_ff)
    ffn = hidden @ W_2  # (T, d_model)
    residual_2 = normed + ffn
    return {
        "residual": residual,
        "normed": normed,
        "W_1": W_1,
        "W_2": W_2,
        "hidden": hidden,
        "ffn": ffn,
        "residual_2": residual_2,
        "output": layer_norm(residual_2, LAYER_NORM_EPS),
    }


def _trained_layer(t: Trace) -> dict[str, Array]:
    # the pretrained model's own layer: trained LayerNorm gains and shifts, GELU, biases;
    # its output is the hidden state entering the next layer
    layer = int(t.config["layer"])
    ffn = minilm.feed_forward(layer)
    return {**minilm.run_layer(t.X, layer, t.output), "W_1": ffn.W_1, "W_2": ffn.W_2}


def _encoder(t: Trace) -> dict[str, Array]:
    trained = t.config.get("source") == "minilm"
    parts = _trained_layer(t) if trained else _seeded_layer(t)
    eps = LAYER_NORM_EPS_BERT if trained else LAYER_NORM_EPS  # its own LayerNorm's epsilon
    mean, std = row_moments(parts["residual"], eps)  # (T,), (T,)
    return {
        "X": t.X,
        "attention": t.output,
        **parts,
        "trained": np.asarray(float(trained)),  # 1: the model's own weights, 0: seeded
        "mean": mean,
        "std": std,
        # (r − μ)/σ before any gain and shift (T, d_model): what LayerNorm itself computes
        "standardised": layer_norm(parts["residual"], eps),
        "d_ff": np.asarray(float(parts["W_1"].shape[1])),
    }


LAYER_STUDIES: dict[str, LayerStudy] = {
    "spread": _spread,
    "wide": _wide,
    "plane": _plane,
    "encoder": _encoder,
    "contrast": contrast,  # the Context scene's planes, sentence and swap (contrast.py)
    "trained": trained,  # the sentence through a pretrained model's 72 heads (trained_heads.py)
}


@lru_cache(maxsize=32)
def _layer(t: Trace, name: str) -> dict[str, Array]:
    # a trace is frozen, so its studies can be computed once (traces hash by identity); the
    # cached arrays are frozen too, so no reader can change what the next one sees
    values = LAYER_STUDIES[name](t)
    for array in values.values():
        array.setflags(write=False)
    return values


def study(t: Trace, name: str, field: str) -> Array:
    """``spread.std`` and the like: one field of a layer study."""
    values = _layer(t, name)
    if field not in values:
        raise KeyError(f"no quantity named {name}.{field}")
    return values[field]
