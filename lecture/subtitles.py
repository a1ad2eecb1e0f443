"""Subtitles: each scene's .srt (written by manim from the captions) joined into the whole
lesson's, and every .srt also as WebVTT for browsers and slide tools."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import srt

from qkv.files import atomic

__all__ = ["join_subtitles", "write_vtt"]


def join_subtitles(parts: Sequence[tuple[Path, float]], out: Path) -> list[srt.Subtitle]:
    """Each (scene .srt, scene length in seconds) in lesson order -> one .srt, every cue moved
    to where its scene starts in the joined video."""
    cues: list[srt.Subtitle] = []
    start = timedelta(0)
    for path, seconds in parts:
        for cue in srt.parse(path.read_text(encoding="utf-8")):
            cues.append(srt.Subtitle(0, cue.start + start, cue.end + start, cue.content))
        start += timedelta(seconds=seconds)
    _write(out, srt.compose(cues))  # compose numbers the cues 1, 2, ...
    return cues


def write_vtt(srt_path: Path) -> Path:
    """The same cues as WebVTT (``.vtt`` beside the ``.srt``)."""
    cues = list(srt.parse(srt_path.read_text(encoding="utf-8")))
    lines = ["WEBVTT", ""]
    for cue in cues:
        lines += [f"{_stamp(cue.start)} --> {_stamp(cue.end)}", cue.content, ""]
    vtt = srt_path.with_suffix(".vtt")
    _write(vtt, "\n".join(lines))
    return vtt


def _stamp(t: timedelta) -> str:
    ms = round(t.total_seconds() * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"  # VTT: a dot before the ms


def _write(path: Path, text: str) -> None:
    with atomic(path) as partial:
        partial.write_text(text, encoding="utf-8")
