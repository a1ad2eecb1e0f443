"""The lesson's map: the steps of attention in a row, the current one lit.

Every scene on the computation's path (a class attribute ``map_step``) keeps it in the frame's top
strip, above the content, so a student always sees where in the computation the scene is; the
Overview scene introduced the same stages at full size.
"""

from __future__ import annotations

from manim import RIGHT, UP, Text, VGroup, config

from scenes.kit.style import FONT, MUTED, ROLE

__all__ = ["MAP_STRIP", "STEPS", "Roadmap"]

# The steps, each with the role colour of what it produces (plain text, the same in every
# language: the symbols are the formula's).
STEPS: dict[str, tuple[str, str]] = {
    "vectors": ("X", "X"),
    "projections": ("Q  K  V", "Q"),
    "scores": ("Q·Kᵀ", "weights"),
    "scaling": ("÷ √dₖ", "weights"),
    "softmax": ("softmax", "weights"),
    "mix": ("·V", "output"),
    "heads": ("h heads", "output"),
}
MAP_STRIP = 0.2  # the height kept free at the frame's top for the small map (content ≤ 3.8)
_SMALL = 12


class Roadmap(VGroup):
    """The steps in a row, ``current`` lit in its role colour, the others muted."""

    def __init__(self, current: str | None = None, font_size: float = _SMALL) -> None:
        super().__init__()
        self.furniture = True  # on every frame of a scene, not part of its picture
        for name, (label, role) in STEPS.items():
            lit = name == current
            step = Text(label, font=FONT, font_size=font_size, disable_ligatures=True)
            step.set_color(ROLE[role] if lit else MUTED).set_opacity(1.0 if lit else 0.55)
            self.add(step)
        self.arrange(RIGHT, buff=font_size / 40)
        arrows = [
            Text("→", font=FONT, font_size=font_size, color=MUTED).set_opacity(0.55)
            for _ in range(len(self) - 1)
        ]
        steps = list(self.submobjects)
        self.submobjects = []
        for step, arrow in zip(steps, [*arrows, None], strict=True):
            self.add(step)
            if arrow is not None:
                self.add(arrow)
        self.arrange(RIGHT, buff=font_size / 60)

    def in_corner(self) -> Roadmap:
        """Placed in the frame's top strip, right-aligned."""
        self.to_edge(UP, buff=max(0.02, (MAP_STRIP - self.height) / 2))
        self.align_to([config.frame_width / 2 - 0.2, 0, 0], RIGHT)
        return self
