"""The one way a number reaches the screen: from the trace, with a record of where it came from,
as digits, as a bar's length or as a mark's place on a number line.

Every number mobject a scene shows is made here. It carries a ``Provenance`` (trace key, index,
value, the text shown) so that a test can walk any scene and check each visible number against
the trace (tests/test_scene_audit.py). Scenes never format, compute or type numbers themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from manim import (
    DEFAULT_FONT_SIZE,
    LEFT,
    RIGHT,
    DecimalNumber,
    Dot,
    MathTex,
    Mobject,
    NumberLine,
    Rectangle,
    Text,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
)

from qkv import Trace, lookup, lookup_array
from qkv.derived import lookup_text
from scenes.kit.style import FONT, LABEL_SIZE, NUMBER_SIZE, sign_colour

__all__ = [
    "Provenance",
    "SumSign",
    "TraceBar",
    "TraceMark",
    "TraceNumber",
    "TraceText",
    "Numbers",
    "number_text",
    "provenance_of",
    "rounded_sum_holds",
]


@dataclass(frozen=True)
class Provenance:
    """Where a shown value came from: ``lookup(trace, key, index)`` and the text it shows."""

    key: str
    index: tuple  # integers into the array, or (side, i) token references for captions
    value: float | str
    text: str
    magnitude: bool = False  # the number shows |value|: its sign is the operator before it


def number_text(value: float, precision: int) -> str:
    """The text a number shows at ``precision`` decimals (what DecimalNumber draws)."""
    text = f"{value:.{precision}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


@cache
def _glyph_outline(char: str) -> np.ndarray:
    """The outline of one LaTeX character (digit, point, minus) at manim's default font size,
    as bezier points (n, 3): compiled once per process."""
    parts = [part.points for part in MathTex(char).family_members_with_points()]
    return np.concatenate(parts) if parts else np.zeros((0, 3))


class TraceNumber(DecimalNumber):
    """A DecimalNumber that only ever shows a value looked up in the trace.

    The number is one VMobject whose outline is its LaTeX characters' outlines side by side,
    not a group of MathTex copies: numbers are most of what the lesson draws, copies for every
    Transform and fade, and redraws on every frame of a count-up; manim's cost is per drawn
    mobject, and a MathTex copy alone cost ten times a whole number now (bench/: issue 7).
    """

    def __init__(
        self,
        numbers: Numbers,
        key: str,
        index: tuple[int, ...],
        *,
        precision: int | None = None,
        coloured: bool = True,
        magnitude: bool = False,
        **kwargs,
    ) -> None:
        self._numbers = numbers
        self._coloured = coloured
        self._magnitude = magnitude
        places = numbers.precision if precision is None else precision
        kwargs.setdefault("font_size", NUMBER_SIZE)
        value = lookup(numbers.trace, key, index)
        shown = abs(value) if magnitude else value
        super().__init__(shown, num_decimal_places=places, group_with_commas=False, **kwargs)
        self._record(key, index, value)

    def show(self, key: str, index: tuple[int, ...]) -> TraceNumber:
        """Display the trace's value at ``key[index]`` and record it."""
        value = lookup(self._numbers.trace, key, index)
        self.set_value(abs(value) if self._magnitude else value)
        self._record(key, index, value)
        return self

    def _record(self, key: str, index: tuple[int, ...], value: float) -> None:
        if self._coloured:  # the real value's colour, also when only its magnitude is shown
            self.set_color(sign_colour(value))
        shown = abs(value) if self._magnitude else value
        self.provenance = Provenance(
            key,
            tuple(index),
            value,
            number_text(shown, self.num_decimal_places),
            magnitude=self._magnitude,
        )

    def set_value(self, number: float) -> TraceNumber:
        # DecimalNumber.set_value also zeroes its old characters' points (for characters as
        # submobjects); here the outline is simply rebuilt at the same size and place
        anchor, size = self.get_edge_center(self.edge_to_fix), self.font_size
        self._set_submobjects_from_number(number)
        self.font_size = size
        self.move_to(anchor, self.edge_to_fix)
        return self

    def _set_submobjects_from_number(self, number: float) -> None:
        # DecimalNumber lays the characters out as submobjects; they then become one outline
        self.points = np.zeros((0, 3))
        super()._set_submobjects_from_number(number)
        outlines = [glyph.points for glyph in self.submobjects]
        self.submobjects = []
        self.points = np.concatenate(outlines) if outlines else np.zeros((0, 3))

    def _string_to_mob(self, string: str, mob_class=None, **kwargs) -> VMobject:
        glyph = VMobject(stroke_width=0)
        glyph.points = _glyph_outline(string) * (self._font_size / DEFAULT_FONT_SIZE)
        return glyph


