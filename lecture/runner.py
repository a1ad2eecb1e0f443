"""Render lesson scenes from Python: the one place that touches manim's global config.

Follows manim's own render loop (inside ``tempconfig``, construct and render), then moves each
result to its final name atomically. ``lecture.build`` calls this once per scene, in one process
or several.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from manim import Scene, TexTemplate, config, tempconfig
from manim.constants import QUALITIES
from manim.mobject.svg.svg_mobject import SVG_HASH_TO_MOB_MAP
from manim.typing import PixelArray
from PIL import Image

from lecture.holds import convert_holds_once
from lecture.narration import beats_file
from lecture.one_stream import encode_as_one_stream
from lecture.options import RenderOptions
from lecture.outline_cache import TEX_TEMPLATE, publish, seed
from lecture.video import voice_clips
from lecture.voice import Narrator
from qkv import Trace, minilm
from qkv.files import atomic
from scenes import LESSON, scene_stem
from scenes.kit.base import LessonScene

__all__ = [
    "ENCODER_OPTIONS",
    "QUALITY",
    "TEX_TEMPLATE",
    "pick_scenes",
    "render_scene",
]

QUALITY = {
    "low": "low_quality",
    "medium": "medium_quality",
    "high": "high_quality",
    "4k": "fourk_quality",
}
# x264's "veryfast" preset encoded 1080p lesson frames at 65 fps against 43 for its default
# ("medium"), at the same quality setting (crf 23), and the file came out smaller (66 KB
# against 79): flat colours and text leave little for the slower presets to find (issue 7).
# x264 looks 10 frames ahead at "veryfast", and each frame it holds costs about 12 MB at 1080p
# (its planes, their half-pixel copies, the smaller copies it plans on). 3 frames ahead and one
# B-frame between references (not 3): on 2400 of the lesson's 1080p frames, twice, x264 spent
# 13-19% less CPU and its memory fell from 167 to 138 MB, for a file 2-3% larger at the same
# quality (PSNR 45.8-45.9 dB against 45.6-45.8) (issue 22; lookahead 5 had already taken a
# scene's peak from 503-533 MB to 451-472).
ENCODER_OPTIONS = {"mp4": {"preset": "veryfast", "rc-lookahead": "3", "bf": "1"}}
ENCODER_QUEUE = 2


def _encoder_options(fmt: str, threads: int) -> dict[str, str]:
    """x264's settings, with ``threads`` for it (0: x264 decides, from the machine's cores).

    A render with a worker per core gives each worker's x264 one thread: the workers already
    keep the cores busy, and x264's own threads (two per worker on two cores, and two more
    looking ahead) only fought them. The default lesson at 1080p60 with --jobs 2 took 356 s
    instead of 400 (CPU 689 s against 767), its file 3% smaller; on 2400 of its frames alone,
    one thread's PSNR was 45.10 and 45.63 dB against 45.04 and 45.70 (issue 22)."""
    options = dict(ENCODER_OPTIONS.get(fmt, {}))
    if options and threads:
        options["threads"] = str(threads)
    return options


# manim muxes a voiced scene with options ("shortest", "metadata") its mp4 muxer does not
# use, and PyAV warns about them on every scene; nothing the user can act on
logging.getLogger("av.container.output").addFilter(
    lambda record: "Some options were not used" not in record.getMessage()
)
# and manim warns that webm "can be slower" each time a scene sets the format the user chose
logging.getLogger("manim").addFilter(
    lambda record: "Output format set as webm" not in record.getMessage()
)


def pick_scenes(names: list[str]) -> list[type[LessonScene]]:
    """The lesson's scenes of these names (lecture.scene_choice has checked them), as classes."""
    by_name = {cls.__name__: cls for cls in LESSON}
    return [by_name[name] for name in names]


