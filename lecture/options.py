"""What a render is asked for. Kept apart from lecture/runner.py (which imports manim), so the
process that only plans and joins a lesson never loads manim: with --jobs 2 it would carry
manim's 70 MB beside the two render processes for the whole render."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RenderOptions"]


@dataclass(frozen=True)
class RenderOptions:
    quality: str = "high"
    fmt: str = "mp4"
    transparent: bool = False
    bars: bool = False  # manim's own progress bars (one process on a terminal only)
    slides: bool = False  # also record each caption beat as a manim-slides slide
    voice: str | None = None  # "espeak", or a folder of the lecturer's recordings; None: silent
