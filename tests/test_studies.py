"""The what-ifs set beside the trace (qkv/studies.py) against the trace itself and against
independent computations: each must agree with the real layer where the two coincide."""

import numpy as np
import pytest
import torch
from conftest import CONFIGS, trace_for

from qkv import load_config, lookup, lookup_array
from qkv.studies import ONE_HOT, SPREAD_D_K, SPREAD_SAMPLES


def test_causal_study_of_a_causal_trace_is_the_trace():
    t = trace_for("causal.toml")
    for i, head in enumerate(t.heads):
        np.testing.assert_array_equal(lookup_array(t, f"heads.{i}.causal_weights"), head.weights)
        np.testing.assert_array_equal(lookup_array(t, f"heads.{i}.causal_mask") == 1, head.mask)


def test_unmasked_study_of_a_plain_trace_is_the_trace(default_trace):
    for i, head in enumerate(default_trace.heads):
        np.testing.assert_array_equal(
            lookup_array(default_trace, f"heads.{i}.unmasked_weights"), head.weights
        )


def test_causal_weights_match_torch_with_a_causal_mask(default_trace):
    h = default_trace.heads[0]
    scaled = torch.tensor(h.scaled)
    masked = scaled.masked_fill(torch.ones_like(scaled, dtype=torch.bool).triu(1), -torch.inf)
    expected = torch.softmax(masked, dim=1).numpy()
    got = lookup_array(default_trace, "heads.0.causal_weights")
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert (got[np.triu_indices(got.shape[0], 1)] == 0).all()  # exact zeros, not tiny ones
    assert np.isneginf(lookup_array(default_trace, "heads.0.causal_scaled")[0, 1])


@pytest.mark.parametrize("similarity", ["dot", "scaled_dot", "cosine", "additive"])
def test_each_similarity_study_is_that_similarity_s_trace(similarity):
    # the study on a scaled-dot trace equals the trace made with that similarity (same seed,
    # same Q and K; additive's seeded w_a is the one the seeded source draws)
    base, other = trace_for(), trace_for(similarity=similarity)
    np.testing.assert_allclose(
        lookup_array(base, f"heads.1.sim_{similarity}"), other.heads[1].scaled, atol=1e-12
    )


@pytest.mark.parametrize("normaliser", ["softmax", "relu"])
def test_each_normaliser_study_is_that_normaliser_s_trace(normaliser):
    base, other = trace_for("causal.toml"), trace_for("causal.toml", normaliser=normaliser)
    np.testing.assert_allclose(
        lookup_array(base, f"heads.0.{normaliser}_weights"), other.heads[0].weights, atol=1e-12
    )


def test_spread_of_q_dot_k_grows_as_root_d_k(default_trace):
    t = default_trace
    samples = lookup_array(t, "spread.samples")
    assert samples.shape == (len(SPREAD_D_K), SPREAD_SAMPLES)
    std, roots = lookup_array(t, "spread.std"), lookup_array(t, "spread.sqrt_d_k")
    np.testing.assert_array_equal(roots**2, SPREAD_D_K)
    # a sample standard deviation of 120 draws is within 25% of the true √d_k
    np.testing.assert_allclose(std / roots, 1.0, atol=0.25)
    assert (np.diff(std) > 0).all()
    np.testing.assert_allclose(lookup_array(t, "spread.scaled_std"), 1.0, atol=0.25)
    reach = lookup(t, "spread.axis", (2,))
    assert np.abs(samples).max() <= reach < np.abs(samples).max() + 10


