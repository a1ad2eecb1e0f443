"""narration.md: every caption beat of the rendered scenes, in order, with its id: the script a
lecturer reads from when recording their own voice (``--voice FOLDER``)."""

from __future__ import annotations

import json
from pathlib import Path

from lecture.voice import RECORDING_SUFFIXES
from qkv.files import atomic

__all__ = ["beats_file", "write_narration"]


def beats_file(folder: Path, stem: str) -> Path:
    """Where a rendered scene keeps its beats: a list of {id, caption, spoken, numbers}, the
    caption being null for a beat only spoken (a line the picture already shows)."""
    return folder / f".{stem}.beats.json"


def write_narration(folder: Path, stems: list[str], sentence: str) -> Path:
    kinds = ", ".join(RECORDING_SUFFIXES)
    lines = [
        f"# Narration: {sentence}",
        "",
        "What the lesson says, beat by beat, in the order it is shown: each caption, or the",
        "words said in its place. To narrate it in your own voice, record each beat into one",
        f"file named by its id ({kinds}) in one folder, then render again with",
        "`--voice FOLDER`. A beat with no recording is spoken by espeak-ng.",
    ]
    for stem in stems:
        path = beats_file(folder, stem)
        if not path.exists():
            continue
        lines += ["", f"## {stem}", ""]
        for beat in json.loads(path.read_text(encoding="utf-8")):
            lines.append(f"- `{beat['id']}`: {beat['spoken']}")
    final = folder / "narration.md"
    with atomic(final) as partial:
        partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return final
