"""A hold converted once (lecture/holds.py) gives the very frames manim's own encoder gives."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from manim import BLUE, Create, FadeOut, Scene, Square, Text, tempconfig

import lecture.holds
from lecture.holds import HoldEncoder, convert_holds_once


class Held(Scene):
    def construct(self) -> None:
        square = Square(color=BLUE)
        self.play(Create(square), run_time=0.5)
        self.add(Text("held", font_size=36).next_to(square))
        self.wait(1.0)  # a static hold: one picture, repeated
        self.play(FadeOut(square), run_time=0.5)


def low_settings(media: Path) -> dict[str, object]:
    """manim's config for a quiet 480p15 render into ``media``."""
    return {
        "media_dir": str(media),
        "quality": "low_quality",
        "disable_caching": True,
        "verbosity": "ERROR",
        "progress_bar": "none",
    }


def frames_of(media: Path, hold_once: bool) -> tuple[list[np.ndarray], Path]:
    with tempconfig(low_settings(media)):
        scene = Held()
        if hold_once:
            convert_holds_once(scene.renderer.file_writer)
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    with av.open(str(movie)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)], movie


def test_a_hold_converted_once_is_pixel_identical(tmp_path, monkeypatch):
    holds = []
    original = HoldEncoder.write_frame

    def counted(self, pixels, *, repeat=1):
        holds.append(repeat)
        original(self, pixels, repeat=repeat)

    monkeypatch.setattr(lecture.holds.HoldEncoder, "write_frame", counted)
    plain, _ = frames_of(tmp_path / "plain", hold_once=False)
    once, _ = frames_of(tmp_path / "once", hold_once=True)
    assert max(holds) >= 15  # the wait went through as one repeated picture (1 s at 15 fps)
    assert len(plain) == len(once) == sum(holds)
    assert all(np.array_equal(a, b) for a, b in zip(plain, once, strict=True))
