"""One folder per lesson, named after its sentence: readable, safe in any script and length."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

__all__ = ["lesson_folder", "slug"]

_LIMIT = 40  # characters of the sentence kept in the name (CJK: 120 bytes, well under 255)


def slug(sentence: str) -> str:
    """``the cat sat`` -> ``the-cat-sat``; letters and digits of any script kept, everything
    else (slashes, dots, quotes, spaces) folded into single dashes."""
    text = unicodedata.normalize("NFKC", sentence).casefold()
    name = ""
    for word in re.findall(r"\w+", text):  # whole words while they fit
        joined = f"{name}-{word}" if name else word
        if len(joined) > _LIMIT:
            name = name or word[:_LIMIT]  # one very long word: its start
            break
        name = joined
    return name.strip("_") or "lesson"


def lesson_folder(out: Path, sentence: str, fingerprint: str) -> Path:
    """``out/<slug>-<8 hex>``: the fingerprint (of the trace and its config) keeps two configs
    of one sentence apart, and lets an unchanged command find its earlier render."""
    return out / f"{slug(sentence)}-{fingerprint[:8]}"
