import pytest

from qkv import MAX_TOKENS, BadInput, tokenize


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("the cat sat on the mat", ("the", "cat", "sat", "on", "the", "mat")),
        ("The cat sat on the mat.", ("The", "cat", "sat", "on", "the", "mat", ".")),
        ("don't stop, state-of-the-art!", ("don't", "stop", ",", "state-of-the-art", "!")),
        ("Кошка сидела на ковре.", ("Кошка", "сидела", "на", "ковре", ".")),
        ("我爱注意力机制", ("我", "爱", "注", "意", "力", "机", "制")),
        ("我爱AI模型。", ("我", "爱", "AI", "模", "型", "。")),
        ("  spaces   everywhere  ", ("spaces", "everywhere")),
        ("a&b <b>", ("a", "&", "b", "<", "b", ">")),
    ],
)
def test_tokenize(sentence, tokens):
    assert tokenize(sentence) == tokens


def test_limit_is_stated():
    ok = " ".join(["w"] * MAX_TOKENS)
    assert len(tokenize(ok)) == MAX_TOKENS
    with pytest.raises(BadInput, match=f"at most {MAX_TOKENS}"):
        tokenize(ok + " one-more")


@pytest.mark.parametrize("bad", ["", "   ", "\t\n", "a\x07b", "zero\u200bwidth", "a\x1b[31mred"])
def test_refused(bad):
    with pytest.raises(BadInput):
        tokenize(bad)
