"""Sentence -> tokens: words for spaced scripts, one token per character for CJK."""

import re
import unicodedata

from .errors import BadInput

__all__ = ["MAX_TOKENS", "check_sentence", "tokenize"]

# The most tokens a lesson can show: a T x T grid of two-decimal numbers stays readable at 1080p.
MAX_TOKENS = 12

# Han, kana and CJK punctuation are written without spaces: each character is a token.
_CJK = (
    r"\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f"
)
# A word is letters/digits, with inner apostrophes or hyphens kept (don't, state-of-the-art);
# any other visible character (punctuation, symbols) is a token of its own.
_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+(?:['’-](?:(?![{_CJK}])\w)+)*|[^\s]")
# Zero-width joiners are part of some scripts and emoji; every other format char is suspicious.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def check_sentence(sentence: str, what: str = "sentence") -> None:
    """Refuse text no lesson can show: empty, control characters."""
    for ch in sentence:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs") or (cat == "Cf" and ch not in _ALLOWED_FORMAT):
            raise BadInput(
                f"the {what} contains a control character U+{ord(ch):04X}; "
                "remove it and type plain text"
            )
    if not sentence.strip():
        raise BadInput(f'the {what} is empty; give at least one word, e.g. "the cat sat"')


def tokenize(sentence: str, what: str = "sentence") -> tuple[str, ...]:
    """Split ``sentence`` into display tokens, at most ``MAX_TOKENS`` of them."""
    check_sentence(sentence, what)
    tokens = tuple(_TOKEN.findall(unicodedata.normalize("NFC", sentence)))
    if not tokens:
        raise BadInput(f"the {what} has no visible characters; type at least one word")
    if len(tokens) > MAX_TOKENS:
        raise BadInput(
            f"the {what} has {len(tokens)} tokens but a lesson shows at most {MAX_TOKENS}; "
            "shorten it"
        )
    return tokens
