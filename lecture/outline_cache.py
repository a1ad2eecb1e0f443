"""Outlines (LaTeX and Pango SVGs) shared by every lesson rendered into one --out folder.

manim compiles each formula and lays out each text once per work folder, and a lesson's scenes
each have their own (a render process never reads a file another is still writing). Compiling
the lesson's ~100 formulas is a quarter of a cold low-quality render, and most of them (digits,
brackets, Q, K, V) do not depend on the sentence. So a scene's work folder starts with every
outline rendered before into the same --out, and adds its new ones when it ends. A file enters
the shared folder under its final name whole, so renders at the same time can share it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from qkv.files import atomic

__all__ = ["FOLDERS", "publish", "seed"]

FOLDERS = ("Tex", "texts")  # manim's tex_dir and text_dir inside its media_dir


def seed(work: Path, shared: Path) -> None:
    """Copy every shared outline into a scene's manim work folder (before it renders)."""
    for name in FOLDERS:
        mine = work / name
        mine.mkdir(parents=True, exist_ok=True)
        for outline in _outlines(shared / name):
            if not (mine / outline.name).exists():
                shutil.copyfile(outline, mine / outline.name)


def publish(work: Path, shared: Path) -> None:
    """Add a scene's new outlines to the shared folder (after it rendered)."""
    for name in FOLDERS:
        target = shared / name
        target.mkdir(parents=True, exist_ok=True)
        for outline in _outlines(work / name):
            final = target / outline.name
            if not final.exists():
                with atomic(final) as partial:  # whole or not at all, one name per process
                    shutil.copyfile(outline, partial)


def _outlines(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.glob("*.svg") if not p.name.startswith(".")]