# Put first in every text that holds a token. Pango right-aligns a paragraph that starts in a
# right-to-left script (Hebrew, Arabic) to the far edge of manim's drawing surface, where it is
# cut off and nothing is drawn; a left-to-right mark keeps the paragraph left-aligned, and the
# word itself still reads right to left. It is invisible and has no glyph.
LTR_MARK = "\u200e"


class TraceText(Text):
    """A token (or other string) of the trace drawn literally: never LaTeX, never markup."""

    def __init__(self, value: str, key: str, index: tuple[int, ...], **kwargs) -> None:
        kwargs.setdefault("font", FONT)
        kwargs.setdefault("font_size", LABEL_SIZE)
        # Text (unlike MarkupText) does not parse markup, so <b>, & and \input stay literal.
        # Shaped as its script needs (Arabic's lam-alef, an emoji with its selector are one
        # glyph for two characters): nothing here needs one glyph per character.
        super().__init__(LTR_MARK + value, **kwargs)
        self.original_text = value  # what the trace holds, without the mark
        self.provenance = Provenance(key, tuple(index), value, value)


class Numbers:
    """A scene's number factory, bound to its trace and display precision."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.precision = int(trace.config["precision"])

    def __deepcopy__(self, memo: dict) -> Numbers:
        return self  # every copy of a number shares its scene's factory, never a copy of the trace

    def value(self, key: str, *index: int, **kwargs) -> TraceNumber:
        """A number mobject showing ``key[index]`` of the trace."""
        return TraceNumber(self, key, tuple(index), **kwargs)

    def term(self, key: str, *index: int, first: bool = False, **kwargs) -> VGroup:
        """One term of a written sum: ``+ 0.31`` or ``− 0.22`` (the operator carries the sign,
        never ``+ −0.22``); the ``first`` term is the signed number alone."""
        if first:
            return VGroup(self.value(key, *index, **kwargs))
        value = lookup(self.trace, key, index)
        places = self.precision if kwargs.get("precision") is None else kwargs["precision"]
        size = kwargs.get("font_size", NUMBER_SIZE)
        # the sign of what is shown: −0.001 at two places is written + 0.00
        sign = MathTex("-" if number_text(value, places).startswith("-") else "+", font_size=size)
        return VGroup(sign, self.value(key, *index, magnitude=True, **kwargs)).arrange(
            RIGHT, buff=0.1
        )

    def relation(
        self,
        terms: list[tuple[str, tuple[int, ...]]],
        total: tuple[str, tuple[int, ...]],
        precision: int | None = None,
        how: str = "sum",
        **kwargs,
    ) -> SumSign:
        """``=`` between written terms and their written result, or ``≈`` when the terms as
        rounded do not give the result as rounded (0.33 + 0.33 + 0.33 ≈ 1.00); ``how``: the
        terms' ``sum``, or the ``quotient`` of the first by the second (1.23 ÷ 1.41 = 0.87)."""
        precision = self.precision if precision is None else precision
        return SumSign(self, terms, total, precision, how=how, **kwargs)

    def bar(self, key: str, *index: int, **kwargs) -> TraceBar:
        """A bar whose length is ``key[index]`` (see TraceBar)."""
        return TraceBar(self, key, tuple(index), **kwargs)

    def mark(self, key: str, *index: int, axis: NumberLine, **kwargs) -> TraceMark:
        """A dot on the number line ``axis`` at ``key[index]`` (see TraceMark)."""
        return TraceMark(self, key, tuple(index), axis, **kwargs)

    def dim(self, name: str, **kwargs) -> TraceNumber:
        """A size such as T or d_model, shown as an integer (``dims.<name>``)."""
        return TraceNumber(self, f"dims.{name}", (), precision=0, coloured=False, **kwargs)

    def token(self, i: int, side: str = "tokens", **kwargs) -> TraceText:
        """Token ``i`` of the query side (``tokens``), the key/value side (``key_tokens``), or
        a study's (``pair.key_tokens``, ``trained.tokens``)."""
        return TraceText(lookup_text(self.trace, side, (i,)), side, (i,), **kwargs)

    def text(self, key: str, **kwargs) -> TraceText:
        """A string of the trace or a study: ``sentence``, ``pair.kv_sentence``, ``model``."""
        return TraceText(lookup_text(self.trace, key), key, (), **kwargs)

    def model(self, **kwargs) -> TraceText:
        """The pretrained model's name (only for a trace that has one)."""
        return self.text("model", **kwargs)

    def shape(self, key: str) -> tuple[int, ...]:
        """The shape of a trace quantity (for layout: how many cells to draw)."""
        return tuple(lookup_array(self.trace, key).shape)

    def count_up(
        self,
        number: TraceNumber,
        key: str,
        index: tuple[int, ...],
        shown: list[int | None] | None = None,
        **kwargs,
    ) -> UpdateFromAlphaFunc:
        """Step ``number`` through the real partial sums ``key[index + (n,)]``, n = 0, 1, ...

        Every frame shows a genuine partial sum, never an interpolation between them. ``shown``
        lists the steps whose terms are on screen, None for a ⋯ that stands for the steps
        between its neighbours (e.g. ``[0, 1, 2, None, 383]``): each shown item gets an equal
        share of the time, so the total never runs ahead of the terms written beside it.
        """
        steps = self.shape(key)[-1]
        slots = list(range(steps)) if shown is None else list(shown)

        def at(alpha: float) -> int:
            k = min(int(alpha * len(slots)), len(slots) - 1)
            if slots[k] is not None:
                return slots[k]
            first, last = slots[k - 1] + 1, slots[k + 1] - 1  # the steps the ⋯ stands for
            fraction = alpha * len(slots) - k
            return min(first + int(fraction * (last - first + 1)), last)

        def step(mob: TraceNumber, alpha: float) -> None:
            mob.show(key, (*index, at(alpha)))

        return UpdateFromAlphaFunc(number, step, **kwargs)


