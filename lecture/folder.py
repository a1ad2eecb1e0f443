"""One folder per lesson, named after its sentence: readable, safe in any script and length."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import regex

__all__ = ["lesson_folder", "slug"]

_LIMIT = 40  # characters of the sentence kept in the name (CJK: 120 bytes, well under 255)


def slug(sentence: str) -> str:
    """``the cat sat`` -> ``the-cat-sat``; letters and digits of any script kept, everything
    else (slashes, dots, quotes, spaces) folded into single dashes."""
    text = unicodedata.normalize("NFKC", sentence).casefold()
    name = ""
    # regex's \w keeps a word's combining marks (Devanagari, Thai vowel signs); re's splits on them
    for word in regex.findall(r"\w+", text):  # whole words while they fit
        joined = f"{name}-{word}" if name else word
        if len(joined) > _LIMIT:
            name = name or _start(word)  # one very long word: its start
            break
        name = joined
    return name.strip("_") or "lesson"


def _start(word: str) -> str:
    """The longest start of ``word`` within the limit that ends between two user-perceived
    characters, so no vowel sign or accent is cut from its letter."""
    start = ""
    for character in regex.findall(r"\X", word):
        if len(start) + len(character) > _LIMIT:
            break
        start += character
    return start


def lesson_folder(out: Path, sentence: str, fingerprint: str) -> Path:
    """``out/<slug>-<8 hex>``: the fingerprint (of the trace and its config) keeps two configs
    of one sentence apart, and lets an unchanged command find its earlier render."""
    return out / f"{slug(sentence)}-{fingerprint[:8]}"
