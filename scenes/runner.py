"""Render lesson scenes from Python: the one place that touches manim's global config.

Follows manim's own render loop (for each scene class, inside ``tempconfig``, construct and
render), then moves each result to its final name atomically.
"""

from __future__ import annotations

import os
import sys
import shutil
from collections.abc import Sequence
from pathlib import Path

from manim import tempconfig
from manim.constants import QUALITIES

from qkv import Trace
from scenes import LESSON
from scenes.base import LessonScene

__all__ = ["QUALITY", "TEX_TEMPLATE", "pick_scenes", "render_scenes"]

QUALITY = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
           "4k": "fourk_quality"}
TEX_TEMPLATE = Path(__file__).resolve().parent / "tex_template.tex"


def pick_scenes(names: str | None) -> list[type[LessonScene]]:
    """The lesson's scenes, or those named (comma-separated, by class name or 1-based number)."""
    if not names:
        return list(LESSON)
    by_name = {cls.__name__.lower(): cls for cls in LESSON}
    picked = []
    for name in (n.strip() for n in names.split(",") if n.strip()):
        if name.isdigit() and 1 <= int(name) <= len(LESSON):
            picked.append(LESSON[int(name) - 1])
        elif name.lower() in by_name:
            picked.append(by_name[name.lower()])
        else:
            from qkv import BadInput

            known = ", ".join(cls.__name__ for cls in LESSON)
            raise BadInput(f"unknown scene '{name}'; choose from: {known} (or 1-{len(LESSON)})")
    return picked


def render_scenes(trace: Trace, scenes: Sequence[type[LessonScene]], out_dir: Path, *,
                  quality: str = "high", fmt: str = "mp4", quiet: bool = False) -> list[Path]:
    """Render each scene of ``trace`` into ``out_dir`` as NN_Name.mp4 (or .png, last frame).

    NN is the scene's place in the lesson, so a file's name does not depend on which scenes
    were picked.
    """
    preset = QUALITIES[QUALITY[quality]]
    work = out_dir / ".manim"  # manim's own media folder: partial movies and Tex cache
    written = []
    for cls in scenes:
        number = LESSON.index(cls) + 1  # a scene keeps its lesson number when rendered alone
        options = {
            "media_dir": str(work), "tex_template_file": str(TEX_TEMPLATE),
            "pixel_height": preset["pixel_height"], "pixel_width": preset["pixel_width"],
            "frame_rate": preset["frame_rate"], "format": fmt, "output_file": cls.__name__,
            "verbosity": "WARNING",
            # manim's bars only help on a terminal; in a log they are noise
            "progress_bar": "display" if sys.stderr.isatty() and not quiet else "none",
            "disable_caching": False,
        }
        with tempconfig(options):
            scene = cls(trace=trace)
            scene.render()
            writer = scene.renderer.file_writer
            produced = Path(writer.image_file_path if fmt == "png" else writer.movie_file_path)
        final = out_dir / f"{number:02d}_{cls.__name__}.{fmt}"
        _publish(produced, final)
        written.append(final)
        subtitles = produced.with_suffix(".srt")  # manim writes the captions' timings here
        if fmt == "mp4" and subtitles.exists():
            _publish(subtitles, final.with_suffix(".srt"))
            written.append(final.with_suffix(".srt"))
    return written


def _publish(produced: Path, final: Path) -> None:
    partial = final.with_name(f".{final.name}.part")
    shutil.copyfile(produced, partial)
    os.replace(partial, final)  # a reader sees the whole file or none


