"""Where a render's work goes, by hand (never in CI): python bench/split.py [low|high] [SCENE...]

Renders the default lesson (or the scenes named) in this one process, as ``--jobs 1`` does,
with a clock on each kind of work; each clock counts the CPU time of the thread it runs in
(the encoder has a thread of its own), the outermost kind when calls nest:
- drawing: manim's camera drawing the mobjects into the frame (CairoRenderer.update_frame),
  and the copy of each frame handed to the encoder (get_frame);
- making text and formulas: Text and MathTex parsed from their outlines (SVGMobject);
- conversion: each RGBA picture converted to the video's yuv420p (once per hold, and only the
  rows that changed: lecture/changed_rows.py), with the comparison that finds those rows;
- encoding: x264 and the container (encode, mux, and closing each scene's stream), with the CPU time
  of x264's own threads (the process's time that no Python thread spent);
- the rest: the scenes' own work (layout, animations' interpolation, copies), manim's
  bookkeeping, joining, and starting up.
Prints a table; bench/results.md keeps it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
from manim.mobject.svg.svg_mobject import SVGMobject
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import _PartialMovieEncodeJob

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import lecture.one_stream as one_stream  # noqa: E402
import lecture.runner as runner  # noqa: E402
from lecture.holds import HoldEncoder  # noqa: E402
from lecture.options import RenderOptions  # noqa: E402
from lecture.outline_cache import shared_folder  # noqa: E402
from lecture.scene_choice import SCENE_NAMES  # noqa: E402
from qkv import build_trace, load_config  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
PYTHON_THREADS = [0.0]  # CPU s of the finished encoder threads: Python's, not x264's
_inside = threading.local()  # the kind of work this thread is in, if any


def clocked(kind: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        if getattr(_inside, "kind", None) is not None:  # nested: the outer clock counts it
            return work(*args, **kwargs)
        _inside.kind, started = kind, time.thread_time()
        try:
            return work(*args, **kwargs)
        finally:
            SPENT[kind] += time.thread_time() - started
            _inside.kind = None

    return run


class ClockedEncoder(HoldEncoder):
    """HoldEncoder with a clock on its conversion and one on its encoding."""

    def _convert(self, pixels: Any) -> av.VideoFrame:
        return clocked("conversion", super()._convert)(pixels)

    def _encode(self, frame: av.VideoFrame) -> None:
        clocked("encoding", super()._encode)(frame)

    def finish(self) -> None:
        clocked("encoding", super().finish)()


def _encoder_thread(work: Callable[..., Any]) -> Callable[..., Any]:
    def run(self: Any) -> None:
        try:
            work(self)
        finally:
            PYTHON_THREADS[0] += time.thread_time()  # this thread's whole life

    return run


def _install(file_writer: Any) -> None:
    one_stream.encode_as_one_stream(file_writer, ClockedEncoder)


def main() -> None:
    quality = sys.argv[1] if len(sys.argv) > 1 else "low"
    names = sys.argv[2:] or list(SCENE_NAMES)
    CairoRenderer.update_frame = clocked("drawing", CairoRenderer.update_frame)
    CairoRenderer.get_frame = clocked("drawing", CairoRenderer.get_frame)
    SVGMobject.__init__ = clocked("making text and formulas", SVGMobject.__init__)
    runner.encode_as_one_stream = _install
    _PartialMovieEncodeJob._listen_and_write = _encoder_thread(
        _PartialMovieEncodeJob._listen_and_write
    )
    trace = build_trace(load_config(None), check=False)
    before, started, main_before = os.times(), time.perf_counter(), time.thread_time()
    with tempfile.TemporaryDirectory() as folder:
        options = RenderOptions(quality=quality)
        for name in names:
            runner.render_scene(trace, name, Path(folder), options, shared_folder())
    after = os.times()
    total = (after.user + after.system) - (before.user + before.system)
    # what no Python thread spent was spent by x264's own threads
    SPENT["encoding"] += total - (time.thread_time() - main_before) - PYTHON_THREADS[0]
    print(f"{quality}, {len(names)} scenes, one process: {time.perf_counter() - started:.1f} s")
    print("| work | CPU s | share |\n|---|---:|---:|")
    kinds = ["drawing", "making text and formulas", "conversion", "encoding"]
    rest = total - sum(SPENT[k] for k in kinds)
    for kind, spent in [*((k, SPENT[k]) for k in kinds), ("the rest", rest)]:
        print(f"| {kind} | {spent:.1f} | {spent / total:.0%} |")
    print(f"| all | {total:.1f} | 100% |")


if __name__ == "__main__":
    main()
