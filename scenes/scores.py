"""Scene (T5): placeholder, being written. It shows the sentence's tokens only."""

from __future__ import annotations

from manim import FadeIn

from scenes.base import LessonScene
from scenes.widgets import TokenRow

__all__ = ["Scores"]


class Scores(LessonScene):
    def construct(self) -> None:
        self.play(FadeIn(TokenRow(self.num)))
