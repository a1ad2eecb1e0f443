"""Scene (overview): placeholder, being written. It shows the sentence's tokens only."""

from __future__ import annotations

from manim import FadeIn

from scenes.base import LessonScene
from scenes.widgets import TokenRow

__all__ = ["Overview"]


class Overview(LessonScene):
    def construct(self) -> None:
        self.play(FadeIn(TokenRow(self.num)))