def render_scene(
    trace: Trace,
    name: str,
    folder: Path,
    options: RenderOptions,
    outlines: Path | None = None,
    *,
    encoder_threads: int = 0,
) -> list[Path]:
    """Render the scene ``name`` of ``trace`` into ``folder``: ``NN_Name.<fmt>``, its subtitles
    (``.srt``, video formats) and a still of its last frame (``NN_Name.png``).

    NN is the scene's place in the lesson, so a name does not depend on which scenes were
    picked. Each scene has its own manim work folder: scenes rendered at the same time in
    several processes never share a cache file. Every file appears under its final name whole.
    ``outlines`` is a folder of formula and text outlines shared with other renders
    (``lecture.outline_cache``).
    """
    preset = QUALITIES[QUALITY[options.quality]]
    (cls,) = pick_scenes([name])  # by name: the process that submits it never imports manim
    stem = scene_stem(cls)
    # this process's own: two renders of one lesson never share manim's files
    work = folder / ".manim" / f"{cls.__name__}-{os.getpid()}"
    if outlines is not None:
        seed(work, outlines)
    settings = {
        "media_dir": str(work),
        "tex_template_file": str(TEX_TEMPLATE),
        "pixel_height": preset["pixel_height"],
        "pixel_width": preset["pixel_width"],
        "frame_rate": preset["frame_rate"],
        "format": options.fmt,
        "transparent": options.transparent,
        "output_file": cls.__name__,
        "verbosity": "WARNING",
        "progress_bar": "display" if options.bars else "none",
        "disable_caching": True,
        "video_encoder_options": _encoder_options(options.fmt, encoder_threads),
        # frames drawn ahead of the encoder: manim's 8 hold 66 MB at 1080p; holds convert once
        # (lecture/holds.py), so the encoder keeps up with 2
        "encoder_queue_size": ENCODER_QUEUE,
        # one animation's frames encoded at a time (manim's default): lecture/one_stream.py
        # relies on it to put a scene's animations into one stream in order
        "max_inflight_encoders": 1,
    }
    with tempconfig(settings):
        # manim reads its template from tex_template_file once and keeps it, and tempconfig
        # puts back the template of the process's start (manim's default, unless a manim.cfg
        # in the working folder names ours): a second scene in one process, run from
        # anywhere but the project root (a Ray worker), would compile with the wrong one
        config.tex_template = TexTemplate.from_file(TEX_TEMPLATE)
        if options.slides:
            scene = _as_slides(cls)(trace=trace, output_folder=folder / "slides")
        else:
            scene = cls(trace=trace)
        if options.slides:  # manim-slides cuts slides out of the animations' own segments
            convert_holds_once(scene.renderer.file_writer)  # a hold costs its encoding only
        else:
            encode_as_one_stream(scene.renderer.file_writer)  # and holds convert once
        if options.voice is not None:
            recordings = None if options.voice == "espeak" else Path(options.voice)
            scene.narrator = Narrator(work / "voice", recordings)
        scene.render()
        beats = scene.beats
        writer = scene.renderer.file_writer
        video = options.fmt != "png"
        produced = Path(writer.movie_file_path if video else writer.image_file_path)
        last_frame = scene.renderer.get_frame() if video else None
    del scene
    if options.voice is not None and options.fmt == "mov":  # manim muxes its WAV as it is
        voice_clips(produced, [produced])  # AAC: Recap's mov fell from 2.0 to 0.8 MB
    _let_go()
    if outlines is not None:
        publish(work, outlines)
    written = [_publish(produced, folder / f"{stem}.{options.fmt}")]
    written.append(_publish_beats(beats, beats_file(folder, stem)))
    if last_frame is not None:  # a video: its last frame as a still, and its subtitles
        written.append(_publish_image(last_frame, folder / f"{stem}.png"))
        subtitles = produced.with_suffix(".srt")  # manim writes the captions' timings here
        if subtitles.exists():
            written.append(_publish(subtitles, folder / f"{stem}.srt"))
    shutil.rmtree(work, ignore_errors=True)  # published: its partial movies are only weight
    return written


def _let_go() -> None:
    """Hand a finished scene's memory back to the system. A worker renders scene after scene:
    manim's cache of parsed outlines would keep every text and formula of every scene, and
    glibc keeps what Python freed, so the worker would grow with each scene it rendered."""
    SVG_HASH_TO_MOB_MAP.clear()  # another scene reparses what it needs (outlines are cached)
    minilm.release()  # the pretrained study's file pages: 50 MB after TrainedHeads
    gc.collect()
    with contextlib.suppress(OSError):  # not glibc: its allocator returns memory its own way
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _as_slides(cls: type[LessonScene]) -> type[LessonScene]:
    """The same scene as a manim-slides Slide (same name): LessonScene.say starts a new slide
    at every caption. Reversed clips are skipped: a lecture steps forward."""
    from manim_slides.slide import Slide  # manim_slides.Slide is this, via a module __getattr__
    from manim_slides.slide.base import BaseSlide

    class _Slide(Slide):
        # Slide.__init__ sets config["write_to_movie"], a key manim 0.22 no longer has
        # (videos are on by default); BaseSlide's own set-up is all that is needed
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            BaseSlide.__init__(self, *args, **kwargs)

        # Slide.render sets max_files_cached to infinity, which manim 0.22 refuses; -1 is
        # its "unlimited" (the slides are cut from every partial movie file). The signature is
        # manim's Scene.render, the one called; manim-slides' own Slide.render already departs
        # from it ((*args, **kwargs) -> None), so no signature can match both parents
        def render(self, preview: bool = False) -> bool:  # type: ignore[override]
            limit = config.max_files_cached
            config.max_files_cached = -1
            try:
                rerun = Scene.render(self, preview)
            finally:
                config.max_files_cached = limit
            self._save_slides(use_cache=not config.disable_caching, skip_reversing=True)
            self._voice_the_slides()
            return rerun

        def _voice_the_slides(self) -> None:
            # manim-slides cuts its clips from the partial movies, which carry no audio: each
            # clip gets its stretch of the scene's narration (or loses a stale one)
            from manim_slides.config import PresentationConfig

            if config.format == "gif":
                return
            deck = PresentationConfig.from_file(self._output_folder / f"{self}.json")
            movie = Path(self.renderer.file_writer.movie_file_path)
            voice_clips(movie, [slide.file for slide in deck.slides])

    slide: type[LessonScene] = type(cls.__name__, (cls, _Slide), {"skip_reversing": True})
    return slide


def _publish(produced: Path, final: Path) -> Path:
    with atomic(final) as partial:  # a reader sees the whole file or none
        shutil.copyfile(produced, partial)
    return final


def _publish_beats(beats: list[dict[str, Any]], final: Path) -> Path:
    # the scene's beats (id, caption, spoken text, its numbers), for the lesson's narration.md
    with atomic(final) as partial:
        partial.write_text(json.dumps(beats, ensure_ascii=False), encoding="utf-8")
    return final


def _publish_image(pixels: PixelArray, final: Path) -> Path:
    with atomic(final) as partial:
        Image.fromarray(pixels).save(partial, format="PNG")
    return final
