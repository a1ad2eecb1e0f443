"""What rendering needs from the system, checked before any work: one line names what to
install (the same packages scripts/setup.sh installs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from lecture.slides import REVEAL
from qkv import BadInput

__all__ = ["check_drawable", "check_system", "default_jobs"]

# The font every text of the lesson is drawn in (scenes/kit/style.py's FONT; tests/test_cli.py
# checks the two agree), named here so that checking for it does not import manim
LESSON_FONT = "Noto Sans CJK SC"
# program -> the Debian package that brings it
_PROGRAMS = {"latex": "texlive-latex-base", "dvisvgm": "dvisvgm"}


def check_system(*, slides: bool = False, voice: bool = False) -> None:
    """Raise BadInput naming every missing piece: LaTeX, dvisvgm, the lesson's font, for
    ``slides`` the local reveal.js, and for a ``voice`` espeak-ng (a beat not recorded is
    spoken by it too)."""
    missing = [package for program, package in _PROGRAMS.items() if not shutil.which(program)]
    if voice and not shutil.which("espeak-ng"):
        missing.append("espeak-ng")
    if not _font_installed():
        missing.append("fonts-noto-cjk")
    if slides and not (REVEAL / "dist" / "reveal.js").exists():
        raise BadInput(
            f"--slides needs a local reveal.js in {REVEAL}: run "
            f"'{sys.executable} scripts/fetch_reveal.py' (scripts/setup.sh does)"
        )
    if missing:
        raise BadInput(
            "rendering needs system packages that are missing; install them with: "
            f"sudo apt-get install {' '.join(missing)} (or run scripts/setup.sh)"
        )


# Where a glyph missing from every installed font is found (scripts/setup.sh installs both):
# Noto's core set covers the scripts of most living languages (Arabic, Devanagari, Hebrew,
# Thai, ...); Symbola draws emoji and symbols as outlines, the only kind manim's Text can use
# (a colour emoji font's glyphs are bitmaps).
_FONT_PACKAGES = {"letters": "fonts-noto-core", "symbols": "fonts-symbola"}


def check_drawable(texts: Iterable[str]) -> None:
    """Raise BadInput naming the first text the lesson's fonts cannot draw, and the package
    that would: a character no installed font has (it would show as a box), or a text that
    draws nothing at all. Each text is drawn once, as the scenes draw a token."""
    covered = _covered()
    for text in dict.fromkeys(texts):  # each once, in order
        for ch in text:
            if unicodedata.category(ch) not in ("Cf", "Mn", "Me", "Zs") and ord(ch) not in covered:
                _refuse(text, ch)
        if not _draws_something(text):
            _refuse(text, next(ch for ch in text if not ch.isspace()))


def _refuse(text: str, ch: str) -> None:
    kind = "letters" if unicodedata.category(ch)[0] in "LMN" else "symbols"
    # a letter's Unicode name starts with its script (HEBREW LETTER SHIN)
    what = unicodedata.name(ch, "?").split()[0].title() if kind == "letters" else "a symbol"
    raise BadInput(
        f"{text!r} cannot be drawn with the installed fonts ({what}, U+{ord(ch):04X}); "
        f"install them with: sudo apt-get install {_FONT_PACKAGES[kind]} (or run scripts/setup.sh)"
    )


def _covered() -> set[int]:
    """Every code point some installed font has a glyph for (fontconfig's charsets)."""
    listed = subprocess.run(
        ["fc-list", "--format=%{charset}\n"], capture_output=True, text=True, check=False
    ).stdout
    points: set[int] = set()
    for part in set(listed.split()):
        first, _, last = part.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def _draws_something(text: str) -> bool:
    """Pango lays ``text`` out in the lesson's font as the scenes' TraceText asks it to (one
    line, one font, no markup, after a left-to-right mark): something is drawn when a glyph
    placed on the page has an outline. Asked of manimpango directly, so the process that plans
    the lesson never imports manim."""
    import manimpango

    shown = "\u200e" + text  # TraceText's mark: without it, Hebrew is laid out off the page
    setting = manimpango.TextSetting(0, len(shown), LESSON_FONT, "NORMAL", "NORMAL")
    with tempfile.TemporaryDirectory() as folder:
        svg = Path(folder) / "text.svg"
        # size, spacing, origin and canvas as manim's Text at low quality: none of them
        # decides whether a glyph has an outline
        manimpango.text2svg([setting], 6.25, 3.75, False, str(svg), 30, 20, 854, 480, shown)
        page = svg.read_text(encoding="utf-8")
    # cairo's SVG: each glyph a <symbol id=...> holding one <path d=...>, placed by <use>
    symbols = re.findall(r'<symbol[^>]*id="([^"]+)"[^>]*>\s*<path[^>]*d="([^"]*)"', page)
    outlined = {glyph for glyph, outline in symbols if outline.strip()}
    return any(glyph in outlined for glyph in re.findall(r'<use[^>]*href="#([^"]+)"', page))


# Peak memory of one render process in GiB, with room to spare: bench/run.py measured 0.43 at
# low and 0.70 at high (--jobs 1, 2026-11-24); medium and 4k are scaled by their pixel counts.
_GIB_PER_JOB = {"low": 0.5, "medium": 0.65, "high": 0.8, "4k": 2.5}


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_jobs(quality: str, scenes: int) -> int:
    """One process per core, but never more than the scenes to render nor than the free
    memory holds (each render process peaks at about ``_GIB_PER_JOB[quality]``)."""
    jobs = min(cores(), max(scenes, 1))
    free = _available_gib()
    if free is not None:
        jobs = min(jobs, max(1, int(free // _GIB_PER_JOB[quality])))
    return jobs


def _available_gib() -> float | None:
    """MemAvailable from /proc/meminfo (Linux); None where there is no such file."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20  # kB -> GiB
    except (OSError, ValueError, IndexError):  # no such file, or a line not as expected
        return None
    return None


def _font_installed() -> bool:
    import manimpango

    return LESSON_FONT in manimpango.list_fonts()
