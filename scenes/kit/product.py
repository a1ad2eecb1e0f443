"""A matrix product on screen, L · R = P, and the beat that fills the rest of it.

Shared by the projections (X·W_Q), the scores (Q·Kᵀ), the weighted sum (A·V) and W_O: the same
layout, so the viewer learns it once. (Each of those scenes works one entry itself for now,
with signed terms and = or ≈; the shared beat is to be written again from them.)
"""

from __future__ import annotations

from typing import Any

from manim import (
    DOWN,
    RIGHT,
    UP,
    FadeIn,
    LaggedStart,
    MathTex,
    VGroup,
    config,
)

from scenes.kit.convention import Convention
from scenes.kit.provenance import Numbers
from scenes.kit.style import LABEL_SIZE, ROLE
from scenes.kit.widgets import TraceMatrix, fit

__all__ = ["MANY_TERMS", "MatrixProduct", "fill_rest"]

MANY_TERMS = 64  # a dot product longer than this shows its terms with two more decimals


class MatrixProduct(VGroup):
    """``left · right = result`` with each factor's name and shape above it.

    ``tokens`` = (side, matrix) puts the tokens of ``side`` beside the matrix whose rows (or,
    turned, columns) they are. The result starts as empty brackets; ``work_entry`` and
    ``fill_rest`` fill it.
    """

    def __init__(
        self,
        numbers: Numbers,
        left: TraceMatrix,
        right: TraceMatrix,
        result: TraceMatrix,
        names: tuple[str, str, str],
        roles: tuple[str, str, str],
        *,
        tokens: tuple[str, TraceMatrix] | None = None,
        height: float | None = None,
        width: float | None = None,
    ) -> None:
        self.left, self.right, self.result = left, right, result
        dot = MathTex(r"\cdot", font_size=LABEL_SIZE * 1.3)
        eq = MathTex("=", font_size=LABEL_SIZE * 1.3)
        body = VGroup(left, dot, right, eq, result).arrange(RIGHT, buff=0.3)
        self.labels, self._owner = VGroup(), None
        if tokens is not None:
            side, owner = tokens
            self._owner = owner
            self.labels = owner.name_lines(side)
            if not owner.transpose and owner is left:  # room for the labels left of X
                body.shift(RIGHT * self.labels.width / 2)
                self.labels.shift(RIGHT * self.labels.width / 2)
        # every name and shape on one line, above the tallest factor (or its token labels)
        top = VGroup(body, self.labels).get_top()[1]
        self.heads = VGroup()
        for matrix, name, role in zip((left, right, result), names, roles, strict=True):
            title = MathTex(name, font_size=LABEL_SIZE * 1.2, color=ROLE[role])
            head = VGroup(title, matrix.shape_label()).arrange(DOWN, buff=0.12)
            head.next_to(matrix.get_center() * RIGHT + top * UP, UP, buff=0.25)
            self.heads.add(head)
        self.signs = VGroup(dot, eq)
        super().__init__(body, self.labels, self.heads)
        fit(self, width or config.frame_width - 1.0, height or config.frame_height - 3.2)

    @classmethod
    def written(
        cls,
        numbers: Numbers,
        view: Convention,
        left: TraceMatrix,
        right: TraceMatrix,
        result: TraceMatrix,
        names: tuple[str, str, str],
        roles: tuple[str, str, str],
        **layout: Any,
    ) -> MatrixProduct:
        """The product as ``view`` writes it: in the column convention the factors swap sides,
        with their names and roles, since (L·R)ᵀ = Rᵀ·Lᵀ. ``names`` and ``roles`` are given in
        the paper's order (left, right, result); ``layout`` goes to the constructor."""
        first, second = view.factors(left, right)
        named = (*view.factors(names[0], names[1]), names[2])
        roled = (*view.factors(roles[0], roles[1]), roles[2])
        return cls(numbers, first, second, result, named, roled, **layout)

    def factor(self, k: int) -> VGroup:
        """Factor ``k`` (0 left, 1 right) whole, with its name, shape and any token labels."""
        matrix = (self.left, self.right)[k]
        labels = self.labels if self.labels and self._owner is matrix else VGroup()
        return VGroup(matrix, labels, self.heads[k])

    def shell(self) -> VGroup:
        """Everything but the result's entries: the product before it is computed."""
        dots = [
            m for m in self.result.matrix.get_entries() if m not in self.result.entries.values()
        ]
        return VGroup(
            self.factor(0),
            self.factor(1),
            self.signs,
            self.result.matrix.get_brackets(),
            *dots,
            self.heads[2],
        )


def fill_rest(
    scene, product: MatrixProduct, done: set[tuple[int, int]], *, run_time: float = 2.0
) -> None:
    """Every other entry of the result, row after row."""
    rows = {}
    for (r, c), m in product.result.entries.items():
        if (r, c) not in done:
            rows.setdefault(r, []).append(m)
    scene.play(
        LaggedStart(*(FadeIn(VGroup(*ms)) for _, ms in sorted(rows.items())), lag_ratio=0.3),
        run_time=run_time,
    )
