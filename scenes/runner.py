"""Render lesson scenes from Python: the one place that touches manim's global config.

Follows manim's own render loop (inside ``tempconfig``, construct and render), then moves each
result to its final name atomically. ``lecture.build`` calls this once per scene, in one process
or several.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from manim import tempconfig
from manim.constants import QUALITIES
from PIL import Image

from qkv import Trace
from scenes import LESSON
from scenes.base import LessonScene

__all__ = ["FORMATS", "QUALITY", "TEX_TEMPLATE", "TRANSPARENT_FORMATS", "RenderOptions",
           "pick_scenes", "render_scene"]

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


# What each --format writes, and whether it can carry transparency
FORMATS = ("mp4", "webm", "gif", "mov", "png")
TRANSPARENT_FORMATS = ("webm", "mov")


@dataclass(frozen=True)
class RenderOptions:
    quality: str = "high"
    fmt: str = "mp4"
    transparent: bool = False
    bars: bool = False  # manim's own progress bars (one process on a terminal only)


def render_scene(trace: Trace, cls: type[LessonScene], folder: Path,
                 options: RenderOptions) -> list[Path]:
    """Render one scene of ``trace`` into ``folder``: ``NN_Name.<fmt>``, its subtitles
    (``.srt``, video formats) and a still of its last frame (``NN_Name.png``).

    NN is the scene's place in the lesson, so a name does not depend on which scenes were
    picked. Each scene has its own manim work folder: scenes rendered at the same time in
    several processes never share a cache file. Every file appears under its final name whole.
    """
    preset = QUALITIES[QUALITY[options.quality]]
    stem = f"{LESSON.index(cls) + 1:02d}_{cls.__name__}"
    settings = {
        "media_dir": str(folder / ".manim" / cls.__name__),
        "tex_template_file": str(TEX_TEMPLATE),
        "pixel_height": preset["pixel_height"], "pixel_width": preset["pixel_width"],
        "frame_rate": preset["frame_rate"], "format": options.fmt,
        "transparent": options.transparent, "output_file": cls.__name__,
        "verbosity": "WARNING", "progress_bar": "display" if options.bars else "none",
        "disable_caching": False,
    }
    with tempconfig(settings):
        scene = cls(trace=trace)
        scene.render()
        writer = scene.renderer.file_writer
        video = options.fmt != "png"
        produced = Path(writer.movie_file_path if video else writer.image_file_path)
        last_frame = scene.renderer.get_frame() if video else None
    written = [_publish(produced, folder / f"{stem}.{options.fmt}")]
    if video:
        written.append(_publish_image(last_frame, folder / f"{stem}.png"))
        subtitles = produced.with_suffix(".srt")  # manim writes the captions' timings here
        if subtitles.exists():
            written.append(_publish(subtitles, folder / f"{stem}.srt"))
    return written


def _publish(produced: Path, final: Path) -> Path:
    partial = final.with_name(f".{final.name}.part")
    shutil.copyfile(produced, partial)
    os.replace(partial, final)  # a reader sees the whole file or none
    return final


def _publish_image(pixels, final: Path) -> Path:
    partial = final.with_name(f".{final.name}.part")
    Image.fromarray(pixels).save(partial, format="PNG")
    os.replace(partial, final)
    return final