def test_unscaled_wide_scores_saturate_softmax_and_scaled_ones_do_not(default_trace):
    t = default_trace
    raw, scaled = lookup_array(t, "wide.raw_weights"), lookup_array(t, "wide.scaled_weights")
    np.testing.assert_allclose(raw.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        lookup_array(t, "wide.scaled"), lookup_array(t, "wide.scores") / 16.0
    )
    focus = int(lookup(t, "wide.focus"))
    assert raw[focus].max() >= ONE_HOT and scaled[focus].max() < 0.5
    np.testing.assert_array_equal(
        lookup_array(t, "wide.raw_onehot") == 1, raw.max(axis=1) >= ONE_HOT
    )
    with pytest.raises(ValueError):  # the cached study is read-only: no reader can alter it
        lookup_array(t, "wide.raw_weights")[0, 0] = 0.5
    # the gradient a saturated row passes back is almost nothing
    slope = lookup_array(t, "wide.raw_slope")
    assert slope[focus] < 0.05 and lookup(t, "wide.scaled_slope", (focus,)) > 4 * slope[focus]
    p = torch.tensor(scaled[focus])
    jacobian = torch.diag(p) - torch.outer(p, p)
    assert lookup(t, "wide.scaled_slope", (focus,)) == pytest.approx(jacobian.diag().max().item())


def test_plane_of_two_dimensional_vectors_is_the_vectors_themselves():
    t = trace_for("apple.toml")
    np.testing.assert_array_equal(lookup_array(t, "plane.X"), t.X)
    np.testing.assert_array_equal(lookup_array(t, "plane.output"), t.output)
    assert lookup(t, "plane.projected") == 0
    # seed 004: apple beside orange moves to (1.1454, 2.4273)
    np.testing.assert_allclose(lookup_array(t, "plane.output")[0], [1.1454, 2.4273], atol=5e-5)


def test_plane_of_wider_vectors_is_their_best_two_dimensional_projection(default_trace):
    t = default_trace
    flat = np.concatenate([lookup_array(t, "plane.X"), lookup_array(t, "plane.output")])
    both = np.concatenate([t.heads[0].V, t.heads[0].output])  # the followed head's
    assert lookup(t, "plane.projected") == 1
    # no other plane keeps more of the vectors' squared length than the top two singular ones
    kept = (flat**2).sum()
    assert kept == pytest.approx((np.linalg.svd(both, compute_uv=False)[:2] ** 2).sum())
    assert lookup(t, "plane.reach") == pytest.approx(np.abs(flat).max())


@pytest.mark.parametrize("config", ["default.toml", "minilm.toml"])
def test_each_output_in_the_plane_is_its_weights_mix_of_the_values(config):
    """The plane shows what attention does: out_i = Σ_j a_ij·v_j, also once projected."""
    t = trace_for(config)
    head = t.heads[t.config["head"]]
    mixed = head.weights @ lookup_array(t, "plane.X")  # (T, S)·(S, 2)
    np.testing.assert_allclose(lookup_array(t, "plane.output"), mixed, atol=1e-10)
    assert lookup(t, "plane.values") == 1


def test_unknown_study_field_is_a_key_error(default_trace):
    with pytest.raises(KeyError):
        lookup(default_trace, "spread.nothing")


def test_encoder_layer_matches_torch_layers(default_trace):
    # Add & Norm, feed-forward, Add & Norm, rebuilt from torch's own modules
    t = default_trace
    enc = {
        k: lookup_array(t, f"encoder.{k}")
        for k in ("W_1", "W_2", "residual", "normed", "ffn", "output")
    }
    d_model = t.X.shape[1]
    norm = torch.nn.LayerNorm(d_model, eps=1e-5, dtype=torch.float64)
    linear_1 = torch.nn.Linear(d_model, enc["W_1"].shape[1], bias=False, dtype=torch.float64)
    linear_2 = torch.nn.Linear(enc["W_1"].shape[1], d_model, bias=False, dtype=torch.float64)
    with torch.no_grad():
        linear_1.weight.copy_(torch.tensor(enc["W_1"].T))  # torch keeps (out, in)
        linear_2.weight.copy_(torch.tensor(enc["W_2"].T))
        residual = torch.tensor(t.X) + torch.tensor(t.output)
        normed = norm(residual)
        out = norm(normed + linear_2(torch.relu(linear_1(normed))))
    np.testing.assert_allclose(enc["residual"], residual.numpy(), atol=1e-12)
    np.testing.assert_allclose(enc["normed"], normed.numpy(), atol=1e-10)
    np.testing.assert_allclose(enc["output"], out.numpy(), atol=1e-10)
    assert lookup(t, "encoder.d_ff") == 4 * d_model
    np.testing.assert_allclose(lookup_array(t, "encoder.normed").mean(axis=1), 0, atol=1e-12)


