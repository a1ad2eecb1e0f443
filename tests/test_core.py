"""The core against independent references: torch's own attention, and the worked example."""

import json

import numpy as np
import pytest
import torch
from conftest import trace_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qkv import BadInput, Config, Trace, build_trace, lookup
from qkv.attention import attend
from qkv.sources import embed, weights
from qkv.torch_twin import TOLERANCE, attend_torch

T64 = torch.float64
WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "кот", "猫", "ran", "!"]


def _t(a):
    return torch.tensor(np.array(a), dtype=T64)


# causal masking is defined for self-attention only (Config refuses causal with cross)
MASKS = [(False, None), (True, None), (False, "a dog ran on the mat !")]


@pytest.mark.parametrize(("causal", "cross"), MASKS)
def test_heads_match_sdpa(causal, cross):
    trace = trace_for(bias=True, causal=causal, cross=cross, heads=3, d_model=9)
    for head in trace.heads:
        q, k, v = _t(head.Q), _t(head.K), _t(head.V)
        allowed = None if head.mask is None else ~torch.from_numpy(head.mask.copy())
        out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        np.testing.assert_allclose(head.output, out.numpy(), atol=1e-10)
        # the weights themselves: attend over the identity as values
        eye = torch.eye(k.shape[0], dtype=T64)
        w = torch.nn.functional.scaled_dot_product_attention(q, k, eye, attn_mask=allowed)
        np.testing.assert_allclose(head.weights, w.numpy(), atol=1e-10)


@pytest.mark.parametrize(("causal", "cross"), MASKS)
def test_layer_matches_multihead_attention(causal, cross):
    trace = trace_for(bias=True, causal=causal, cross=cross, heads=2, d_model=6)
    d, h = trace.X.shape[1], len(trace.heads)
    mha = torch.nn.MultiheadAttention(d, h, bias=True, batch_first=True, dtype=T64)

    def cat(name):  # every head's matrices side by side, as torch keeps them
        return np.concatenate([getattr(hd, name) for hd in trace.heads], axis=-1)

    with torch.no_grad():
        # torch keeps weights as (out, in): the transpose of the row convention
        mha.in_proj_weight.copy_(_t(np.concatenate([cat("W_Q"), cat("W_K"), cat("W_V")], 1).T))
        mha.in_proj_bias.copy_(_t(np.concatenate([cat("b_Q"), cat("b_K"), cat("b_V")])))
        mha.out_proj.weight.copy_(_t(trace.W_O.T))
        mha.out_proj.bias.copy_(_t(trace.b_O))
    x = _t(trace.X)[None]
    x_kv = _t(trace.X_kv)[None] if trace.X_kv is not None else x
    mask = None if trace.heads[0].mask is None else torch.from_numpy(trace.heads[0].mask.copy())
    out, w = mha(x, x_kv, x_kv, attn_mask=mask, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(trace.output, out[0].detach().numpy(), atol=1e-10)
    for i, head in enumerate(trace.heads):
        np.testing.assert_allclose(head.weights, w[0, i].detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("similarity", ["scaled_dot", "dot", "cosine", "additive"])
@pytest.mark.parametrize("normaliser", ["softmax", "relu"])
def test_numpy_equals_torch(similarity, normaliser):
    cfg = Config(
        sentence="the cat sat on the mat",
        similarity=similarity,
        normaliser=normaliser,
        bias=True,
        causal=True,
        heads=2,
        d_model=8,
    )
    X = embed(("the", "cat", "sat", "on", "the", "mat"), cfg)
    w = weights(cfg)
    options = dict(similarity=similarity, normaliser=normaliser, causal=True)
    ours = attend(X, X, w, **options)
    theirs = attend_torch(X, X, w, **options)
    np.testing.assert_allclose(ours.output, theirs["output"].numpy(), atol=TOLERANCE)
    for a, b in zip(ours.heads, theirs["heads"], strict=True):
        np.testing.assert_allclose(a.weights, b["weights"].numpy(), atol=TOLERANCE)


def test_cosine_is_cosine():
    trace = trace_for(similarity="cosine")
    Q, K = trace.heads[0].Q, trace.heads[0].K
    i, j = 1, 4
    expected = Q[i] @ K[j] / (np.linalg.norm(Q[i]) * np.linalg.norm(K[j]))
    assert trace.heads[0].scores[i, j] == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    seed=st.integers(0, 2**32),
    heads=st.integers(1, 4),
    d_k=st.integers(1, 8),
    causal=st.booleans(),
    bias=st.booleans(),
    similarity=st.sampled_from(["scaled_dot", "dot", "cosine", "additive"]),
    normaliser=st.sampled_from(["softmax", "relu"]),
)
def test_properties(words, seed, heads, d_k, causal, bias, similarity, normaliser):
    cfg = Config(
        sentence=" ".join(words),
        seed=seed,
        heads=heads,
        d_model=heads * d_k,
        causal=causal,
        bias=bias,
        similarity=similarity,
        normaliser=normaliser,
    )
    t = build_trace(cfg)  # also checks numpy against torch, raising on disagreement
    T = len(t.tokens)
    assert t.X.shape == (T, heads * d_k)
    assert t.concat.shape == (T, heads * d_k) and t.output.shape == (T, heads * d_k)
    for h in t.heads:
        assert h.Q.shape == h.K.shape == (T, d_k) and h.weights.shape == (T, T)
        if similarity == "scaled_dot":
            np.testing.assert_allclose(h.scaled, h.scores / np.sqrt(d_k), rtol=1e-12, atol=1e-12)
        else:
            np.testing.assert_array_equal(h.scaled, h.scores)
        if causal:
            assert (h.weights[h.mask] == 0.0).all()  # exactly zero, not merely small
            assert h.mask.sum() == T * (T - 1) // 2
        if normaliser == "softmax":
            np.testing.assert_allclose(h.weights.sum(axis=1), 1.0, atol=1e-12)
            assert (h.weights >= 0).all()
        np.testing.assert_allclose(h.output, h.weights @ h.V, atol=1e-12)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [("apple orange", (1.1454, 2.4273)), ("apple phone", (2.8546, 1.1454))],
)
def test_apple_example_of_seed_004(sentence, expected):
    trace = trace_for("apple.toml", sentence=sentence)
    assert trace.tokens[0] == "apple"
    np.testing.assert_allclose(trace.output[0], expected, atol=5e-5)
    np.testing.assert_allclose(trace.heads[0].output[0], expected, atol=5e-5)
    np.testing.assert_allclose(trace.heads[0].scores[0], [1.0, np.sqrt(0.5)], atol=1e-12)
    np.testing.assert_allclose(trace.heads[0].weights[0], [0.5727, 0.4273], atol=5e-5)


