"""Outlines (LaTeX and Pango SVGs) shared by every lesson the user renders.

manim compiles each formula and lays out each text once per work folder, and a lesson's scenes
each have their own (a render process never reads a file another is still writing). Compiling
the lesson's ~100 formulas is a quarter of a cold low-quality render, and most of them (digits,
brackets, Q, K, V) do not depend on the sentence. So a scene's work folder starts with every
outline rendered before by any lesson of the user's, and adds its new ones when it ends. A file
enters the shared folder under its final name whole, so renders at the same time can share it.

The shared folder is the user's cache (``$QKV_CACHE``, else ``$XDG_CACHE_HOME/qkv-attention``,
else ``~/.cache/qkv-attention``), one subfolder per manim version and TeX template: an outline
is named by a hash of its formula or text, and either of those can change what it looks like.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from importlib.metadata import version
from pathlib import Path

from qkv.files import atomic

__all__ = ["FOLDERS", "TEX_TEMPLATE", "publish", "seed", "shared_folder"]

TEX_TEMPLATE = Path(__file__).resolve().parent / "tex_template.tex"

FOLDERS = ("Tex", "texts")  # manim's tex_dir and text_dir inside its media_dir


def shared_folder() -> Path:
    """The user's outline cache for this manim and this TeX template."""
    root = os.environ.get("QKV_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "qkv-attention"
    )
    template = hashlib.sha256(TEX_TEMPLATE.read_bytes()).hexdigest()[:12]
    return Path(root) / "outlines" / f"manim-{version('manim')}-tex-{template}"


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