def test_row_sums_of_each_weights_study(default_trace):
    t = default_trace
    for name in ("causal_weights", "unmasked_weights", "softmax_weights", "relu_weights"):
        np.testing.assert_allclose(
            lookup_array(t, f"heads.1.{name}_sum"), lookup_array(t, f"heads.1.{name}").sum(axis=1)
        )
    np.testing.assert_allclose(lookup_array(t, "heads.1.softmax_weights_sum"), 1.0)


def test_pair_is_cross_attention_to_the_second_sentence_through_the_lessons_weights(
    default_trace,
):
    from qkv.derived import lookup_text
    from qkv.pipeline import sentence_inputs
    from qkv.studies.companions import companion

    t = default_trace
    pair = companion(t, "pair")
    assert t.X_kv is None  # the lesson itself stays self-attention
    assert pair.kv_sentence == t.config["second_sentence"] == "le chat était assis sur le tapis"
    S = len(pair.kv_tokens)
    assert S == 7 and lookup_text(t, "pair.key_tokens", (2,)) == "était"
    other = sentence_inputs(pair.kv_sentence, load_config(CONFIGS / "default.toml"))
    np.testing.assert_array_equal(pair.X_kv, other.X)
    for h, ph in zip(t.heads, pair.heads, strict=True):
        np.testing.assert_array_equal(ph.W_Q, h.W_Q)
        np.testing.assert_allclose(ph.K, other.X @ h.W_K, atol=1e-12)
        np.testing.assert_allclose(ph.Q, h.Q, atol=1e-12)
        assert ph.weights.shape == (len(t.tokens), S)
        np.testing.assert_allclose(ph.weights.sum(axis=1), 1.0)
    shape = lookup_array(t, "pair.heads.0.weights").shape
    assert shape == (6, 7)
    crossed = trace_for("cross.toml")
    assert companion(crossed, "pair") is crossed  # --cross replaces the second sentence


def test_a_bad_second_sentence_is_refused_when_the_trace_is_built():
    from qkv.errors import BadInput

    with pytest.raises(BadInput, match="second_sentence"):
        trace_for(second_sentence=" ".join(["word"] * 13))
    with pytest.raises(BadInput, match="no vector"):
        trace_for("apple.toml", sentence="apple orange", second_sentence="apple banana")


def test_apple_companions_reproduce_seed_004(default_trace):
    t = default_trace
    np.testing.assert_allclose(
        lookup_array(t, "apple_fruit.output")[0], (1.1454, 2.4273), atol=5e-5
    )
    np.testing.assert_allclose(
        lookup_array(t, "apple_phone.output")[0], (2.8546, 1.1454), atol=5e-5
    )


def test_trained_heads_are_measured_on_the_sentence(default_trace):
    from qkv.studies.trained_heads import HABITS, habits, pieces

    t = default_trace
    assert pieces(t) == ("[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]")
    w = lookup_array(t, "trained.weights")  # (layers, heads, T, T)
    assert w.shape == (6, 12, 8, 8)
    np.testing.assert_allclose(w.sum(axis=3), 1.0)
    best = lookup_array(t, "trained.best")
    for k, name in enumerate(HABITS):
        measured = lookup_array(t, f"trained.{name}")  # (layers, heads)
        layer, head, value = int(best[k, 0]), int(best[k, 1]), best[k, 2]
        assert value == measured.max() == measured[layer, head]
        assert habits(w[layer, head], pieces(t))[name] == value
    # what the names mean, on hand-made patterns
    T = 4
    shift_back = np.eye(T, k=-1)
    shift_back[0, 0] = 1.0
    toks = ("[CLS]", "a", "b", "[SEP]")
    assert habits(shift_back, toks)["previous"] == 1.0
    assert habits(np.eye(T, k=1) + np.eye(T)[::-1] * 0, toks)["next"] == 1.0
    assert habits(np.full((T, T), 1 / T), toks)["broad"] == pytest.approx(1.0)
    assert habits(np.eye(T)[[0, 0, 3, 3]], toks)["ends"] == 1.0
    # the pretrained model's layer 0 head 2 looks at the previous piece (tests/test_minilm.py)
    assert lookup_array(t, "trained.previous")[0, 2] > 0.9