# Pictures of values: a bar whose length is a value, a mark on a number line at a value. They
# carry a Provenance like numbers, and the audit reads their length or place back. A bar keeps
# its length per unit of value relative to its own thickness: a picture scaled as a whole stays
# true, a bar stretched on its own does not.


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


def rounded_sum_holds(
    trace: Trace,
    terms: list[tuple[str, tuple[int, ...]]],
    total: tuple[str, tuple[int, ...]],
    precision: int,
    how: str = "sum",
) -> bool:
    """Whether the terms, as shown at ``precision``, give the total as shown: their sum, or
    (``how="quotient"``) the first divided by the second."""
    shown = [float(number_text(lookup(trace, key, tuple(ix)), precision)) for key, ix in terms]
    whole = float(number_text(lookup(trace, total[0], tuple(total[1])), precision))
    result = sum(shown) if how == "sum" else shown[0] / shown[1]
    return round(result, precision) == round(whole, precision)


class SumSign(MathTex):
    """The ``=`` or ``≈`` of a written sum, chosen by ``rounded_sum_holds``; it keeps what it
    relates so that the audit can check the choice again."""

    def __init__(
        self, numbers: Numbers, terms, total, precision: int, how: str = "sum", **kwargs
    ) -> None:
        if how not in ("sum", "quotient"):
            raise ValueError(f"a written relation is a sum or a quotient, not {how!r}")
        self.terms = [(key, tuple(ix)) for key, ix in terms]
        self.total = (total[0], tuple(total[1]))
        self.precision, self.how = precision, how
        self.exact = rounded_sum_holds(numbers.trace, self.terms, self.total, precision, how)
        kwargs.setdefault("font_size", NUMBER_SIZE)
        super().__init__("=" if self.exact else r"\approx", **kwargs)


def provenance_of(mob: Mobject) -> Provenance | None:
    """The record a mobject carries, or None if it was not made here."""
    return getattr(mob, "provenance", None)
