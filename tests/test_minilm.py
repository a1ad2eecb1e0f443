"""The minilm source against transformers' own run of all-MiniLM-L6-v2 (eager attention).

The core computes the embeddings and every earlier layer itself, in numpy; transformers is only
the reference here. Against the model in float32 (as shipped) the core's float64 agrees to the
float32 rounding; against transformers run in float64 it agrees to the last digits.
"""

import gc
from pathlib import Path

import numpy as np
import pytest
import torch

from qkv import build_trace, load_config, lookup_array, minilm
from qkv.model_sizes import LAYERS

SENTENCES = {
    "en": "the cat sat on the mat",
    "zh": "中国人学中文",
    "ru": "кошка спит",
    "word pieces": "playing with tokenizers",
}


@pytest.fixture(scope="module")
def reference():
    """transformers' BertModel from the same files, eager attention (which returns weights)."""
    from transformers import AutoModel, AutoTokenizer

    folder = str(minilm.model_dir())
    model = AutoModel.from_pretrained(folder, attn_implementation="eager").eval()
    return model, AutoTokenizer.from_pretrained(folder)


def _run(model, ids, dtype):
    with torch.no_grad():
        out = model.to(dtype)(
            torch.tensor([ids]), output_attentions=True, output_hidden_states=True
        )
    model.to(torch.float32)
    return out


def _trace(sentence, layer, **more):
    return build_trace(
        load_config().with_overrides(sentence=sentence, source="minilm", layer=layer, **more)
    )


@pytest.mark.parametrize("sentence", SENTENCES.values(), ids=SENTENCES.keys())
def test_every_layer_and_head_matches_transformers(reference, sentence):
    model, tokenizer = reference
    tokens, ids = minilm.tokenize(sentence)
    assert list(ids) == tokenizer(sentence)["input_ids"]
    assert list(tokens) == tokenizer.convert_ids_to_tokens(tokenizer(sentence)["input_ids"])
    ours32, ours64 = _run(model, ids, torch.float32), _run(model, ids, torch.float64)
    for layer in range(LAYERS):
        trace = _trace(sentence, layer)
        assert trace.tokens == tokens
        for out, tol in ((ours32, 1e-5), (ours64, 1e-10)):
            np.testing.assert_allclose(trace.X, out.hidden_states[layer][0].numpy(), atol=tol)
            for h, head in enumerate(trace.heads):
                np.testing.assert_allclose(
                    head.weights,
                    out.attentions[layer][0, h].numpy(),
                    atol=tol,
                    err_msg=f"layer {layer} head {h}",
                )
        # the encoder study runs the rest of the layer: its output enters the next one
        np.testing.assert_allclose(
            lookup_array(trace, "encoder.output"),
            ours64.hidden_states[layer + 1][0].numpy(),
            atol=1e-10,
        )


