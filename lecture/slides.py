"""The lesson as slides, one per caption beat: manim-slides turns each scene's beats into a
presentation, written as offline HTML (reveal.js copied alongside, no network needed) and PPTX."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from qkv.files import atomic

__all__ = ["BACKGROUND", "REVEAL", "REVEAL_VERSION", "remote_references", "write_slides"]

REVEAL_VERSION = "6.0.1"  # the version manim-slides 5.7.0's template is written for
# reveal.js lives in the running Python's environment (.venv/share/reveal.js/6.0.1 after
# scripts/setup.sh), wherever the project is installed; scripts/fetch_reveal.py puts it there
REVEAL = Path(sys.prefix) / "share" / "reveal.js" / REVEAL_VERSION
BACKGROUND = "#0E1117"  # the lesson's background (scenes/kit/style.py BACKGROUND; no manim here)


def write_slides(folder: Path, scene_names: Sequence[str], title: str) -> list[Path]:
    """``slides.html`` (+ ``slides_assets/``) and ``slides.pptx`` from ``folder/slides``, where
    the scenes rendered as manim-slides Slides left their beats (lecture.system checked for
    reveal.js before any rendering)."""
    page, pptx = folder / "slides.html", folder / "slides.pptx"
    assets = folder / "slides_assets"
    # the player lives beside the videos; the page names it by a relative path
    shutil.copytree(REVEAL / "dist", assets / "reveal.js" / "dist", dirs_exist_ok=True)
    _convert(
        folder,
        scene_names,
        page,
        "html",
        "-ccdn_url=slides_assets/reveal.js",
        f"-ctitle={html.escape(title)}",  # the template does not escape
        # each slide's own background is its scene's (from the scene's slide config); this is
        # the deck's, which manim-slides 5.7.0's HTML template does not use (yet)
        f"-cbackground_color={BACKGROUND}",
        "-cprogress=true",
        "-cslide_number=true",
    )
    _convert(folder, scene_names, pptx, "pptx")
    return [page, pptx]


def _convert(folder: Path, names: Sequence[str], dest: Path, to: str, *options: str) -> None:
    with atomic(dest) as partial:
        command = [
            sys.executable,
            "-m",
            "manim_slides",
            "convert",
            "--folder",
            str(folder / "slides"),
            "--to",
            to,
            *options,
            *names,
            str(partial),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"manim-slides convert --to {to} failed: {done.stderr[-2000:]}")
        if to == "html":  # its assets folder is named after the file: point the page at ours
            made = partial.with_name(f"{partial.stem}_assets")
            text = partial.read_text(encoding="utf-8").replace(made.name + "/", "slides_assets/")
            for video in made.iterdir() if made.exists() else []:
                shutil.move(str(video), dest.with_name("slides_assets") / video.name)
            shutil.rmtree(made, ignore_errors=True)
            partial.write_text(text, encoding="utf-8")


def remote_references(page: str) -> list[str]:
    """Every src/href/data-* attribute of the page that points off this machine."""
    return [
        m
        for m in re.findall(r'(?:src|href|data-[\w-]+)\s*=\s*["\']([^"\']+)', page)
        if re.match(r"(?i)(https?:)?//", m)
    ]