def test_seeded_vectors_depend_on_token_and_seed_only(default_trace):
    other = trace_for(sentence="a mat for the cat")
    np.testing.assert_array_equal(other.E[4], default_trace.E[1])  # "cat" in both
    np.testing.assert_array_equal(default_trace.E[0], default_trace.E[4])  # "the" twice
    assert not np.array_equal(trace_for(seed=1).E[1], default_trace.E[1])


def test_positions_make_a_repeated_word_two_rows(default_trace):
    t = default_trace
    assert t.config["positions"] == "sinusoidal"
    np.testing.assert_allclose(t.X, t.E + t.P, atol=0)
    np.testing.assert_allclose(t.P[0], [0, 1] * 3, atol=0)  # position 0: sin 0 and cos 0
    # P[pos, 2i] = sin(pos / 10000^(2i/d)): position 1's first pair is (sin 1, cos 1)
    np.testing.assert_allclose(t.P[1, :2], [np.sin(1.0), np.cos(1.0)], atol=1e-15)
    np.testing.assert_allclose(t.P[3, 2], np.sin(3 / 10000 ** (2 / 6)), atol=1e-15)
    assert not np.allclose(t.X[0], t.X[4])  # the two "the"s now differ
    assert not np.allclose(t.heads[0].weights[0], t.heads[0].weights[4])
    none = trace_for(positions="none")
    assert none.P is None and none.config["positions"] == "none"
    np.testing.assert_array_equal(none.X, t.E)
    np.testing.assert_array_equal(none.X[0], none.X[4])  # without positions: one row twice
    # the explicit source adds none unless asked: seed 004's vectors stay as typed
    assert trace_for("apple.toml", sentence="apple orange").P is None
    odd = trace_for(d_model=5, heads=1)
    np.testing.assert_allclose(odd.X, odd.E + odd.P, atol=0)


def test_positions_checked_by_torch():
    from qkv.errors import CoreMismatch
    from qkv.positions import sinusoidal
    from qkv.torch_twin import check_positions, sinusoidal_torch

    for T, d in ((1, 1), (6, 6), (12, 7), (12, 384)):
        np.testing.assert_allclose(sinusoidal_torch(T, d).numpy(), sinusoidal(T, d), atol=1e-12)
    E = np.ones((3, 4))
    check_positions(E, sinusoidal(3, 4), E + sinusoidal(3, 4), "sinusoidal")
    with pytest.raises(CoreMismatch, match="X"):
        check_positions(E, sinusoidal(3, 4), E, "sinusoidal")  # P left out of X
    with pytest.raises(CoreMismatch, match="P"):
        check_positions(E, None, E, "sinusoidal")


def test_learned_positions_are_minilms_only():
    from qkv.errors import BadInput

    with pytest.raises(BadInput, match="learned positions"):
        trace_for(positions="learned")


def test_digest_is_stable_and_discriminating(default_trace):
    assert trace_for().digest == default_trace.digest
    assert trace_for(seed=1).digest != default_trace.digest
    # pinned: the same input gives this digest on every machine (values rounded to 9 digits;
    # texts and config included since trace version 3)
    assert (
        default_trace.digest == "9cd7fe3fe2c6e2c0c68bef9b93bc5fa2f81b0adb91dd2e8078def965eeb5b7dc"
    )