def test_e_and_p_are_the_models_embeddings_and_the_trained_study_its_attentions(reference):
    model, _ = reference
    sentence = SENTENCES["en"]
    trace = _trace(sentence, 0)
    _, ids = minilm.tokenize(sentence)
    emb = model.embeddings
    words = emb.word_embeddings.weight[list(ids)] + emb.token_type_embeddings.weight[0]
    np.testing.assert_allclose(trace.E, words.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(
        trace.P, emb.position_embeddings.weight[: len(ids)].detach().numpy(), atol=1e-6
    )
    assert trace.config["positions"] == "learned"
    # the trained-heads study of a seeded lesson on the same sentence: the model's own weights
    seeded = build_trace(load_config().with_overrides(sentence=sentence))
    out = _run(model, ids, torch.float64)
    patterns = lookup_array(seeded, "trained.weights")
    for layer in range(LAYERS):
        np.testing.assert_allclose(patterns[layer], out.attentions[layer][0].numpy(), atol=1e-10)


def test_attention_output_is_the_layers_own(reference):
    """concat·W_O + b_O is transformers' attention output before its Add & Norm."""
    model, _ = reference
    trace = _trace(SENTENCES["en"], 3)
    layer = model.encoder.layer[3].attention
    x = torch.tensor(trace.X[None], dtype=torch.float64)
    layer.to(torch.float64)
    with torch.no_grad():
        context = layer.self(x)[0]  # (1, T, d_model): the heads' outputs side by side
        dense = layer.output.dense(context)  # before dropout, residual and LayerNorm
    layer.to(torch.float32)
    np.testing.assert_allclose(trace.concat, context[0].numpy(), atol=1e-10)
    np.testing.assert_allclose(trace.output, dense[0].numpy(), atol=1e-10)


def test_the_trace_has_the_models_sizes_and_tokens():
    trace = _trace("playing with tokenizers", 1, head=5)
    assert trace.tokens[0] == "[CLS]" and trace.tokens[-1] == "[SEP]"
    assert "##izer" in trace.tokens
    assert trace.X.shape == (len(trace.tokens), 384)
    assert len(trace.heads) == 12
    for head in trace.heads:
        assert head.W_Q.shape == head.W_K.shape == head.W_V.shape == (384, 32)
        assert head.b_Q.shape == (32,)
    assert trace.W_O.shape == (384, 384) and trace.b_O.shape == (384,)
    assert trace.config["layer"] == 1 and trace.config["head"] == 5
    assert trace.config["d_model"] == 384 and trace.config["d_k"] == 32
    assert trace.config["bias"] is True
    # the model's own trained feed-forward layer, four times wider
    assert lookup_array(trace, "encoder.trained") == 1.0
    assert lookup_array(trace, "encoder.d_ff") == 1536


def test_source_switch_drops_the_seeded_sizes():
    """--source minilm over the default config (d_model 6, 2 heads) means the model's sizes."""
    cfg = load_config().with_overrides(source="minilm")
    assert (cfg.d_model, cfg.heads, cfg.head_dim, cfg.layer) == (384, 12, 32, 0)
    back = cfg.with_overrides(source="seeded")
    assert (back.d_model, back.heads, back.layer) == (6, 2, None)


def test_the_trace_json_round_trips(tmp_path):
    trace = _trace(SENTENCES["zh"], 2)
    trace.write_json(tmp_path / "trace.json")
    again = type(trace).read_json(tmp_path / "trace.json")
    assert again.digest == trace.digest and again.tokens == trace.tokens


@pytest.mark.parametrize(
    ("config", "layer", "any_shifted"), [("default.toml", None, False), ("minilm.toml", 0, True)]
)
def test_large_scores_are_exponentiated_shifted_and_give_the_same_weights(
    config, layer, any_shifted
):
    """A real model's scaled scores reach e^20 and more: the lesson takes each row's largest off
    first (only for a head whose scores need it), and exponentials over their sum are still the
    trace's weights."""
    from qkv.derived import EXP_SHIFT_ABOVE

    # layer 0's head 2 puts all its weight on the previous token: scaled scores up to ~26
    trace = build_trace(load_config(f"config/{config}").with_overrides(layer=layer))
    flags = []
    for i, head in enumerate(trace.heads):
        e, total = (lookup_array(trace, f"heads.{i}.{k}") for k in ("exp", "exp_sum"))
        np.testing.assert_allclose(e / total[:, None], head.weights, atol=1e-12)
        shifted = bool(lookup_array(trace, f"heads.{i}.exp_shifted"))
        assert shifted == (head.scaled.max() > EXP_SHIFT_ABOVE)
        if shifted:
            np.testing.assert_allclose(
                lookup_array(trace, f"heads.{i}.exp_shift"), head.scaled.max(axis=1)
            )
            assert e.max() == pytest.approx(1.0)
        flags.append(shifted)
    assert any(flags) == any_shifted


def test_release_closes_the_weights_file_and_a_later_read_opens_it_again():
    def mapped() -> bool:  # the weights file among the process's memory maps
        return "model.safetensors" in Path("/proc/self/maps").read_text()

    first = minilm.attention_patterns(minilm.word_pieces("the cat sat")[1])
    assert mapped()
    minilm.release()
    gc.collect()
    assert not mapped()  # its pages no longer count in this process's memory
    again = minilm.attention_patterns(minilm.word_pieces("the cat sat")[1])
    assert np.array_equal(first, again)
