"""Manim scenes of the lesson, one teaching step per file, in lesson order in ``LESSON``."""

from scenes.first_look import FirstLook

__all__ = ["LESSON", "FirstLook"]

LESSON = [FirstLook]
