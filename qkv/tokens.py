"""Sentence -> tokens: words for spaced scripts, one user-perceived character (a grapheme
cluster: a letter with its marks, an emoji with its modifiers) per token for CJK.

Tokens are what the scenes label rows and columns with, so each must be something a reader
sees: never a bare vowel sign or virama split off its letter, never an invisible joiner or
variation selector on its own, never longer than a label can show.
"""

import unicodedata

import regex

from .errors import BadInput

__all__ = [
    "MAX_TOKEN_LENGTH",
    "MAX_TOKENS",
    "check_sentence",
    "reads_right_to_left",
    "tokenize",
]

# The most tokens a lesson can show: a T x T grid of two-decimal numbers stays readable at 1080p.
MAX_TOKENS = 12
# The longest token (in user-perceived characters) a row label can show at a readable size
# ("internationalisation" is 20, "Donaudampfschiffahrt" 20).
MAX_TOKEN_LENGTH = 24

# Han, kana and CJK punctuation are written without spaces: each character is a token. The
# ideographic space U+3000 is a space, as \s knows.
_CJK = (
    r"\u3001-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f"
)
# regex's \w is Unicode's word character: letters, digits and the marks that go with them.
# A word keeps inner apostrophes and hyphens (don't, state-of-the-art); a CJK character, or any
# other visible grapheme cluster (punctuation, a symbol, an emoji sequence), is a token of its own.
_TOKEN = regex.compile(
    rf"(?=[{_CJK}])\X|(?:(?![{_CJK}])\w)+(?:['’-](?:(?![{_CJK}])\w)+)*|(?!\s)\X", regex.V1
)
# Zero-width joiners belong to some scripts and emoji sequences, variation selectors to emoji;
# every other format character (bidi overrides, zero-width spaces) is suspicious.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}
# What draws nothing by itself: format characters, marks, separators
_UNSEEN = {"Cf", "Mn", "Me", "Zs", "Zl", "Zp"}


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
    for token in tokens:
        if all(unicodedata.category(ch) in _UNSEEN for ch in token):
            codes = " ".join(f"U+{ord(ch):04X}" for ch in token)
            raise BadInput(
                f"the {what} has a character that shows nothing on its own ({codes}); "
                "remove it or attach it to a letter"
            )
        length = len(regex.findall(r"\X", token))
        if length > MAX_TOKEN_LENGTH:
            raise BadInput(
                f"the {what} has a word of {length} characters ({token[:12]}…) but a label shows "
                f"at most {MAX_TOKEN_LENGTH}; shorten it or put spaces in it"
            )
    if not tokens:
        raise BadInput(f"the {what} has no visible characters; type at least one word")
    if len(tokens) > MAX_TOKENS:
        raise BadInput(
            f"the {what} has {len(tokens)} tokens but a lesson shows at most {MAX_TOKENS}; "
            "shorten it"
        )
    return tokens


def reads_right_to_left(sentence: str) -> bool:
    """Whether ``sentence`` is read right to left (Arabic, Hebrew, …): its first letter with a
    strong direction decides, as the Unicode bidi algorithm's rule P2 has it. A row of its
    tokens is then laid out from the right; the matrices keep their index order."""
    for ch in sentence:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False
