"""The floor: a still picture held for a given time at a given quality. Rendering it costs only
encoding and writing the frames, so a lesson's render time over this one's is the part that
drawing the lesson adds. Run by bench/run.py: manim <quality> bench/floor.py Floor."""

import os

from manim import DOWN, Scene, Square, Text

from scenes.kit.style import BACKGROUND, FONT


class Floor(Scene):
    def construct(self) -> None:
        self.camera.background_color = BACKGROUND
        seconds = float(os.environ.get("FLOOR_SECONDS", "10"))
        self.add(Square(3), Text("floor", font=FONT).next_to(Square(3), DOWN))
        self.wait(seconds)  # nothing moves: manim draws once and writes the frame repeatedly
