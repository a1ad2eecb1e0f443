"""Pictures of trace values: a bar whose length is a value, a mark on a number line at a value.

Like numbers, they are made only here and carry a ``Provenance``, so the scene audit checks a
bar's length and a mark's place against the trace as it checks digits (tests/scene_audit.py).
A bar records its length per unit of value relative to its own thickness: a picture scaled as a
whole to fit the frame stays true, a bar stretched on its own does not.
"""

from __future__ import annotations

import numpy as np
from manim import LEFT, RIGHT, Dot, NumberLine, Rectangle

from qkv import lookup
from scenes.kit.provenance import Numbers, Provenance, number_text
from scenes.kit.style import sign_colour

__all__ = ["TraceBar", "TraceMark", "bar", "mark"]


class TraceBar(Rectangle):
    """A bar ``|value| · unit`` long and ``thickness`` thick, along ``direction`` (RIGHT or UP,
    or LEFT or DOWN).

    ``base`` puts its start on a zero line: a positive value grows along ``direction``, a
    negative one the other way (so bars of signed values share one baseline).
    """

    def __init__(
        self,
        numbers: Numbers,
        key: str,
        index: tuple[int, ...],
        *,
        unit: float,
        thickness: float = 0.18,
        direction=RIGHT,
        colour=None,
        opacity: float = 0.85,
    ) -> None:
        value = lookup(numbers.trace, key, index)
        length = abs(value) * unit
        along = bool(np.allclose(direction, RIGHT) or np.allclose(direction, LEFT))
        width, height = (length, thickness) if along else (thickness, length)
        fill = sign_colour(value) if colour is None else colour
        super().__init__(
            width=width, height=height, stroke_width=0, fill_color=fill, fill_opacity=opacity
        )
        self.along_x = along
        self.per_thickness = unit / thickness  # length of one unit of value, in thicknesses
        self.direction = np.array(direction, dtype=float)
        self.value = value
        self.provenance = Provenance(
            key, tuple(index), value, f"bar {number_text(value, numbers.precision)}"
        )

    def length(self) -> float:
        return float(self.width if self.along_x else self.height)

    def thickness(self) -> float:
        return float(self.height if self.along_x else self.width)

    def shown_value(self) -> float:
        """The value the bar's length stands for, as drawn now (the audit reads this)."""
        return self.length() / (self.per_thickness * self.thickness())

    def on(self, zero) -> TraceBar:
        """Put the bar's start at ``zero`` (a point on the zero line): a negative value runs
        the other way."""
        step = self.direction if self.value >= 0 else -self.direction
        self.move_to(np.asarray(zero) + step * self.length() / 2)
        return self


class TraceMark(Dot):
    """A dot on ``axis`` (a NumberLine) at the trace's value: the audit reads it back through
    the axis, so a number line whose marks sit wrong fails like a wrong digit."""

    def __init__(
        self, numbers: Numbers, key: str, index: tuple[int, ...], axis: NumberLine, **kwargs
    ) -> None:
        value = lookup(numbers.trace, key, index)
        kwargs.setdefault("color", sign_colour(value))
        kwargs.setdefault("radius", 0.07)
        super().__init__(axis.n2p(value), **kwargs)
        self.axis = axis
        self.provenance = Provenance(
            key, tuple(index), value, f"mark {number_text(value, numbers.precision)}"
        )

    def shown_value(self) -> float:
        """Where the dot sits on its axis, in the axis's numbers."""
        return float(self.axis.p2n(self.get_center()))

    def tolerance(self) -> float:
        """Half a dot's width, in the axis's numbers: closer than that cannot be seen."""
        unit = np.linalg.norm(self.axis.n2p(1) - self.axis.n2p(0))
        return float(self.width / 2 / unit)


def bar(numbers: Numbers, key: str, *index: int, **kwargs) -> TraceBar:
    """A bar for ``key[index]`` (see TraceBar)."""
    return TraceBar(numbers, key, tuple(index), **kwargs)


def mark(numbers: Numbers, key: str, *index: int, axis: NumberLine, **kwargs) -> TraceMark:
    """A dot on ``axis`` at ``key[index]``."""
    return TraceMark(numbers, key, tuple(index), axis, **kwargs)
