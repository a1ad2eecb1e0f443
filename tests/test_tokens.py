import pytest
import regex

from qkv import MAX_TOKENS, BadInput, tokenize
from qkv.tokens import reads_right_to_left


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
        # a letter keeps its marks: no bare virama or vowel sign
        ("नमस्ते दुनिया", ("नमस्ते", "दुनिया")),
        ("e\u0301cole", ("école",)),  # NFC: one letter é
        ("السلام عليكم", ("السلام", "عليكم")),
        ("שלום עולם", ("שלום", "עולם")),
        # an emoji sequence is one character: variation selector, skin tone, family, flag
        ("❤️ 👍🏽 👨\u200d👩\u200d👧 🇫🇷", ("❤️", "👍🏽", "👨\u200d👩\u200d👧", "🇫🇷")),
        ("我\u3000爱", ("我", "爱")),  # the ideographic space is a space
        ("x" * 24, ("x" * 24,)),
    ],
)
def test_tokenize(sentence, tokens):
    assert tokenize(sentence) == tokens


def test_limit_is_stated():
    ok = " ".join(["w"] * MAX_TOKENS)
    assert len(tokenize(ok)) == MAX_TOKENS
    with pytest.raises(BadInput, match=f"at most {MAX_TOKENS}"):
        tokenize(ok + " one-more")


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\t\n", "control character"),
        ("\u3000", "empty"),
        ("a\x07b", "control character"),
        ("zero\u200bwidth", "control character"),
        ("a\x1b[31mred", "control character"),
        ("\u200d", "shows nothing on its own (U+200D)"),  # a lone joiner
        ("cat \u200d", "shows nothing"),
        ("\u0301 accent", "shows nothing on its own (U+0301)"),  # a mark with no letter
        ("x" * 25, "at most 24"),
        ("a" * 400, "word of 400 characters"),
    ],
)
def test_refused(bad, says):
    with pytest.raises(BadInput, match=regex.escape(says)):
        tokenize(bad)


@pytest.mark.parametrize(
    ("sentence", "rtl"),
    [
        ("السلام عليكم", True),
        ("שלום עולם", True),
        ("123 שלום", True),  # digits are weak: the first letter decides
        ("the cat", False),
        ("Кошка", False),
        ("我爱你", False),
        ("«hello» שלום", False),
        ("... !", False),
    ],
)
def test_reading_direction_is_the_first_strong_letter_s(sentence, rtl):
    assert reads_right_to_left(sentence) is rtl