def test_trace_json_contract_and_round_trip(default_trace, tmp_path):
    path = tmp_path / "trace.json"
    default_trace.write_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {
        "version",
        "sentence",
        "tokens",
        "config",
        "E",
        "P",
        "X",
        "kv_sentence",
        "kv_tokens",
        "E_kv",
        "P_kv",
        "X_kv",
        "heads",
        "concat",
        "W_O",
        "b_O",
        "output",
        "digest",
    }
    # exactly these, in this order: the learned weights, then every step (HeadTrace's fields)
    head_keys = [
        "W_Q",
        "W_K",
        "W_V",
        "b_Q",
        "b_K",
        "b_V",
        "w_a",
        "Q",
        "K",
        "V",
        "scores",
        "scaled",
        "mask",
        "weights",
        "output",
    ]
    assert all(list(head) == head_keys for head in data["heads"])
    assert data["kv_tokens"] is None and data["X_kv"] is None and data["heads"][0]["mask"] is None
    assert data["config"]["d_k"] == 3 and data["config"]["heads"] == 2
    back = Trace.read_json(path)
    assert back.digest == default_trace.digest
    np.testing.assert_array_equal(back.heads[1].weights, default_trace.heads[1].weights)
    data["X"][0][0] += 1.0
    with pytest.raises(ValueError, match="digest"):
        Trace.from_json(data)


def test_trace_is_frozen(default_trace):
    with pytest.raises(ValueError):
        default_trace.X[0, 0] = 1.0
    with pytest.raises(ValueError):  # a head's weights and steps too, each a private copy
        default_trace.heads[0].W_Q[0, 0] = 1.0
    with pytest.raises(AttributeError):
        default_trace.sentence = "x"


def test_derived_quantities(default_trace):
    t, h = default_trace, default_trace.heads[0]
    # a count-up's last partial sum is the entry itself
    assert lookup(t, "heads.0.Q_partial", (2, 1, 5)) == pytest.approx(h.Q[2, 1], abs=1e-12)
    assert lookup(t, "heads.0.scores_partial", (1, 3, 2)) == pytest.approx(h.scores[1, 3])
    assert lookup(t, "heads.0.Q_partial", (2, 1, 0)) == pytest.approx(t.X[2, 0] * h.W_Q[0, 1])
    exps = [lookup(t, "heads.0.exp", (3, j)) for j in range(6)]
    assert lookup(t, "heads.0.exp_sum", (3,)) == pytest.approx(sum(exps))
    assert exps[2] / sum(exps) == pytest.approx(h.weights[3, 2])
    assert lookup(t, "dims.sqrt_d_k") == pytest.approx(np.sqrt(3))


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda d: d["config"].update(head=1), "digest"),
        (lambda d: d["config"].update(head=5), "head 5"),  # a head the layer does not have
        (lambda d: d["tokens"].__setitem__(0, "<b>"), "digest"),
        (lambda d: d.update(sentence="a dog"), "digest"),
        (lambda d: d.pop("digest"), "has no digest"),
        (lambda d: d.update(version=2), "version 2"),
        (lambda d: d.pop("X"), "has no X"),
    ],
)
def test_a_trace_json_edited_by_hand_is_refused_naming_the_file(
    default_trace, tmp_path, edit, says
):
    path = tmp_path / "trace.json"
    default_trace.write_json(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInput, match=says) as refused:
        Trace.read_json(path)
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)


def test_a_trace_whose_shapes_disagree_with_its_tokens_is_refused(default_trace):
    data = default_trace.to_json()
    data["tokens"] = data["tokens"][:-1]  # one token fewer than X has rows
    with pytest.raises(
        ValueError, match=r"E has shape \(6, 6\), but its tokens and config say \(5, 6\)"
    ):
        Trace.from_json(data)
    data = default_trace.to_json()
    data["config"]["head"] = 5
    with pytest.raises(ValueError, match="head 5"):
        Trace.from_json(data)


def test_the_torch_check_apart_keeps_torch_out_and_still_catches(monkeypatch):
    """render.py checks in a child process: the same trace, torch never in the renderer, and a
    core that went wrong is still caught."""
    import dataclasses
    import subprocess
    import sys

    from conftest import ROOT

    from qkv import load_config, pipeline
    from qkv.errors import CoreMismatch

    probe = (
        "import sys; from qkv import build_trace, load_config; "
        "t = build_trace(load_config(), apart=True); "
        "assert 'torch' not in sys.modules, 'torch imported'; print(t.digest)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == trace_for().digest
    attend = pipeline.attend

    def wrong(*args, **kwargs):  # the numpy core off by 0.01 in the layer's output
        result = attend(*args, **kwargs)
        return dataclasses.replace(result, output=result.output + 0.01)

    monkeypatch.setattr(pipeline, "attend", wrong)
    with pytest.raises(CoreMismatch, match="output"):
        build_trace(load_config(), apart=True)