def test_a_long_sentence_shows_its_first_pieces():
    from qkv.studies.trained_heads import pieces

    t = trace_for(
        sentence="Внимательный переводчик аккуратно перечитывает предложение", language="ru"
    )
    assert lookup(t, "trained.pieces") > lookup(t, "trained.shown") == 12
    assert len(pieces(t)) == 12 and lookup_array(t, "trained.weights").shape[2:] == (12, 12)


@pytest.mark.parametrize(("config", "overrides"), [("default.toml", {}), ("minilm.toml", {})])
def test_swap_replaces_one_other_word_and_the_followed_word_lands_elsewhere(config, overrides):
    from qkv.studies.companions import companion, swapped_position

    t = trace_for(config, **overrides)
    swap = companion(t, "swap")
    j = swapped_position(t)
    q = int(lookup(t, "contrast.query"))
    assert j is not None and j != q and lookup(t, "contrast.swapped") == j
    assert [i for i, (a, b) in enumerate(zip(t.tokens, swap.tokens, strict=True)) if a != b] == [j]
    # the swapped token is the one the followed query weights most, itself aside
    h = t.heads[int(t.config["head"])]
    others = [
        k for k in range(len(t.tokens)) if k not in (q, j) and t.tokens[k] not in ("[CLS]", "[SEP]")
    ]
    assert all(h.weights[q, j] >= h.weights[q, k] for k in others)
    out, out_swap = lookup_array(t, "contrast.output"), lookup_array(t, "contrast.output_swap")
    assert not np.allclose(out[q], out_swap[q])
    if config == "default.toml":  # 6 wide: the plane is a projection of the head's own outputs
        axes_mix = np.linalg.lstsq(h.output, out, rcond=None)[0]  # linear in the outputs
        np.testing.assert_allclose(h.output @ axes_mix, out, atol=1e-9)
    # each output is its weights' mix of the values, in the plane too
    np.testing.assert_allclose(out, h.weights @ lookup_array(t, "contrast.V"), atol=1e-9)
    np.testing.assert_allclose(
        out_swap,
        lookup_array(t, "contrast.swap_weights") @ lookup_array(t, "contrast.V_swap"),
        atol=1e-9,
    )


def test_seed_004_swap_is_apple_beside_the_phone():
    t = trace_for("apple.toml", sentence="apple orange")
    np.testing.assert_allclose(lookup_array(t, "swap.output")[0], (2.8546, 1.1454), atol=5e-5)
    assert lookup(t, "contrast.swapped") == 1


def test_nothing_to_swap_in_one_token_or_across_sentences():
    for t in (trace_for(sentence="attention"), trace_for("cross.toml")):
        assert lookup(t, "contrast.swapped") == -1
        np.testing.assert_allclose(
            lookup_array(t, "contrast.output"), lookup_array(t, "contrast.output_swap")
        )


def test_a_trained_models_followed_query_is_a_word_not_cls_or_sep():
    from qkv.focus import focus_query

    t = trace_for("minilm.toml")
    head = t.heads[int(t.config["head"])]
    q = focus_query(head, t.tokens)
    assert t.tokens[q] not in ("[CLS]", "[SEP]")
    words = [i for i, tok in enumerate(t.tokens) if tok not in ("[CLS]", "[SEP]")]
    assert head.weights[q].max() == max(head.weights[i].max() for i in words)
    # [SEP] is the most decided row of all here: passing it over is what the rule is for
    assert head.weights.max(axis=1).argmax() == len(t.tokens) - 1
